"""API: finance settles an invoice — adjusts a line, approves, disputes."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from services.billing.domain.commands import AdjustLine, ApproveInvoice, DisputeInvoice
from services.billing.entrypoints.deps import Bus, Finance, LinePosition, Queries
from services.billing.entrypoints.schemas import Adjust, InvoiceOut, Settle

router = APIRouter(prefix="/api/invoices/{invoice_id}", tags=["invoices"])


@router.post("/lines/{position}/adjust", response_model=InvoiceOut)
async def adjust(invoice_id: UUID, position: LinePosition, body: Adjust, user: Finance, bus: Bus,
                 queries: Queries) -> InvoiceOut:
    """Set what a line pays (0 … the claim) with the reason; a disputed line so becomes settled."""
    await bus.handle(AdjustLine(invoice_id, position, body.payable_amount, body.comment, user.username,
                                user.name or None))
    return InvoiceOut.of(await queries.invoice(invoice_id))


@router.post("/approve", response_model=InvoiceOut)
async def approve(invoice_id: UUID, body: Settle, user: Finance, bus: Bus, queries: Queries) -> InvoiceOut:
    """Approve for payment what the lines pay; refused while a line is disputed."""
    await bus.handle(ApproveInvoice(invoice_id, body.comment, user.username, user.name or None))
    return InvoiceOut.of(await queries.invoice(invoice_id))


@router.post("/dispute", response_model=InvoiceOut)
async def dispute(invoice_id: UUID, body: Settle, user: Finance, bus: Bus, queries: Queries) -> InvoiceOut:
    """Refuse the invoice back to the supplier: nothing of it is paid, its nights are freed."""
    await bus.handle(DisputeInvoice(invoice_id, body.comment, user.username, user.name or None))
    return InvoiceOut.of(await queries.invoice(invoice_id))
