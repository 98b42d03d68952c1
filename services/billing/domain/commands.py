"""What billing is asked to do: by placement's events (translated in `entrypoints/kafka.py`) and by finance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID


@dataclass(frozen=True)
class IssueRequisition:
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
    persons: int | None = None
    conditions: tuple[str, ...] = ()
    placed_by: str | None = None
    placed_by_name: str | None = None


@dataclass(frozen=True)
class RefusePlacement:
    """A placement billing cannot guarantee (its period or names cannot be stored): the stay is known, without a
    requisition, so its later extension or move-out is no fault."""

    stay_id: UUID
    household_id: UUID
    check_in: date
    reason: str


@dataclass(frozen=True)
class CloseRequisition:
    stay_id: UUID
    check_out: date


@dataclass(frozen=True)
class ExtendRequisition:
    stay_id: UUID
    authorised_to: date
    conditions: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RecordProvider:
    provider_id: UUID
    orgnr: str
    name: str
    agreement_kind: str
    price_per_night: Decimal | None
    fixed_places: int
    email: str | None = None


@dataclass(frozen=True)
class RecordUnit:
    """A unit's full state from placement's unit events (`at`: the event's time; the newest wins)."""

    unit_id: UUID
    provider_id: UUID
    name: str
    address: str
    at: datetime


@dataclass(frozen=True)
class SendRequisitionAgain:
    """A user asks for the requisition to be sent to the provider again."""

    number: str
    by: str


@dataclass(frozen=True)
class SendMailing:
    """The background job sends one mailing that is due."""

    mailing_id: UUID


@dataclass(frozen=True)
class RecordOffice:
    """An office's full state from intake's office events (`at`: the event's time; the newest wins)."""

    office_id: str
    name: str
    municipality: str
    district: str | None
    address: str | None
    phone: str | None
    email: str | None
    closed: bool
    at: datetime


@dataclass(frozen=True)
class ImportDocuments:
    data: bytes
    filename: str
    content_type: str
    received_by: str
    received_by_name: str | None = None


@dataclass(frozen=True)
class AdjustLine:
    invoice_id: UUID
    position: int
    payable_amount: Decimal
    comment: str
    by: str
    by_name: str | None = None


@dataclass(frozen=True)
class ApproveInvoice:
    invoice_id: UUID
    comment: str
    by: str
    by_name: str | None = None


@dataclass(frozen=True)
class DisputeInvoice:
    invoice_id: UUID
    comment: str
    by: str
    by_name: str | None = None


@dataclass(frozen=True)
class CreatePaymentExport:
    """Finance exports for payment what was approved in the period (approval dates in Norway, both included)
    and not exported before."""

    period_from: date
    period_to: date
    by: str
    by_name: str | None = None
