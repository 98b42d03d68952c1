"""What stats records: one command per event it projects. Each carries the id and time of the event that
caused it (`event_id`, `event_time`): the id for the inbox, the time (with the id as tie-break) to let the
newest full state win whatever order the events arrive in. Then the steps of a rebuild."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID


@dataclass(frozen=True)
class Command:
    event_id: UUID
    event_time: datetime


@dataclass(frozen=True)
class RecordApplication(Command):
    application_id: UUID
    household_id: UUID
    office_id: str
    municipality: str
    district: str | None
    received_at: datetime
    channel: str
    urgent: bool
    adults: int
    children: int


@dataclass(frozen=True)
class RecordDecision(Command):
    decision_id: UUID
    application_id: UUID
    household_id: UUID
    office_id: str
    municipality: str
    district: str | None
    outcome: str
    period_from: date | None
    period_to: date | None
    decided_at: datetime
    extends_decision_id: UUID | None


@dataclass(frozen=True)
class RecordOffice(Command):
    """Registered, changed or closed: the office's full state."""

    office_id: str
    name: str
    municipality: str
    district: str | None
    closed: bool


@dataclass(frozen=True)
class RecordProvider(Command):
    """Registered or changed: the provider's full state."""

    provider_id: UUID
    name: str
    orgnr: str
    kind: str
    municipality: str
    district: str | None
    accommodation: str
    agreement_kind: str
    price_per_night: Decimal | None
    fixed_places: int


@dataclass(frozen=True)
class RecordUnit(Command):
    """Registered or changed: the unit's full state."""

    unit_id: UUID
    provider_id: UUID
    name: str
    beds: int
    address: str


@dataclass(frozen=True)
class RecordCapacity(Command):
    unit_id: UUID
    provider_id: UUID
    beds: int
    occupied: int
    municipality: str
    changed_at: datetime


@dataclass(frozen=True)
class RecordStayStarted(Command):
    stay_id: UUID
    household_id: UUID
    office_id: str
    municipality: str
    district: str | None
    accommodation: str
    agreement_kind: str
    provider_id: UUID
    check_in: date
    applicant_birth_date: date
    children_birth_dates: tuple[date, ...]
    unit_id: UUID | None = None
    decision_id: UUID | None = None
    provider_name: str = ""
    price_per_night: Decimal | None = None
    authorised_to: date | None = None
    adults: int = 1
    justified: bool = False


@dataclass(frozen=True)
class RecordStayExtended(Command):
    stay_id: UUID
    household_id: UUID
    authorised_to: date


@dataclass(frozen=True)
class RecordStayEnded(Command):
    stay_id: UUID
    household_id: UUID
    check_out: date
    destination: str


@dataclass(frozen=True)
class RecordRequisitionIssued(Command):
    requisition_id: UUID
    number: str
    stay_id: UUID
    household_id: UUID
    office_id: str
    provider_id: UUID
    agreement_kind: str
    period_from: date
    period_to: date
    price_per_night: Decimal
    max_amount: Decimal


@dataclass(frozen=True)
class RecordRequisitionClosed(Command):
    requisition_id: UUID
    closed_from: date
    reason: str


@dataclass(frozen=True)
class RecordInvoiceReceived(Command):
    invoice_id: UUID
    kind: str
    supplier_orgnr: str
    invoice_number: str
    issue_date: date
    total: Decimal
    lines: int


@dataclass(frozen=True)
class RecordInvoiceReconciled(Command):
    invoice_id: UUID
    status: str
    claimed: Decimal
    payable: Decimal


@dataclass(frozen=True)
class RecordInvoiceApproved(Command):
    invoice_id: UUID
    provider_id: UUID | None
    supplier_orgnr: str
    agreement_kind: str | None
    approved_amount: Decimal
    approved_at: datetime


# -- a rebuild, step by step (each step one transaction; see service_layer/rebuild.py) -----------------------


@dataclass(frozen=True)
class BeginRebuild:
    """Make empty projections aside; from now on the live consumer writes there too."""

    rebuild_id: UUID


@dataclass(frozen=True)
class ProjectReplayed:
    """A batch of events read back from the log, into the projections being built."""

    events: tuple[Command, ...]


@dataclass(frozen=True)
class FinishRebuild:
    """Swap the new projections in if they hold every event the current ones hold; else throw them away."""

    rebuild_id: UUID
    events_read: int


@dataclass(frozen=True)
class AbandonRebuild:
    """The rebuild failed on the way: throw away what it built."""

    rebuild_id: UUID
    reason: str
