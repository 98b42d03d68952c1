"""Stats' composition root: binds the handlers' dependencies (the clock), builds the bus, the read side (the
KOSTRA rules and "today" in Norway, once), the rebuild (the log, the lock across processes, the metric), the
web app, the subscriptions and the gauges' jobs."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from contracts import reference
from kit import clock
from kit.header import QUEUE_COUNT_PATH, CachedOfficeNames, RemoteCount
from kit.messagebus import MessageBus
from kit.metrics import every
from kit.runtime import ServiceContext, ServiceDefinition, ServiceParts
from services.stats.adapters import events
from services.stats.adapters.queries import StatsQueries
from services.stats.adapters.repository import CONSUMER, rebuild_lock
from services.stats.domain import commands as c
from services.stats.domain.kostra import KostraRules
from services.stats.entrypoints import kafka, metrics
from services.stats.entrypoints.app import create_app
from services.stats.service_layer import handlers
from services.stats.service_layer.rebuild import rebuild
from services.stats.service_layer.unit_of_work import StatsUnitOfWork
from services.stats.service_layer.views import StatsViews

NAME = "stats"
MIGRATIONS = Path(__file__).parent / "adapters" / "migrations" / "versions"


def message_bus(uow_factory, now=clock.now) -> MessageBus:
    """Every stats command and its handler, with the handler's dependencies bound."""
    table = {cls: handlers.project for cls in handlers.RECORDS} | {
        c.BeginRebuild: partial(handlers.begin_rebuild, now=now),
        c.ProjectReplayed: handlers.project_replayed,
        c.FinishRebuild: partial(handlers.finish_rebuild, now=now),
        c.AbandonRebuild: partial(handlers.abandon_rebuild, now=now),
    }
    return MessageBus(uow_factory, table, consumer=CONSUMER,
                      batch_handlers={cls: handlers.project_many for cls in handlers.RECORDS})


def build(ctx: ServiceContext) -> ServiceParts:
    uow_factory = partial(StatsUnitOfWork, ctx.pool, service=NAME, translate=events.translate,
                          topic=ctx.settings.topic)
    bus = message_bus(uow_factory)
    k = ctx.settings.kostra
    queries = StatsQueries(ctx.pool)
    views = StatsViews(queries,
                       KostraRules(k.over_days, k.short_days, k.young_min_age, k.young_max_age, k.child_max_age),
                       today=clock.today, oslo_districts=reference.oslo_districts())
    run_rebuild = None
    if ctx.settings.kafka_bootstrap:
        topics = [ctx.settings.topic(t) for t in kafka.TOPICS]
        run_rebuild = partial(rebuild, bus, partial(kafka.replay, ctx.settings.kafka_bootstrap, topics),
                              partial(rebuild_lock, ctx.pool), metrics.rebuild_finished)
    app = create_app(views, run_rebuild)
    app.state.header_count = RemoteCount(lambda: ctx.service_url("intake").rstrip("/") + QUEUE_COUNT_PATH)
    app.state.header_office_name = CachedOfficeNames(queries.office_names)
    return ServiceParts(app=app, subscriptions=kafka.subscriptions(bus),
                        background={
                            "stats-gauges": every(5, partial(metrics.refresh, views), "stats-gauges"),
                            "stats-kostra-gauges": every(30, partial(metrics.refresh_kostra, views),
                                                         "stats-kostra-gauges")})


definition = ServiceDefinition(name=NAME, title="Statistikk og KOSTRA", migrations=MIGRATIONS, build=build)
