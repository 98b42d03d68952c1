"""A received invoice as finance settles it: adjust a line, dispute the invoice, approve it.

An invoice is approved when every line is settled (none still disputed). Approval and dispute are final: an
approved invoice never changes; a correction is a new record (a credit note or a new invoice)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from pure.nb_text import count_text, date_text, kr_text
from services.billing.domain.errors import Conflict, NotFound, RuleBroken
from services.billing.domain.invoice import CREDIT_NOTE
from services.billing.domain.limits import text_problem
from services.billing.domain.reconciliation import (
    ADJUSTED,
    CENT,
    DISPUTED,
    MATCHED,
    NIGHTS_NOT_YET_STAYED,
    MatchedLine,
)

MAX_COMMENT = 2000


@dataclass
class InvoiceLine(MatchedLine):
    findings: list[dict] = field(default_factory=list)  # {"code", "message", "nights", "amount"}
    comment: str | None = None

    @property
    def codes(self) -> list[str]:
        return [f["code"] for f in self.findings]


@dataclass
class Invoice:
    id: UUID
    kind: str
    format: str
    supplier_orgnr: str
    supplier_name: str
    invoice_number: str
    issue_date: date
    currency: str
    order_reference: str | None
    line_total: Decimal
    claimed: Decimal
    payable: Decimal
    status: str
    findings: list[dict]
    failed_rules: list[dict]
    received_at: datetime
    received_by: str
    duplicate_of: UUID | None = None
    decision: str | None = None  # None while open; "approved" or "disputed" once finance decided
    decided_at: datetime | None = None
    decided_by: str | None = None
    approved_amount: Decimal | None = None
    comment: str | None = None
    lines: list[InvoiceLine] = field(default_factory=list)
    events: list = field(default_factory=list, repr=False, compare=False)  # recorded, not yet published

    @property
    def codes(self) -> list[str]:
        seen = {f["code"] for f in self.findings} | {c for line in self.lines for c in line.codes}
        return sorted(seen)

    @property
    def open(self) -> bool:
        return self.decision is None

    def line(self, position: int) -> InvoiceLine:
        for line in self.lines:
            if line.position == position:
                return line
        raise NotFound(f"Fakturaen har ingen linje {position}.", field="position")


@dataclass(frozen=True)
class InvoiceReceived:
    invoice: Invoice


@dataclass(frozen=True)
class InvoiceReconciled:
    invoice: Invoice


@dataclass(frozen=True)
class InvoiceApproved:
    invoice: Invoice


def _must_be_open(invoice: Invoice) -> None:
    if invoice.decision == "approved":
        raise Conflict("Fakturaen er godkjent og kan ikke endres. En rettelse registreres som en ny "
                       "faktura eller kreditnota.")
    if invoice.decision == "disputed":
        raise Conflict("Fakturaen er avvist. En rettelse registreres som en ny faktura eller kreditnota.")


def checked_comment(comment: str | None, *, required: bool = True) -> str | None:
    """Finance's reason, trimmed; refused when missing (if required), too long or holding control characters."""
    text = (comment or "").strip()
    if not text:
        if required:
            raise RuleBroken("Skriv en kommentar som begrunner vedtaket.", field="comment")
        return None
    problem = text_problem(text, MAX_COMMENT, multiline=True)
    if problem:
        raise RuleBroken(f"Kommentaren {problem}.", field="comment")
    return text


def _not_yet_passed(line: InvoiceLine, today: date | None) -> int:
    """Nights of a line held back as not yet stayed that have still not passed today."""
    if today is None or NIGHTS_NOT_YET_STAYED not in line.codes or line.first_night is None \
            or line.last_night is None or line.last_night < today:
        return 0
    return (line.last_night - max(line.first_night, today)).days + 1


def _restate(invoice: Invoice) -> None:
    invoice.payable = sum((line.payable_amount for line in invoice.lines), Decimal(0))
    if any(line.status == DISPUTED for line in invoice.lines):
        invoice.status = DISPUTED
    elif any(line.status == ADJUSTED for line in invoice.lines):
        invoice.status = ADJUSTED
    else:
        invoice.status = MATCHED


