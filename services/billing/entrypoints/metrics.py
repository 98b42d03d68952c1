"""Billing's Prometheus gauges, refreshed from its own tables by a background job."""

from __future__ import annotations

from prometheus_client import Gauge

from kit.metrics import set_all
from services.billing.service_layer import handlers

INVOICES = Gauge("botilbud_billing_invoices", "Supplier invoices and credit notes by status: waiting for "
                 "finance, approved or disputed.", ["status"])


async def refresh(uow_factory) -> None:
    counts = {"waiting": 0, "approved": 0, "disputed": 0} | await handlers.invoices_by_status(uow_factory)
    set_all(INVOICES, {(status,): n for status, n in counts.items()})
