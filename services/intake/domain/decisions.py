"""Decisions (vedtak, § 27 of the Social Services Act): granted with a period or refused with a reason, the
warnings of BRIEF §4, the second approval, sending back, and extensions. Pure Python.

Three months (BRIEF §4): families with children and young people (18–24) only exceptionally and never beyond
three months. Refusing would leave a child without a roof, which § 27 forbids, so such a grant is possible,
but never by a case worker alone: a decision or extension that takes such a household past three months in
total waits for a leader of the office (not the one who decided), who approves it with a written
justification that is kept on the decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID, uuid4

from pure.ages import age_on
from pure.norway import day_in_norway
from services.intake.domain.errors import Conflict, RuleBroken
from services.intake.domain.model import Application, Household, Office

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
LEADER_JUSTIFICATION_NB = (
    "Vedtaket gir en familie med barn eller en ung søker (18–24 år) mer enn tre måneder i midlertidig botilbud "
    "til sammen. Det skal bare skje unntaksvis: en leder ved kontoret må godkjenne det med en skriftlig "
    "begrunnelse.")
JUSTIFICATION_MISSING_NB = (
    "Skriv hvorfor familien med barn eller den unge søkeren likevel må bo mer enn tre måneder i midlertidig "
    "botilbud (for eksempel at barna ellers står uten tak over hodet). Begrunnelsen lagres på vedtaket.")


@dataclass(frozen=True)
class WarningRules:
    """The limits behind the warnings at decision time (BRIEF §4); the same settings KOSTRA uses."""

    limit_nights: int = 90
    young_min_age: int = 18
    young_max_age: int = 24
    child_max_age: int = 17


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
class DecisionMade:
    """A decision took effect (after the approval where one is needed)."""

    decision: Decision
    household: Household
    office: Office


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
    leader_justification: str | None = field(default=None, repr=False)
    events: list = field(default_factory=list, repr=False, compare=False)

    @property
    def nights(self) -> int:
        if self.outcome != "granted" or self.period_from is None or self.period_to is None:
            return 0
        return (self.period_to - self.period_from).days + 1

    @property
    def needs_leader_justification(self) -> bool:
        """Past three months in total for a family with children or a young applicant (module doc)."""
        return WARNING_OVER_LIMIT in self.warnings and bool({WARNING_CHILDREN, WARNING_YOUNG} & set(self.warnings))

    def is_current(self, today: date) -> bool:
        """Granted and not yet over (or waiting for its approval): the household is still this office's case."""
        return (self.outcome == "granted" and self.status in ("in_effect", "awaiting_approval")
                and self.period_to is not None and self.period_to >= today)

    def approve(self, application: Application, household: Household, office: Office, *, approved_by: str,
                approved_at: datetime, justification: str | None = None) -> None:
        """The approval by a leader other than the one who decided; the decision takes effect."""
        if self.status != "awaiting_approval":
            raise Conflict("Vedtaket venter ikke på godkjenning.", "decision_id")
        if approved_by == self.decided_by:
            raise Conflict("Vedtaket må godkjennes av en annen enn den som fattet det.", "decision_id")
        text = _text(justification)
        if self.needs_leader_justification and not text:
            raise RuleBroken(JUSTIFICATION_MISSING_NB, "justification")
        self.leader_justification = text
        self.status = "in_effect"
        self.approved_by = approved_by
        self.approved_at = approved_at
        application.status = "decided"
        self.events.append(DecisionMade(self, household, office))

    def return_for_revision(self, application: Application, *, returned_by: str, reason: str | None) -> None:
        """The approver sends the decision back; the application can be decided again."""
        if self.status != "awaiting_approval":
            raise Conflict("Vedtaket venter ikke på godkjenning.", "decision_id")
        if returned_by == self.decided_by:
            raise Conflict("Du kan ikke returnere ditt eget vedtak.", "decision_id")
        reason = _text(reason)
        if not reason:
            raise RuleBroken("Skriv hvorfor vedtaket sendes tilbake.", "reason")
        self.status = "returned"
        self.returned_reason = reason
        self.approved_by = returned_by
        # An extension that is sent back leaves the application decided (the earlier decision still holds).
        application.status = "decided" if self.extends_decision_id else "received"


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


def decide(application: Application, household: Household, office: Office, terms: DecisionTerms, *,
           decided_by: str, decided_at: datetime, earlier_nights: int = 0,
           rules: WarningRules = WarningRules(), decided_on: date | None = None) -> Decision:
    """Decide an application. Where the office requires a second approval, or three months rule needs a
    leader, the decision waits; otherwise it takes effect at once (and records DecisionMade)."""
    if application.status != "received":
        raise Conflict("Søknaden er allerede avgjort eller venter på godkjenning.", "application_id")
    terms = _check_terms(terms)
    warnings = warnings_for(household, terms, earlier_nights=earlier_nights, rules=rules)
    return _new_decision(application, household, office, terms, decided_by=decided_by, decided_at=decided_at,
                         warnings=warnings, extends=None, decided_on=decided_on)


