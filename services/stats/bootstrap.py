"""Stats' composition root."""

from functools import partial
from pathlib import Path

from kit.metrics import every
from kit.runtime import ServiceContext, ServiceDefinition, ServiceParts
from services.stats.adapters import events
from services.stats.domain.kostra import KostraRules
from services.stats.entrypoints import kafka, metrics
from services.stats.entrypoints.http import create_app
from services.stats.service_layer.unit_of_work import StatsUnitOfWork

NAME = "stats"


def build(ctx: ServiceContext) -> ServiceParts:
    uow_factory = partial(StatsUnitOfWork, ctx.pool, service=NAME, translate=events.translate,
                          topic=ctx.settings.topic)
    k = ctx.settings.kostra
    rules = KostraRules(k.over_days, k.short_days, k.young_min_age, k.young_max_age, k.child_max_age)
    rebuild = kafka.rebuilder(ctx.settings.kafka_bootstrap, ctx.settings, uow_factory) \
        if ctx.settings.kafka_bootstrap else None
    return ServiceParts(app=create_app(uow_factory, rules, rebuild), subscriptions=kafka.subscriptions(uow_factory),
                        background={
                            "stats-gauges": every(5, partial(metrics.refresh, uow_factory, rules), "stats-gauges"),
                            "stats-kostra-gauges": every(30, partial(metrics.refresh_kostra, uow_factory, rules),
                                                         "stats-kostra-gauges")})


definition = ServiceDefinition(name=NAME, title="Statistikk og KOSTRA",
                               migrations=Path(__file__).parent / "adapters" / "migrations" / "versions", build=build)
