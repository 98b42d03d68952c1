from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID


@dataclass(frozen=True)
class IssueRequisition:
    event_id: UUID
    stay_id: UUID
    household_id: UUID
    office_id: str
    provider_id: UUID
    provider_name: str
    provider_orgnr: str
    unit_id: UUID
    agreement_kind: str
    check_in: date
    authorised_to: date
    price_per_night: Decimal
    imported: bool = False
    imported_on: date | None = None
    imported_check_out: date | None = None


@dataclass(frozen=True)
class CloseRequisition:
    event_id: UUID
    stay_id: UUID
    check_out: date


@dataclass(frozen=True)
class ExtendRequisition:
    event_id: UUID
    stay_id: UUID
    authorised_to: date


@dataclass(frozen=True)
class RecordProvider:
    event_id: UUID
    provider_id: UUID
    orgnr: str
    name: str
    agreement_kind: str
    price_per_night: Decimal | None
    fixed_places: int


@dataclass(frozen=True)
class ImportDocuments:
    data: bytes
    filename: str
    content_type: str
    received_by: str


@dataclass(frozen=True)
class AdjustLine:
    invoice_id: UUID
    position: int
    payable_amount: Decimal
    comment: str
    by: str


@dataclass(frozen=True)
class DecideInvoice:
    invoice_id: UUID
    action: str  # "approve" or "dispute"
    comment: str
    by: str
