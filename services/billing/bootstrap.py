"""Billing's composition root: the handlers with their dependencies (the price tolerance from billing's
settings, the one clock), the message bus, the web app, the subscriptions and the background job."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from pathlib import Path

from kit import clock
from kit.messagebus import MessageBus
from kit.metrics import every
from kit.runtime import ServiceContext, ServiceDefinition, ServiceParts
from services.billing.adapters import events
from services.billing.adapters.queries import BillingQueries
from services.billing.config import BillingSettings
from services.billing.domain import commands
from services.billing.entrypoints import kafka, metrics
from services.billing.entrypoints.app import create_app
from services.billing.service_layer import handlers, stays
from services.billing.service_layer.unit_of_work import BillingUnitOfWork

NAME = "billing"


# Placement's stay events a batch at a time (service_layer/stays.py).
BATCH_HANDLERS = dict.fromkeys(stays.STAY_COMMANDS, stays.stays_together)


def bound_handlers(*, price_tolerance: Decimal, today=clock.today, now=clock.now) -> dict:
    """Every handler with its dependencies bound: one shape, `handler(cmd, uow)`, for the bus."""
    deps = {
        commands.ImportDocuments: {"price_tolerance": price_tolerance, "today": today, "now": now},
        commands.AdjustLine: {"today": today, "now": now},
        commands.ApproveInvoice: {"now": now},
        commands.DisputeInvoice: {"now": now},
    }
    return {cmd: partial(handler, **deps.get(cmd, {})) for cmd, handler in handlers.HANDLERS.items()}


def build(ctx: ServiceContext) -> ServiceParts:
    uow_factory = partial(BillingUnitOfWork, ctx.pool, service=NAME, translate=events.translate,
                          topic=ctx.settings.topic)
    bus = MessageBus(uow_factory, bound_handlers(price_tolerance=BillingSettings().price_tolerance_nok),
                     consumer=NAME, batch_handlers=BATCH_HANDLERS)
    queries = BillingQueries(ctx.pool)
    return ServiceParts(app=create_app(bus=bus, queries=queries), subscriptions=kafka.subscriptions(bus),
                        background={"billing-gauges": every(10, partial(metrics.refresh, queries), "billing-gauges")})


definition = ServiceDefinition(name=NAME, title="Rekvisisjoner og fakturaer",
                               migrations=Path(__file__).parent / "adapters" / "migrations" / "versions", build=build)
