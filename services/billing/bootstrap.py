"""Billing's composition root."""

from functools import partial
from pathlib import Path

from kit.metrics import every
from kit.runtime import ServiceContext, ServiceDefinition, ServiceParts
from services.billing.adapters import events
from services.billing.config import BillingSettings
from services.billing.entrypoints import kafka, metrics
from services.billing.entrypoints.http import create_app
from services.billing.service_layer.unit_of_work import BillingUnitOfWork

NAME = "billing"


def build(ctx: ServiceContext) -> ServiceParts:
    uow_factory = partial(BillingUnitOfWork, ctx.pool, service=NAME, translate=events.translate,
                          topic=ctx.settings.topic)
    return ServiceParts(app=create_app(uow_factory, BillingSettings().price_tolerance_nok),
                        subscriptions=kafka.subscriptions(uow_factory),
                        background={"billing-gauges": every(10, partial(metrics.refresh, uow_factory),
                                                            "billing-gauges")})


definition = ServiceDefinition(name=NAME, title="Rekvisisjoner og fakturaer",
                               migrations=Path(__file__).parent / "adapters" / "migrations" / "versions", build=build)