def adjust_line(invoice: Invoice, position: int, payable_amount: Decimal, comment: str,
                today: date | None = None) -> InvoiceLine:
    """Finance sets what a line pays (at most what was claimed), with the reason. A disputed line so becomes
    settled: adjusted below the claim, matched at it. Nights held back as not yet stayed may be paid only once
    they have passed (`today`, the date in Norway)."""
    _must_be_open(invoice)
    line = invoice.line(position)
    text = checked_comment(comment)
    sign = Decimal(-1) if invoice.kind == CREDIT_NOTE else Decimal(1)
    amount = payable_amount.copy_abs() * sign
    claimed = line.claimed_amount.copy_abs()
    if not payable_amount.is_finite() or payable_amount < 0 or amount.copy_abs() > claimed:
        raise RuleBroken(f"Beløpet må være mellom 0 og det fakturerte ({kr_text(claimed)}).",
                         field="payable_amount")
    if payable_amount != payable_amount.quantize(CENT):
        raise RuleBroken("Beløpet må være i hele øre (høyst to desimaler).", field="payable_amount")
    future = _not_yet_passed(line, today) if sign > 0 else 0
    cap = max(Decimal(0), claimed - line.claimed_price * future).quantize(CENT)
    if future and amount > cap:
        first = max(line.first_night, today)
        raise RuleBroken(f"Linje {position} har {count_text(future, 'natt', 'netter')} som ikke er passert ennå "
                         f"(fra {date_text(first)}); "
                         f"høyst {kr_text(cap)} kan betales nå.", field="payable_amount")
    line.payable_amount = amount.quantize(CENT)
    line.status = ADJUSTED if line.payable_amount.copy_abs() < line.claimed_amount.copy_abs() else MATCHED
    line.comment = text
    _restate(invoice)
    return line


def dispute(invoice: Invoice, comment: str, by: str, now: datetime) -> None:
    """Finance refuses the invoice (back to the supplier): nothing of it is paid, its nights are freed."""
    _must_be_open(invoice)
    invoice.comment = checked_comment(comment)
    invoice.decision, invoice.decided_at, invoice.decided_by = "disputed", now, by
    invoice.status = DISPUTED


def approve(invoice: Invoice, comment: str, by: str, now: datetime) -> InvoiceApproved:
    """Every line settled: what the lines pay is approved for payment, and fixed. With findings on the invoice
    or its lines, a comment is required."""
    _must_be_open(invoice)
    unsettled = [line.position for line in invoice.lines if line.status == DISPUTED]
    if unsettled:
        raise Conflict("Linje " + ", ".join(map(str, unsettled)) + " er omstridt: juster den før "
                       "fakturaen godkjennes.", field="lines")
    # A clean invoice may be approved as it is; one with findings needs the reason it is paid anyway.
    invoice.comment = checked_comment(comment, required=bool(invoice.codes))
    _restate(invoice)
    invoice.decision, invoice.decided_at, invoice.decided_by = "approved", now, by
    invoice.approved_amount = invoice.payable
    event = InvoiceApproved(invoice)
    invoice.events.append(event)
    return event


_MATCHED_FIELDS = [f.name for f in fields(MatchedLine)]


def _finding(f) -> dict:
    return {"code": f.code, "message": f.message, "nights": f.nights, "amount": str(f.amount)}


def record(doc, result, *, invoice_id: UUID, received_at: datetime, received_by: str,
           failed_rules: list[dict], duplicate_of: UUID | None) -> Invoice:
    """The stored invoice: what the supplier sent and what the match said, line by line; it records that it was
    received and reconciled."""
    lines = [InvoiceLine(**{name: getattr(x, name) for name in _MATCHED_FIELDS},
                         findings=[_finding(f) for f in x.findings]) for x in result.lines]
    invoice = Invoice(
        id=invoice_id, kind=doc.kind, format=doc.format, supplier_orgnr=doc.supplier_orgnr,
        supplier_name=doc.supplier_name, invoice_number=doc.number, issue_date=doc.issue_date,
        currency=doc.currency, order_reference=doc.order_reference, line_total=doc.line_total,
        claimed=result.claimed, payable=result.payable, status=result.status,
        findings=[_finding(f) for f in result.findings], failed_rules=failed_rules, received_at=received_at,
        received_by=received_by, duplicate_of=duplicate_of, lines=lines)
    invoice.events += [InvoiceReceived(invoice), InvoiceReconciled(invoice)]
    return invoice
