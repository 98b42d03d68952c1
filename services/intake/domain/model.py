"""Intake's domain: households, applications and decisions (§ 27). Pure Python: no I/O, no frameworks.

Personal data (identity number, name, phone, address, free text) lives on these objects in clear only in
memory; the repository encrypts it at rest, and the events carry none of it (see adapters/events.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from services.intake.domain.errors import IntakeError

__all__ = ["IntakeError"]

CHANNELS = ("in_person", "phone", "provider", "digital")
CONDITIONS = ("boligskole", "boliglogg", "other_activity")
LEGAL_BASIS = "Sosialtjenesteloven § 27"
APPEAL_WEEKS = 3
MAX_PERIOD_DAYS = 366

WARNING_OVER_LIMIT = "over_three_months"
WARNING_CHILDREN = "children"
WARNING_YOUNG = "young_applicant"
WARNING_TEXTS_NB = {
    WARNING_OVER_LIMIT: "Perioden gjør at husstanden til sammen får mer enn tre måneder i midlertidig botilbud.",
    WARNING_CHILDREN: "Husstanden har barn: midlertidig botilbud bare unntaksvis, og aldri over tre måneder.",
    WARNING_YOUNG: "Søkeren er ung (18–24 år): midlertidig botilbud bare unntaksvis, og aldri over tre måneder.",
}


@dataclass(frozen=True)
class Office:
    id: str
    name: str
    municipality: str
    district: str | None
    requires_second_approval: bool = False


@dataclass(frozen=True)
class WarningRules:
    """The limits behind the warnings at decision time (BRIEF §4); the same settings KOSTRA uses."""

    limit_nights: int = 90
    young_min_age: int = 18
    young_max_age: int = 24
    child_max_age: int = 17


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


@dataclass
class Decision:
    id: UUID
    application_id: UUID
    household_id: UUID
    office_id: str
    outcome: str  # granted | refused
    period_from: date | None
    period_to: date | None
    decided_at: datetime
    decided_by: str
    conditions: list[str] = field(default_factory=list)
    legal_basis: str = LEGAL_BASIS
    consequence: str | None = field(default=None, repr=False)
    refusal_reason: str | None = field(default=None, repr=False)
    justification: str | None = field(default=None, repr=False)
    appeal_deadline: date | None = None
    warnings: list[str] = field(default_factory=list)
    status: str = "in_effect"  # awaiting_approval -> in_effect | returned
    approved_by: str | None = None
    approved_at: datetime | None = None
    returned_reason: str | None = field(default=None, repr=False)
    extends_decision_id: UUID | None = None

    @property
    def nights(self) -> int:
        if self.outcome != "granted" or self.period_from is None or self.period_to is None:
            return 0
        return (self.period_to - self.period_from).days + 1


@dataclass(frozen=True)
class DecisionTerms:
    """What the case worker decides; the same for a first decision and an extension."""

    outcome: str
    period_from: date | None
    period_to: date | None
    conditions: tuple[str, ...] = ()
    legal_basis: str = LEGAL_BASIS
    consequence: str | None = None
    refusal_reason: str | None = None
    justification: str | None = None


@dataclass(frozen=True)
class ApplicationReceived:
    application: Application
    household: Household
    office: Office


@dataclass(frozen=True)
class DecisionMade:
    """A decision took effect (after the second approval where the office requires one)."""

    decision: Decision
    household: Household
    office: Office


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def receive_application(*, household: Household, office: Office, received_at: datetime, channel: str,
                        urgent: bool, now: datetime, provider_org_number: str | None = None,
                        registered_by: str | None = None, wishes: str | None = None,
                        notes: str | None = None) -> tuple[Application, ApplicationReceived]:
    if household.office_id != office.id:
        raise IntakeError("Husstanden hører til et annet Nav-kontor.", "office_id", 403)
    if channel not in CHANNELS:
        raise IntakeError("Ukjent kanal.", "channel")
    if received_at > now + timedelta(minutes=5):
        raise IntakeError("Mottakstidspunktet ligger fram i tid.", "received_at")
    if channel == "provider" and not provider_org_number:
        raise IntakeError("Oppgi organisasjonsnummeret til tilbyderen som meldte saken.", "provider_org_number")
    for child in household.children_birth_dates:
        if child > received_at.date():
            raise IntakeError("Et barns fødselsdato ligger fram i tid.", "children_birth_dates")
        if child < household.applicant_birth_date:
            raise IntakeError("Et barn kan ikke være eldre enn søkeren.", "children_birth_dates")
    application = Application(uuid4(), household.id, office.id, received_at, channel, urgent,
                              provider_org_number=provider_org_number if channel == "provider" else None,
                              registered_by=registered_by, wishes=wishes, notes=notes)
    return application, ApplicationReceived(application, household, office)


def warnings_for(household: Household, terms: DecisionTerms, *, earlier_nights: int,
                 rules: WarningRules) -> list[str]:
    """BRIEF §4: warn when the total passes three months, when there are children, or a young applicant."""
    if terms.outcome != "granted" or terms.period_from is None or terms.period_to is None:
        return []
    start = terms.period_from
    found = []
    if earlier_nights + (terms.period_to - start).days + 1 > rules.limit_nights:
        found.append(WARNING_OVER_LIMIT)
    if any(age_on(c, start) <= rules.child_max_age for c in household.children_birth_dates):
        found.append(WARNING_CHILDREN)
    if rules.young_min_age <= age_on(household.applicant_birth_date, start) <= rules.young_max_age:
        found.append(WARNING_YOUNG)
    return found


def _check_terms(terms: DecisionTerms) -> DecisionTerms:
    if terms.outcome not in ("granted", "refused"):
        raise IntakeError("Utfallet må være innvilget eller avslag.", "outcome")
    if not (terms.legal_basis or "").strip():
        raise IntakeError("Oppgi hjemmel for vedtaket.", "legal_basis")
    unknown = [c for c in terms.conditions if c not in CONDITIONS]
    if unknown:
        raise IntakeError(f"Ukjent vilkår: {', '.join(unknown)}.", "conditions")
    if terms.outcome == "granted":
        if terms.period_from is None:
            raise IntakeError("Et innvilget vedtak må ha en periode fra.", "period_from")
        if terms.period_to is None:
            raise IntakeError("Et innvilget vedtak må ha en periode til.", "period_to")
        if terms.period_to < terms.period_from:
            raise IntakeError("Perioden slutter før den begynner.", "period_to")
        if (terms.period_to - terms.period_from).days + 1 > MAX_PERIOD_DAYS:
            raise IntakeError("Perioden kan ikke være lengre enn ett år.", "period_to")
        return DecisionTerms("granted", terms.period_from, terms.period_to, tuple(dict.fromkeys(terms.conditions)),
                             terms.legal_basis.strip(), _text(terms.consequence), None, _text(terms.justification))
    if not (terms.refusal_reason or "").strip():
        raise IntakeError("Et avslag må begrunnes.", "refusal_reason")
    return DecisionTerms("refused", None, None, (), terms.legal_basis.strip(), None, terms.refusal_reason.strip(),
                         _text(terms.justification))


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _new_decision(application: Application, household: Household, office: Office, terms: DecisionTerms, *,
                  decided_by: str, decided_at: datetime, warnings: list[str],
                  extends: UUID | None) -> tuple[Decision, list[DecisionMade]]:
    decision = Decision(
        uuid4(), application.id, household.id, office.id, terms.outcome, terms.period_from, terms.period_to,
        decided_at, decided_by, list(terms.conditions), terms.legal_basis, terms.consequence,
        terms.refusal_reason, terms.justification,
        appeal_deadline=decided_at.date() + timedelta(weeks=APPEAL_WEEKS), warnings=warnings,
        extends_decision_id=extends)
    if office.requires_second_approval:
        decision.status = "awaiting_approval"
        application.status = "awaiting_approval"
        return decision, []
    decision.status = "in_effect"
    application.status = "decided"
    return decision, [DecisionMade(decision, household, office)]


def decide(application: Application, household: Household, office: Office, terms: DecisionTerms, *,
           decided_by: str, decided_at: datetime, earlier_nights: int = 0,
           rules: WarningRules = WarningRules()) -> tuple[Decision, list[DecisionMade]]:
    """Decide an application. Where the office requires a second approval the decision waits for it and
    no event is raised yet; otherwise it takes effect at once."""
    if application.status != "received":
        raise IntakeError("Søknaden er allerede avgjort eller venter på godkjenning.", "application_id", 409)
    terms = _check_terms(terms)
    warnings = warnings_for(household, terms, earlier_nights=earlier_nights, rules=rules)
    return _new_decision(application, household, office, terms, decided_by=decided_by, decided_at=decided_at,
                         warnings=warnings, extends=None)


def extend(previous: Decision, application: Application, household: Household, office: Office, *,
           period_to: date | None, conditions: tuple[str, ...], consequence: str | None,
           justification: str | None, decided_by: str, decided_at: datetime, earlier_nights: int,
           already_extended: bool, rules: WarningRules = WarningRules()) -> tuple[Decision, list[DecisionMade]]:
    """An extension (forlengelse) is a new granted decision that starts the day after the previous period."""
    if previous.outcome != "granted" or previous.status != "in_effect":
        raise IntakeError("Bare et innvilget vedtak som har trådt i kraft kan forlenges.", "decision_id", 409)
    if already_extended:
        raise IntakeError("Vedtaket er allerede forlenget; forleng det siste vedtaket.", "decision_id", 409)
    if period_to is None:
        raise IntakeError("Oppgi ny sluttdato.", "period_to")
    assert previous.period_to is not None
    if period_to <= previous.period_to:
        raise IntakeError("Ny sluttdato må være etter dagens sluttdato.", "period_to")
    terms = _check_terms(DecisionTerms("granted", previous.period_to + timedelta(days=1), period_to, conditions,
                                       previous.legal_basis, consequence, None, justification))
    warnings = warnings_for(household, terms, earlier_nights=earlier_nights, rules=rules)
    return _new_decision(application, household, office, terms, decided_by=decided_by, decided_at=decided_at,
                         warnings=warnings, extends=previous.id)


def approve(decision: Decision, application: Application, household: Household, office: Office, *,
            approved_by: str, approved_at: datetime) -> list[DecisionMade]:
    """The second approval (to-trinns godkjenning): another person than the one who decided."""
    if decision.status != "awaiting_approval":
        raise IntakeError("Vedtaket venter ikke på godkjenning.", "decision_id", 409)
    if approved_by == decision.decided_by:
        raise IntakeError("Vedtaket må godkjennes av en annen enn den som fattet det.", "decision_id", 409)
    decision.status = "in_effect"
    decision.approved_by = approved_by
    decision.approved_at = approved_at
    application.status = "decided"
    return [DecisionMade(decision, household, office)]


def return_for_revision(decision: Decision, application: Application, *, returned_by: str,
                        reason: str | None) -> None:
    """The approver sends the decision back; the application can be decided again."""
    if decision.status != "awaiting_approval":
        raise IntakeError("Vedtaket venter ikke på godkjenning.", "decision_id", 409)
    if returned_by == decision.decided_by:
        raise IntakeError("Du kan ikke returnere ditt eget vedtak.", "decision_id", 409)
    if not (reason or "").strip():
        raise IntakeError("Skriv hvorfor vedtaket sendes tilbake.", "reason")
    decision.status = "returned"
    decision.returned_reason = reason.strip()
    decision.approved_by = returned_by
    # An extension that is sent back leaves the application decided (the earlier decision still holds).
    application.status = "decided" if decision.extends_decision_id else "received"
