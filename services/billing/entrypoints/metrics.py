"""Billing's Prometheus gauges, refreshed from its own tables by a background job."""

from __future__ import annotations

from prometheus_client import Gauge

from kit.metrics import set_all
from services.billing.adapters.queries import BillingQueries

INVOICES = Gauge("botilbud_billing_invoices", "Supplier invoices and credit notes by status: waiting for "
                 "finance, approved or disputed.", ["status"])


MAILINGS_PENDING = Gauge("botilbud_billing_requisition_mailings_pending", "Requisitions asked to be sent to their "
                         "provider and not sent yet (no mail server set, no e-mail address, intake or the mail "
                         "server not answering: the requisition page says why).")


async def refresh(queries: BillingQueries) -> None:
    counts = {"waiting": 0, "approved": 0, "disputed": 0} | await queries.invoices_by_status()
    set_all(INVOICES, {(status,): n for status, n in counts.items()})
    MAILINGS_PENDING.set(await queries.pending_mailings())
