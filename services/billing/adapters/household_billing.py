"""One household's requisitions with the invoice lines billed against them and who did what (issued, sent,
received, adjusted, approved, disputed) — what intake's case page shows of billing. Ids, days, amounts and
staff; never a finance comment (free text stays in billing) or the household's personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import asyncpg

from services.billing.adapters.papers import OFFICE_NAME, REQUISITION_COLUMNS, RequisitionView


@dataclass(frozen=True)
class SettlementView:
    position: int | None  # None: the whole invoice (approved or disputed)
    action: str  # adjust | approve | dispute
    amount: Decimal | None
    decided_by: str
    decided_by_name: str | None
    decided_at: datetime


@dataclass(frozen=True)
class BilledLineView:
    invoice_id: UUID
    invoice_number: str
    kind: str
    supplier_name: str
    issue_date: date
    received_at: datetime
    received_by: str
    received_by_name: str | None
    position: int
    first_night: date | None
    last_night: date | None
    claimed_nights: int
    claimed_amount: Decimal
    payable_nights: int
    payable_amount: Decimal
    status: str  # the line's: matched | adjusted | disputed
    invoice_decision: str | None  # approved | disputed | None (not yet settled)
    settlements: tuple[SettlementView, ...]  # this line's adjustments and the invoice's decision, oldest first

    @property
    def paid_amount(self) -> Decimal | None:
        """What is paid: the payable amount of an approved invoice; None while open or when disputed."""
        return self.payable_amount if self.invoice_decision == "approved" else None


@dataclass(frozen=True)
class MailingSent:
    reason: str  # issued | extended | reissued
    requested_at: datetime
    requested_by: str | None
    sent_at: datetime | None


@dataclass(frozen=True)
class RequisitionHistory:
    requisition: RequisitionView
    issued_at: datetime
    mailings: tuple[MailingSent, ...]
    lines: tuple[BilledLineView, ...]


async def household_offices(conn: asyncpg.Connection, household_id: UUID) -> set[str]:
    """The offices of the household's requisitions (empty: billing knows none)."""
    return {r["office_id"] for r in await conn.fetch(
        "SELECT DISTINCT office_id FROM requisitions WHERE household_id = $1", household_id)}


async def household_requisitions(conn: asyncpg.Connection, household_id: UUID,
                                 office_id: str | None) -> list[RequisitionHistory]:
    """The household's requisitions at this office (None: every office's), oldest first."""
    found = await conn.fetch(
        f"SELECT {REQUISITION_COLUMNS}, {OFFICE_NAME}, created_at FROM requisitions "  # noqa: S608 (constant columns)
        "WHERE household_id = $1 AND ($2::text IS NULL OR office_id = $2) ORDER BY period_from, number",
        household_id, office_id)
    ids = [r["id"] for r in found]
    mailings = await conn.fetch(
        "SELECT requisition_id, reason, requested_at, requested_by, sent_at FROM requisition_mailings "
        "WHERE requisition_id = ANY($1::uuid[]) ORDER BY requested_at", ids)
    lines = await billed_lines(conn, ids)
    return [RequisitionHistory(
        RequisitionView.of({k: v for k, v in dict(r).items() if k != "created_at"}), r["created_at"],
        tuple(MailingSent(m["reason"], m["requested_at"], m["requested_by"], m["sent_at"])
              for m in mailings if m["requisition_id"] == r["id"]),
        tuple(lines.get(r["id"], ()))) for r in found]


async def billed_lines(conn: asyncpg.Connection, requisition_ids: list[UUID]) -> dict[UUID, list[BilledLineView]]:
    """The invoice lines billed against these requisitions (by requisition id), oldest first, each with its
    adjustments and its invoice's decision."""
    lines = await conn.fetch(
        "SELECT l.requisition_id, l.invoice_id, i.invoice_number, i.kind, i.supplier_name, i.issue_date, "
        "i.received_at, i.received_by, i.received_by_name, l.position, l.first_night, l.last_night, "
        "l.claimed_nights, l.claimed_amount, l.payable_nights, l.payable_amount, l.status, "
        "i.decision AS invoice_decision FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id "
        "WHERE l.requisition_id = ANY($1::uuid[]) ORDER BY i.received_at, l.position", requisition_ids)
    settlements = await conn.fetch(
        "SELECT invoice_id, position, action, amount, decided_by, decided_by_name, decided_at "
        "FROM invoice_decisions WHERE invoice_id = ANY($1::uuid[]) ORDER BY id",
        list({x["invoice_id"] for x in lines}))
    by_invoice: dict[UUID, list] = {}
    for s in settlements:
        by_invoice.setdefault(s["invoice_id"], []).append(s)
    out: dict[UUID, list[BilledLineView]] = {}
    for x in lines:
        own = tuple(SettlementView(s["position"], s["action"], s["amount"], s["decided_by"], s["decided_by_name"],
                                   s["decided_at"])
                    for s in by_invoice.get(x["invoice_id"], ()) if s["position"] in (None, x["position"]))
        values = {k: v for k, v in dict(x).items() if k != "requisition_id"}
        out.setdefault(x["requisition_id"], []).append(BilledLineView(**values, settlements=own))
    return out
