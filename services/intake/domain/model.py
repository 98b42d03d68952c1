"""Intake's domain: households, applications and decisions. Pure Python: no I/O, no frameworks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID, uuid4


class IntakeError(ValueError):
    """A rule of intake was broken. `field` names the input at fault, for the form or the API answer."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Office:
    id: str
    name: str
    municipality: str
    district: str | None
    requires_second_approval: bool = False


@dataclass
class Household:
    id: UUID
    office_id: str
    applicant_birth_date: date
    children_birth_dates: list[date] = field(default_factory=list)
    adults: int = 1
    needs: dict[str, object] = field(default_factory=dict)


@dataclass
class Application:
    id: UUID
    household_id: UUID
    office_id: str
    received_at: datetime
    channel: str
    urgent: bool
    status: str = "received"  # received -> decided


@dataclass
class Decision:
    id: UUID
    application_id: UUID
    household_id: UUID
    outcome: str  # granted | refused
    period_from: date | None
    period_to: date | None
    decided_at: datetime
    conditions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ApplicationReceived:
    application: Application
    household: Household
    office: Office


@dataclass(frozen=True)
class DecisionMade:
    decision: Decision
    household: Household
    office: Office


def receive_application(*, household: Household, office: Office, received_at: datetime, channel: str,
                        urgent: bool) -> tuple[Application, ApplicationReceived]:
    if household.office_id != office.id:
        raise IntakeError("Husstanden hører til et annet Nav-kontor.", "office_id")
    for child in household.children_birth_dates:
        if child > received_at.date():
            raise IntakeError("Et barns fødselsdato ligger fram i tid.", "children_birth_dates")
    application = Application(uuid4(), household.id, office.id, received_at, channel, urgent)
    return application, ApplicationReceived(application, household, office)


def decide(application: Application, household: Household, office: Office, *, outcome: str,
           period_from: date | None, period_to: date | None, decided_at: datetime,
           conditions: list[str]) -> tuple[Decision, DecisionMade]:
    if application.status != "received":
        raise IntakeError("Søknaden er allerede avgjort.", "application_id")
    if outcome not in ("granted", "refused"):
        raise IntakeError("Utfallet må være innvilget eller avslag.", "outcome")
    if outcome == "granted":
        if period_from is None or period_to is None:
            raise IntakeError("Et innvilget vedtak må ha en periode fra og til.", "period_from")
        if period_to < period_from:
            raise IntakeError("Perioden slutter før den begynner.", "period_to")
    else:
        period_from = period_to = None
    application.status = "decided"
    decision = Decision(uuid4(), application.id, household.id, outcome, period_from, period_to, decided_at,
                        list(conditions))
    return decision, DecisionMade(decision, household, office)
