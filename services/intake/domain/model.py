"""Intake's domain: households and applications, who acts, the audit trail and transfers between offices.
Pure Python: no I/O, no frameworks. Decisions (§ 27) are in `decisions.py`, the offices in `offices.py`.

Personal data (identity number, name, phone, address, free text) lives on these objects in clear only in
memory; the repository encrypts it at rest, and the events carry none of it (see adapters/events.py).
Aggregates record their own domain events in `events`; the unit of work collects them at commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from pure.norway import day_in_norway
from services.intake.domain.errors import Conflict, Forbidden, RuleBroken
from services.intake.domain.offices import Office

CHANNELS = ("in_person", "phone", "provider", "digital")
OPEN_APPLICATION = ("received", "awaiting_approval")
PURPOSE_MAX = 200
OTHER_OFFICE_NB = "Du har bare tilgang til ditt eget Nav-kontor."
KNOWN_ELSEWHERE_NB = (
    "Personen er registrert ved et annet Nav-kontor, så søknaden kan ikke registreres her ennå. Ingenting er "
    "lagret eller endret. Be en leder ved ditt kontor om å overføre husstanden hit (Ny søknad → Overfør "
    "husstand), og registrer søknaden etterpå.")


@dataclass(frozen=True)
class Actor:
    """The person acting; the web layer has checked the role. `office_id` None = not bound to an office
    (admin, the demo loader)."""

    username: str
    role: str
    office_id: str | None

    def may_see(self, office_id: str) -> bool:
        return self.office_id is None or self.office_id == office_id

    def check_office(self, office_id: str) -> None:
        if not self.may_see(office_id):
            raise Forbidden(OTHER_OFFICE_NB)


@dataclass(frozen=True)
class HouseholdDetails:
    """What the case worker registers about the household with each application."""

    name: str = field(repr=False)
    children_birth_dates: tuple[date, ...] = ()
    adults: int = 1
    needs: dict[str, object] = field(default_factory=dict)
    preferred_language: str | None = None
    phone: str | None = field(default=None, repr=False)
    address: str | None = field(default=None, repr=False)
    no_fixed_address: bool = False


@dataclass
class Household:
    id: UUID
    office_id: str
    applicant_birth_date: date
    children_birth_dates: list[date] = field(default_factory=list)
    adults: int = 1
    needs: dict[str, object] = field(default_factory=dict)
    preferred_language: str | None = None
    # Personal data: never printed (repr=False), encrypted by the repository.
    identity_number: str | None = field(default=None, repr=False)
    name: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)
    address: str | None = field(default=None, repr=False)
    no_fixed_address: bool = False
    events: list = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def register(cls, office: Office, identity_number: str, birth_date: date,
                 details: HouseholdDetails) -> Household:
        household = cls(uuid4(), office.id, birth_date, identity_number=identity_number)
        household.update(details, at=office)
        return household

    def update(self, details: HouseholdDetails, *, at: Office) -> None:
        """What the office knows now replaces what it knew. Only the household's own office may change it:
        another office is told to ask for a transfer, and learns nothing of the household."""
        if self.office_id != at.id:
            raise Conflict(KNOWN_ELSEWHERE_NB, "identity_number")
        name = (details.name or "").strip()
        if not name:
            raise RuleBroken("Navn må fylles ut.", "name")
        self.name = name
        self.children_birth_dates = list(details.children_birth_dates)
        self.adults = details.adults
        self.needs = dict(details.needs)
        self.preferred_language = details.preferred_language or None
        self.phone = details.phone or None
        self.no_fixed_address = details.no_fixed_address
        self.address = None if details.no_fixed_address else (details.address or None)


@dataclass
class Application:
    id: UUID
    household_id: UUID
    office_id: str
    received_at: datetime
    channel: str
    urgent: bool
    status: str = "received"  # received -> awaiting_approval -> decided (back to received when returned)
    provider_org_number: str | None = None
    registered_by: str | None = None
    wishes: str | None = field(default=None, repr=False)
    notes: str | None = field(default=None, repr=False)
    events: list = field(default_factory=list, repr=False, compare=False)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPLICATION

    @classmethod
    def receive(cls, *, household: Household, office: Office, received_at: datetime, channel: str, urgent: bool,
                now: datetime, provider_org_number: str | None = None, registered_by: str | None = None,
                wishes: str | None = None, notes: str | None = None) -> Application:
        """A new application; records ApplicationReceived."""
        if household.office_id != office.id:
            raise Conflict(KNOWN_ELSEWHERE_NB, "identity_number")
        if channel not in CHANNELS:
            raise RuleBroken("Ukjent kanal.", "channel")
        if received_at > now + timedelta(minutes=5):
            raise RuleBroken("Mottakstidspunktet ligger fram i tid.", "received_at")
        if channel == "provider" and not provider_org_number:
            raise RuleBroken("Oppgi organisasjonsnummeret til tilbyderen som meldte saken.", "provider_org_number")
        for child in household.children_birth_dates:
            if child > day_in_norway(received_at):
                raise RuleBroken("Et barns fødselsdato ligger fram i tid.", "children_birth_dates")
            if child < household.applicant_birth_date:
                raise RuleBroken("Et barn kan ikke være eldre enn søkeren.", "children_birth_dates")
        application = cls(uuid4(), household.id, office.id, received_at, channel, urgent,
                          provider_org_number=provider_org_number if channel == "provider" else None,
                          registered_by=registered_by, wishes=wishes, notes=notes)
        application.events.append(ApplicationReceived(application, household, office))
        return application


@dataclass(frozen=True)
class ApplicationReceived:
    application: Application
    household: Household
    office: Office


@dataclass(frozen=True)
class AuditEntry:
    """One view or search of a person's data, or a transfer: who, when, which household, what and why."""

    username: str
    role: str
    office_id: str | None
    household_id: UUID | None
    action: str  # search | find | view_case | view_household | view_people | view_letter | transfer
    purpose: str
    at: datetime

    @classmethod
    def of(cls, actor: Actor, *, office_id: str | None, household_id: UUID | None, action: str, purpose: str,
           at: datetime) -> AuditEntry:
        return cls(actor.username, actor.role, office_id, household_id, action, check_purpose(purpose), at)


