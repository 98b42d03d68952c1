"""Placement's commands: what a case worker, an office leader, an incoming event or a background job asks for.
Each has one handler (`service_layer/handlers.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID


@dataclass(frozen=True)
class RecordDecision:
    """Intake's decision (DecisionMade), kept as placement's copy."""
    decision_id: UUID
    household_id: UUID
    office_id: str
    municipality: str
    district: str | None
    outcome: str
    period_from: date | None
    period_to: date | None
    household: dict
    extends_decision_id: UUID | None = None
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlaceHousehold:
    decision_id: UUID
    unit_id: UUID
    check_in: date
    justification: str | None = None
    night_shelter: bool = False
    by: str | None = None  # the case worker's username and name (the requisition's contact person)
    by_name: str | None = None


@dataclass(frozen=True)
class ExtendStay:
    stay_id: UUID
    decision_id: UUID
    by: str | None = None
    by_name: str | None = None


@dataclass(frozen=True)
class MoveToOtherProvider:
    stay_id: UUID
    unit_id: UUID
    moved_on: date
    justification: str | None = None
    by: str | None = None
    by_name: str | None = None


@dataclass(frozen=True)
class MoveOut:
    """Check-out today or earlier: the household moves out now; a later date plans the move-out (or changes the
    plan)."""
    stay_id: UUID
    check_out: date
    destination: str
    by: str | None = None
    by_name: str | None = None


@dataclass(frozen=True)
class CancelPlannedMoveOut:
    stay_id: UUID
    by: str | None = None
    by_name: str | None = None


@dataclass(frozen=True)
class CarryOutPlannedMoveOut:
    """The background job's: a planned move-out whose day has come happens (check-out on the planned date)."""
    stay_id: UUID


@dataclass(frozen=True)
class RegisterProvider:
    name: str
    orgnr: str
    kind: str
    municipality: str
    district: str | None
    address: str
    accommodation: str
    agreement_kind: str = "none"
    price_per_night: Decimal | None = None
    fixed_places: int = 0
    valid_from: date | None = None
    valid_to: date | None = None
    target_groups: tuple[str, ...] = ()
    sex: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    substance_free: bool = False
    email: str | None = None


@dataclass(frozen=True)
class ChangeProvider:
    provider_id: UUID
    details: RegisterProvider


@dataclass(frozen=True)
class RegisterUnit:
    provider_id: UUID
    name: str
    beds: int
    address: str | None = None
    facilities: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ChangeUnit:
    unit_id: UUID
    name: str | None = None
    beds: int | None = None
    facilities: dict | None = None
    address: str | None = None


@dataclass(frozen=True)
class RecordInspection:
    provider_id: UUID
    inspected_on: date
    result: str
    next_due: date
    checklist: dict = field(default_factory=dict)


@dataclass(frozen=True)
class LoadReferenceProviders:
    """The demo data's providers, units and inspections, into an empty database (once)."""
    reference: dict


@dataclass(frozen=True)
class ImportStays:
    """Stay history rows (line number, row as read from the CSV) to check and, unless `dry_run`, write."""
    rows: tuple[tuple[int, dict], ...]
    partial: bool = False
    dry_run: bool = False
    only_office: str | None = None  # an office leader imports their own office's rows only


@dataclass(frozen=True)
class ImportProviders:
    """Providers, agreements and units rows (line number, row as read from the CSV) to check and, unless
    `dry_run`, register or change through the same use cases as the provider's page."""
    rows: tuple[tuple[int, dict], ...]
    partial: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class StartImportRun:
    """A whole stay history file checked once (as a dry run checks it); unless refused, a run is recorded whose
    stays a background writer then writes in chunks (`WriteImportRun`), its progress readable by every process."""
    run_id: UUID
    rows: tuple[tuple[int, dict], ...]
    partial: bool = False
    only_office: str | None = None
    file_name: str = ""


@dataclass(frozen=True)
class WriteImportRun:
    """A chunk of a run's checked stays (history.ImportedStay), checked again against what placement holds now
    (stays written since, units taken since) and written with their events; the run's progress in the same
    transaction."""
    run_id: UUID
    stays: tuple
    partial: bool = False


@dataclass(frozen=True)
class FinishImportRun:
    run_id: UUID
    error: str | None = None  # why it stopped (None: done)


@dataclass(frozen=True)
class MarkSeen:
    """A leader of the office has seen a placement or extension in the leader's queue (who and when is kept)."""
    item_id: UUID
    office_id: str
    by: str
    by_name: str | None = None