def extend(previous: Decision, application: Application, household: Household, office: Office, *,
           period_to: date | None, conditions: tuple[str, ...], consequence: str | None,
           justification: str | None, decided_by: str, decided_at: datetime, earlier_nights: int,
           already_extended: bool, rules: WarningRules = WarningRules(),
           decided_on: date | None = None) -> Decision:
    """An extension (forlengelse) is a new granted decision that starts the day after the previous period."""
    if previous.outcome != "granted" or previous.status != "in_effect":
        raise Conflict("Bare et innvilget vedtak som har trådt i kraft kan forlenges.", "decision_id")
    if already_extended:
        raise Conflict("Vedtaket er allerede forlenget; forleng det siste vedtaket.", "decision_id")
    if household.office_id != previous.office_id:
        raise Conflict("Husstanden er overført til et annet Nav-kontor; en forlengelse vedtas der.", "decision_id")
    if period_to is None:
        raise RuleBroken("Oppgi ny sluttdato.", "period_to")
    assert previous.period_to is not None
    if period_to <= previous.period_to:
        raise RuleBroken("Ny sluttdato må være etter dagens sluttdato.", "period_to")
    terms = _check_terms(DecisionTerms("granted", previous.period_to + timedelta(days=1), period_to, conditions,
                                       previous.legal_basis, consequence, None, justification))
    warnings = warnings_for(household, terms, earlier_nights=earlier_nights, rules=rules)
    return _new_decision(application, household, office, terms, decided_by=decided_by, decided_at=decided_at,
                         warnings=warnings, extends=previous.id, decided_on=decided_on)


def _check_terms(terms: DecisionTerms) -> DecisionTerms:
    if terms.outcome not in ("granted", "refused"):
        raise RuleBroken("Utfallet må være innvilget eller avslag.", "outcome")
    if not (terms.legal_basis or "").strip():
        raise RuleBroken("Oppgi hjemmel for vedtaket.", "legal_basis")
    unknown = [c for c in terms.conditions if c not in CONDITIONS]
    if unknown:
        raise RuleBroken(f"Ukjent vilkår: {', '.join(unknown)}.", "conditions")
    if terms.outcome == "granted":
        if terms.period_from is None:
            raise RuleBroken("Et innvilget vedtak må ha en periode fra.", "period_from")
        if terms.period_to is None:
            raise RuleBroken("Et innvilget vedtak må ha en periode til.", "period_to")
        if terms.period_to < terms.period_from:
            raise RuleBroken("Perioden slutter før den begynner.", "period_to")
        if (terms.period_to - terms.period_from).days + 1 > MAX_PERIOD_DAYS:
            raise RuleBroken("Perioden kan ikke være lengre enn ett år.", "period_to")
        return DecisionTerms("granted", terms.period_from, terms.period_to, tuple(dict.fromkeys(terms.conditions)),
                             terms.legal_basis.strip(), _text(terms.consequence), None, _text(terms.justification))
    if not (terms.refusal_reason or "").strip():
        raise RuleBroken("Et avslag må begrunnes.", "refusal_reason")
    return DecisionTerms("refused", None, None, (), terms.legal_basis.strip(), None, terms.refusal_reason.strip(),
                         _text(terms.justification))


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _new_decision(application: Application, household: Household, office: Office, terms: DecisionTerms, *,
                  decided_by: str, decided_at: datetime, warnings: list[str], extends: UUID | None,
                  decided_on: date | None) -> Decision:
    """`decided_on` is the decision's date in Norway (the caller's clock); the appeal deadline counts from it."""
    decision = Decision(
        uuid4(), application.id, household.id, office.id, terms.outcome, terms.period_from, terms.period_to,
        decided_at, decided_by, list(terms.conditions), terms.legal_basis, terms.consequence,
        terms.refusal_reason, terms.justification,
        appeal_deadline=(decided_on or day_in_norway(decided_at)) + timedelta(weeks=APPEAL_WEEKS), warnings=warnings,
        extends_decision_id=extends)
    if office.requires_second_approval or decision.needs_leader_justification:
        decision.status = "awaiting_approval"
        application.status = "awaiting_approval"
        return decision
    decision.status = "in_effect"
    application.status = "decided"
    decision.events.append(DecisionMade(decision, household, office))
    return decision