def check_purpose(purpose: str | None) -> str:
    purpose = (purpose or "").strip()
    if not purpose:
        raise RuleBroken("Oppgi formålet med oppslaget.", "purpose")
    if len(purpose) > PURPOSE_MAX:
        raise RuleBroken(f"Formålet kan være høyst {PURPOSE_MAX} tegn.", "purpose")
    return purpose


@dataclass(frozen=True)
class Transfer:
    """A household moved from one office to another, by a leader of the receiving office (or an admin)."""

    id: UUID
    household_id: UUID
    from_office_id: str
    to_office_id: str
    transferred_by: str
    transferred_at: datetime
    reason: str = field(repr=False)


def transfer(household: Household, to: Office, *, open_at_old_office: bool, by: Actor, at: datetime,
             reason: str | None, from_name: str | None = None) -> tuple[Transfer, list[AuditEntry]]:
    """Move the household to `to`. Refused while the old office still has an open application or a decision
    whose period has not ended: that office finishes its case first. Both offices' audit logs record it, naming
    the offices (`from_name`: the old office's); the old office keeps what it wrote."""
    by.check_office(to.id)
    if household.office_id == to.id:
        raise Conflict("Husstanden hører allerede til dette kontoret.", "identity_number")
    reason = (reason or "").strip()
    if not reason:
        raise RuleBroken("Skriv hvorfor husstanden overføres.", "reason")
    if open_at_old_office:
        raise Conflict("Husstanden har en åpen søknad eller et vedtak som fortsatt gjelder ved kontoret den hører "
                       "til nå, og kan ikke overføres før den saken er avsluttet. Ta kontakt med det kontoret.",
                       "identity_number")
    moved = Transfer(uuid4(), household.id, household.office_id, to.id, by.username, at, reason)
    household.office_id = to.id
    what = f"Overføring av husstanden fra {from_name or moved.from_office_id} til {to.name}"
    entries = [AuditEntry.of(by, office_id=office, household_id=household.id, action="transfer", purpose=what,
                             at=at) for office in (moved.from_office_id, to.id)]
    return moved, entries


def reference_text(year: int, number: int) -> str:
    """The office's own reference for a household: the year the office took its case and its running number at
    the office that year (2026-0042). Each office that takes the case gives its own; it never changes."""
    return f"{year}-{number:04d}"
