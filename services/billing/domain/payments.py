"""Payment exports: finance chooses a period, and what was approved in it and not exported before goes out in
one export, marked with its id, so a second download never pays a line twice. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from services.billing.domain.errors import Conflict, RuleBroken

EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True)
class DueLine:
    """An approved invoice line not yet exported. `payable_amount` is what it pays, already negative on a credit
    note; `payable_nights` is never negative, so a credit note's nights count against the others."""

    invoice_id: UUID
    position: int
    kind: str
    payable_amount: Decimal
    supplier_orgnr: str = ""
    supplier_name: str = ""
    invoice_number: str = ""
    issue_date: date | None = None
    approved_at: datetime | None = None
    requisition_number: str | None = None
    office_id: str | None = None
    office_name: str | None = None
    agreement_kind: str | None = None
    first_night: date | None = None
    last_night: date | None = None
    payable_nights: int = 0

    @property
    def nights(self) -> int:
        return -self.payable_nights if self.kind == "credit_note" else self.payable_nights

    @property
    def amount(self) -> Decimal:
        return self.payable_amount


@dataclass(frozen=True)
class PaymentExport:
    id: UUID
    created_at: datetime
    created_by: str
    created_by_name: str | None
    period_from: date
    period_to: date
    lines: int
    total: Decimal


def check_period(period_from: date, period_to: date, today: date) -> None:
    """The approval dates (in Norway) an export covers, both included: from on or before to, neither after
    today (what is approved later belongs to a later export)."""
    if period_from < EARLIEST:
        raise RuleBroken(f"Perioden kan ikke begynne før {EARLIEST:%d.%m.%Y}.", field="period_from")
    if period_to > today:
        raise RuleBroken(f"Perioden kan ikke slutte etter i dag ({today:%d.%m.%Y}).", field="period_to")
    if period_from > period_to:
        raise RuleBroken("Fra-datoen må være før eller lik til-datoen.", field="period_from")


def total_of(lines: list[DueLine]) -> Decimal:
    return sum((x.amount for x in lines), Decimal("0.00"))


def new_export(*, export_id: UUID, lines: list[DueLine], period_from: date, period_to: date, today: date,
               by: str, by_name: str | None, at: datetime) -> PaymentExport:
    """An export of the lines due in the period; refused when the period is wrong or nothing new is due."""
    check_period(period_from, period_to, today)
    if not lines:
        raise Conflict(f"Ingen godkjente fakturalinjer i perioden {period_from:%d.%m.%Y}–{period_to:%d.%m.%Y} "
                       "er ikke eksportert før; det er ingenting nytt å betale.", field="period_from")
    return PaymentExport(export_id, at, by, by_name, period_from, period_to, len(lines), total_of(lines))
