"""What intake is asked to do: one command per use case, each handled by one handler through the bus.
Reads of a person's data are commands too, because each writes its audit entry. `at` None = now (the
handler's clock); the demo loader gives its own times."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from services.intake.domain.decisions import DecisionTerms
from services.intake.domain.model import Actor, HouseholdDetails
from services.intake.domain.offices import OfficeDetails


@dataclass(frozen=True)
class ReceiveApplication:
    actor: Actor
    identity_number: str = field(repr=False)
    office_id: str
    details: HouseholdDetails
    received_at: datetime | None = None
    channel: str = "in_person"
    urgent: bool = False
    provider_org_number: str | None = None
    wishes: str | None = field(default=None, repr=False)
    notes: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class LookupHousehold:
    actor: Actor
    identity_number: str = field(repr=False)
    purpose: str


@dataclass(frozen=True)
class ViewHousehold:
    actor: Actor
    household_id: UUID
    purpose: str


@dataclass(frozen=True)
class ViewCase:
    actor: Actor
    application_id: UUID
    purpose: str


@dataclass(frozen=True)
class ViewPeople:
    """Who these households are, for a page or document of another service (or intake's own list)."""

    actor: Actor
    household_ids: tuple[UUID, ...]
    purpose: str


@dataclass(frozen=True)
class ViewDecisionLetter:
    """The decision letter (vedtaksbrev) of a decision that has taken effect."""

    actor: Actor
    decision_id: UUID


@dataclass(frozen=True)
class TransferHousehold:
    actor: Actor
    identity_number: str = field(repr=False)
    to_office_id: str | None
    reason: str = field(repr=False)


@dataclass(frozen=True)
class MakeDecision:
    actor: Actor
    application_id: UUID
    terms: DecisionTerms
    at: datetime | None = None


@dataclass(frozen=True)
class ExtendDecision:
    actor: Actor
    decision_id: UUID
    period_to: date | None
    conditions: tuple[str, ...] = ()
    consequence: str | None = None
    justification: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class ApproveDecision:
    actor: Actor
    decision_id: UUID
    justification: str | None = field(default=None, repr=False)
    at: datetime | None = None


@dataclass(frozen=True)
class ReturnDecision:
    actor: Actor
    decision_id: UUID
    reason: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class RotateEncryptionKeys:
    """Re-encrypt all personal data with the newest key."""


# -- the office registry (admin) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterOffice:
    actor: Actor
    details: OfficeDetails


@dataclass(frozen=True)
class ChangeOffice:
    actor: Actor
    office_id: str
    details: OfficeDetails


@dataclass(frozen=True)
class CloseOffice:
    actor: Actor
    office_id: str


@dataclass(frozen=True)
class ImportOffices:
    """The rows of an offices file, each with its line number (the header is line 1)."""

    actor: Actor
    rows: tuple[tuple[int, dict], ...]
    partial: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class SearchHouseholds:
    """Find the actor's office's households by name, identity number or the office's reference (one box)."""

    actor: Actor
    query: str = field(repr=False)
    purpose: str = "Søk"
