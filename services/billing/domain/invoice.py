"""A supplier invoice or credit note as billing reads it, whatever format it came in (EHF or CSV).
Pure Python: the parsers in adapters/ build these; reconciliation reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
NIGHT_UNIT = "DAY"  # UN/ECE rec. 20: a line in this unit counts nights


@dataclass(frozen=True)
class DocumentLine:
    line_id: str
    quantity: Decimal
    unit_code: str
    unit_price: Decimal
    amount: Decimal
    first_night: date | None = None
    last_night: date | None = None
    reference: str | None = None  # the line's own requisition (EHF OrderLineReference/LineID)
    description: str = ""

    @property
    def period_nights(self) -> int | None:
        if self.first_night is None or self.last_night is None:
            return None
        return (self.last_night - self.first_night).days + 1


@dataclass(frozen=True)
class SupplierDocument:
    """What a supplier sent: an invoice or a credit note, its lines and its stated totals."""

    kind: str  # INVOICE or CREDIT_NOTE
    number: str
    supplier_orgnr: str
    supplier_name: str
    issue_date: date
    currency: str
    lines: tuple[DocumentLine, ...]
    line_total: Decimal  # sum of line amounts as the supplier states it (LineExtensionAmount)
    order_reference: str | None = None  # the one requisition the whole invoice quotes (OrderReference/ID)
    buyer_reference: str | None = None
    first_night: date | None = None  # document-level InvoicePeriod, used by lines without their own
    last_night: date | None = None
    format: str = "ehf"
    problems: tuple[str, ...] = field(default=())  # failed validation rules (schematron ids)
