"""Billing's composition root."""

import os
from decimal import Decimal
from functools import partial
from pathlib import Path

from botilbud.kit.runtime import ServiceContext, ServiceDefinition, ServiceParts
from services.billing.adapters import events
from services.billing.entrypoints import kafka
from services.billing.entrypoints.http import create_app
from services.billing.service_layer.unit_of_work import BillingUnitOfWork

NAME = "billing"


def price_tolerance() -> Decimal:
    """NOK per night a price may exceed the agreement's without a finding. None unless finance sets one."""
    return Decimal(os.environ.get("BOTILBUD_BILLING_PRICE_TOLERANCE", "0"))


def build(ctx: ServiceContext) -> ServiceParts:
    uow_factory = partial(BillingUnitOfWork, ctx.pool, service=NAME, translate=events.translate,
                          topic=ctx.settings.topic)
    return ServiceParts(app=create_app(uow_factory, price_tolerance()), subscriptions=kafka.subscriptions(uow_factory))


definition = ServiceDefinition(name=NAME, migrations=Path(__file__).parent / "adapters" / "migrations" /
                               "versions", build=build)
