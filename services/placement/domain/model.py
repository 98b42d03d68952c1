"""Placement's domain: granted decisions and stays, the stay's life cycle and its rules. Pure Python: no I/O,
no frameworks. Providers and units live in `providers` (and are reachable from here too).

Capacity is counted in households, not beds: a unit (enhet/plass/hybel) takes one household at a time, and
its `beds` say how many persons that household may have. A family of four in a four-bed flat fills the unit;
a single person in a two-bed hotel room fills it too (nobody else is placed in that room).

A stay is an aggregate: it records its own domain events (`record`), which the unit of work collects at
commit."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID, uuid4

from pure.ages import age_on
from pure.nb_text import date_text
from services.placement.domain import events as ev
from services.placement.domain.errors import Conflict, PlacementError, RuleBroken  # noqa: F401 - the base, here too
from services.placement.domain.events import Aggregate, recorded
from services.placement.domain.providers import (  # noqa: F401 - the domain's names, reachable from here
    ACCOMMODATIONS,
    AGREEMENT_KINDS,
    CHECKLIST_KEY,
    EMAIL_MAX_LENGTH,
    INSPECTION_RESULTS,
    KITCHENS,
    MAX_CHECKLIST_ITEMS,
    PROVIDER_KINDS,
    SEX_LIMITS,
    STAFFED_HOURS_MAX_LENGTH,
    TARGET_GROUPS,
    Agreement,
    Inspection,
    Limits,
    Provider,
    Unit,
    check_beds,
    check_facilities,
    checked_provider,
    new_inspection,
    new_provider,
    new_unit,
)
from services.placement.domain.values import check_text

MOVED_TO_OTHER_PROVIDER = "moved_to_other_provider"
MOVE_OUT_DESTINATIONS = ("municipal_rental", "private_rental", "own_home", "institution", "other_municipality",
                         "other", "unknown")
DESTINATIONS = (*MOVE_OUT_DESTINATIONS, MOVED_TO_OTHER_PROVIDER)
JUSTIFICATION_MAX_LENGTH = 2000
STAY_ACTIONS = ("placed", "extended", "moved", "move_out_planned", "planned_move_out_cancelled", "moved_out")

# BRIEF §4 and §5: named, documented limits.
THREE_MONTHS_NIGHTS = 90
NEAR_THREE_MONTHS_NIGHTS = 76  # two weeks before the limit: the office should act now
YOUNG_AGES = (18, 24)
CHILD_AGE = 18


@dataclass(frozen=True)
class HouseholdFacts:
    applicant_birth_date: date
    children_birth_dates: tuple[date, ...]
    adults: int
    needs: dict[str, object]

    def age_on(self, day: date) -> int:
        return age_on(self.applicant_birth_date, day)

    def children_on(self, day: date) -> int:
        return sum(1 for c in self.children_birth_dates
                   if c <= day and age_on(c, day) < CHILD_AGE)

    def persons_on(self, day: date) -> int:
        return self.adults + self.children_on(day)

    def young_on(self, day: date) -> bool:
        return YOUNG_AGES[0] <= self.age_on(day) <= YOUNG_AGES[1]

    @property
    def substance_group(self) -> bool:
        """In the substance-use / low-boevne group (Stavanger's delkontrakt 1)."""
        return bool(self.needs.get("substance_use") or self.needs.get("low_boevne"))

    def target_groups_on(self, day: date) -> set[str]:
        groups = set()
        if self.children_on(day):
            groups.add("families")
        elif not self.substance_group:
            groups.add("singles_couples")
        if self.young_on(day):
            groups.add("young")
        if self.needs.get("substance_use"):
            groups.add("substance_use")
        if self.substance_group:
            groups.add("substance_use_low_boevne")
        return groups


@dataclass
class GrantedDecision:
    decision_id: UUID
    household_id: UUID
    office_id: str
    municipality: str
    district: str | None
    outcome: str
    period_from: date | None
    period_to: date | None
    household: HouseholdFacts
    extends_decision_id: UUID | None = None
    conditions: tuple[str, ...] = ()


@dataclass
class Stay(Aggregate):
    id: UUID
    household_id: UUID
    decision_id: UUID
    unit_id: UUID
    provider_id: UUID
    check_in: date
    authorised_to: date
    check_out: date | None = None
    destination: str | None = None
    justification: str | None = None  # free text: stays in placement, never in an event or a log
    office_id: str = ""
    municipality: str = ""
    substance_group: bool = False
    moved_from_stay_id: UUID | None = None
    warnings: tuple[str, ...] = ()
    justified_rules: tuple[str, ...] = ()  # the soft rules the justification covers (the match's flags)
    planned_check_out: date | None = None  # a move-out registered ahead of its day (BRIEF §4: planned)
    planned_destination: str | None = None
    placed_by: str | None = None  # the case worker (username, and name as the login gives it)
    placed_by_name: str | None = None
    events: list[object] = recorded()

    def nights_until(self, day: date) -> int:
        """Nights stayed up to `day` (exclusive), or to check-out when that came first."""
        end = min(self.check_out, day) if self.check_out else day
        return max(0, (end - self.check_in).days)

    def extend(self, new: GrantedDecision, *, at: datetime, earlier_nights: int = 0) -> ev.StayExtended:
        """Follow a new decision period (forlengelse)."""
        if self.check_out is not None:
            raise Conflict("Oppholdet er avsluttet og kan ikke forlenges.", "stay_id")
        if new.household_id != self.household_id:
            raise RuleBroken("Vedtaket gjelder en annen husstand.", "decision_id")
        if new.outcome != "granted" or new.period_to is None:
            raise RuleBroken("Vedtaket er ikke innvilget; oppholdet kan ikke forlenges.", "decision_id")
        if new.period_to <= self.authorised_to:
            raise RuleBroken("Det nye vedtaket går ikke lenger enn dagens periode "
                             f"(til {date_text(self.authorised_to)}).", "decision_id")
        previous = self.authorised_to
        self.decision_id = new.decision_id
        self.authorised_to = new.period_to
        self.warnings = stay_warnings(new.household, check_in=self.check_in, authorised_to=self.authorised_to,
                                      earlier_nights=earlier_nights)
        event = ev.StayExtended(replace(self), previous, at, tuple(new.conditions))
        self.record(event)
        return event

    def register_move_out(self, *, check_out: date, destination: str, today: date, provider: Provider,
                          unit: Unit, households_left: int, at: datetime) -> bool:
        """A check-out today or earlier moves the household out now. A later one is planned (BRIEF §4): the
        unit stays taken and the stay open until that day, when `carry_out_planned_move_out` does it.
        Registering again changes the plan. True when the move-out was planned."""
        if check_out > today:
            self.plan_move_out(check_out=check_out, destination=destination, today=today)
            return True
        self._check_leaving(check_out, destination, "check_out")
        self._leave(check_out, destination, provider, unit, households_left, at)
        return False

    def plan_move_out(self, *, check_out: date, destination: str, today: date) -> None:
        self._check_leaving(check_out, destination, "check_out")
        if check_out <= today:
            raise RuleBroken("En planlagt utflytting må ha en dato etter i dag.", "check_out")
        self.planned_check_out, self.planned_destination = check_out, destination

    def cancel_planned_move_out(self) -> None:
        if self.check_out is not None:
            raise Conflict("Husstanden er allerede flyttet ut.", "stay_id")
        if self.planned_check_out is None:
            raise Conflict("Oppholdet har ingen planlagt utflytting.", "stay_id")
        self.planned_check_out = self.planned_destination = None

    def planned_move_out_due(self, today: date) -> bool:
        return self.check_out is None and self.planned_check_out is not None and self.planned_check_out <= today

    def carry_out_planned_move_out(self, *, today: date, provider: Provider, unit: Unit, households_left: int,
                                   at: datetime) -> bool:
        """On (or after) its day a planned move-out happens, with check-out on the planned date. False when
        there is nothing (or not yet anything) to do."""
        if not self.planned_move_out_due(today):
            return False
        self._leave(self.planned_check_out, self.planned_destination, provider, unit, households_left, at)
        return True

    def leave_for_other_unit(self, *, moved_on: date, today: date, provider: Provider, unit: Unit,
                             households_left: int, at: datetime) -> None:
        """The first half of a move: this stay ends on the day the new one begins."""
        if self.check_out is not None:
            raise Conflict("Husstanden er allerede flyttet ut.", "stay_id")
        if not self.check_in < moved_on <= self.authorised_to:
            raise RuleBroken(f"Flyttedatoen må være etter innflyttingen ({date_text(self.check_in)}) og innen "
                             f"vedtaksperioden (til {date_text(self.authorised_to)}).", "moved_on")
        if moved_on > today:
            raise RuleBroken("En flytting til en annen enhet registreres på flyttedagen (eller etterpå), ikke på "
                             "forhånd: den nye plassen holdes ikke av.", "moved_on")
        if self.planned_check_out is not None:
            raise RuleBroken(f"Oppholdet har en planlagt utflytting {date_text(self.planned_check_out)}; avlys den før "
                             "husstanden flyttes.", "moved_on")
        self._leave(moved_on, MOVED_TO_OTHER_PROVIDER, provider, unit, households_left, at)

    def _check_leaving(self, check_out: date, destination: str, field_name: str) -> None:
        if self.check_out is not None:
            raise Conflict("Husstanden er allerede flyttet ut.", "stay_id")
        if destination not in MOVE_OUT_DESTINATIONS:
            raise RuleBroken("Velg hvor husstanden flyttet.", "destination")
        if check_out <= self.check_in:
            raise RuleBroken(f"Utflyttingsdatoen må være etter innflyttingsdatoen ({date_text(self.check_in)}).",
                             field_name)

    def _leave(self, check_out: date, destination: str, provider: Provider, unit: Unit, households_left: int,
               at: datetime) -> None:
        self.check_out, self.destination = check_out, destination
        self.planned_check_out = self.planned_destination = None
        self.record(ev.HouseholdMovedOut(replace(self)))
        self.record(ev.CapacityChanged(provider, unit, households_left, at))


@dataclass(frozen=True)
class StayAction:
    """One line of a stay's history: what was done, when, on which day (check-in, the new last night, the move
    or move-out), and by whom (a case worker's username and name; None: placement itself, such as a planned
    move-out carried out on its day or an extension that follows intake's new decision)."""

    stay_id: UUID
    action: str
    at: datetime | None
    on_date: date | None
    destination: str | None = None
    by: str | None = None
    by_name: str | None = None


# --- the stay's beginning ----------------------------------------------------------------------------------------

def stay_warnings(household: HouseholdFacts, *, check_in: date, authorised_to: date,
                  earlier_nights: int = 0) -> tuple[str, ...]:
    """BRIEF §4 three months: warn at placement and extension (the action still goes ahead)."""
    nights = earlier_nights + (authorised_to - check_in).days + 1
    over = nights > THREE_MONTHS_NIGHTS
    warnings = []
    if over:
        warnings.append(f"Husstanden vil ha bodd {nights} netter i midlertidig botilbud: over tre måneder "
                        f"({THREE_MONTHS_NIGHTS} netter).")
    if household.children_on(check_in):
        warnings.append("Barnefamilie: midlertidig botilbud bare unntaksvis, og aldri ut over tre måneder."
                        + (PAST_THREE_MONTHS_NB if over else ""))
    if household.young_on(check_in):
        warnings.append("Ung person (18–24 år): midlertidig botilbud bare unntaksvis, og aldri ut over tre "
                        "måneder." + (PAST_THREE_MONTHS_NB if over else ""))
    return tuple(warnings)


PAST_THREE_MONTHS_NB = " Denne perioden går ut over tre måneder."
"""Ends the warning of a family with children or a young person whose period goes past three months."""


def family_past_three_months(warnings: tuple[str, ...] | list[str]) -> bool:
    """The stay's period takes a family with children or a young person past three months (BRIEF §4: never)."""
    return any(w.endswith(PAST_THREE_MONTHS_NB) for w in warnings)


def check_placeable(decision: GrantedDecision, check_in: date, *, household_has_open_stay: bool) -> None:
    if decision.outcome != "granted" or decision.period_from is None or decision.period_to is None:
        raise RuleBroken("Vedtaket er ikke innvilget; husstanden kan ikke plasseres.", "decision_id")
    if household_has_open_stay:
        raise Conflict("Husstanden bor allerede et sted; registrer utflytting først.", "decision_id")
    if not decision.period_from <= check_in <= decision.period_to:
        raise RuleBroken("Innflyttingsdatoen ligger utenfor vedtaksperioden "
                         f"({date_text(decision.period_from)}–{date_text(decision.period_to)}).", "check_in")


def check_justification(justification: str | None) -> str | None:
    """The written justification as kept: trimmed, bounded, no control characters (line breaks are fine)."""
    text = (justification or "").strip()
    return check_text(text, "justification", "Begrunnelsen", max_length=JUSTIFICATION_MAX_LENGTH,
                      multiline=True) or None


def place(decision: GrantedDecision, provider: Provider, unit: Unit, *, check_in: date, at: datetime,
          justification: str | None = None, justified_rules: tuple[str, ...] = (), earlier_nights: int = 0,
          moved_from: UUID | None = None, authorised_to: date | None = None, placed_by: str | None = None,
          placed_by_name: str | None = None) -> Stay:
    """Make the stay (recording HouseholdPlaced and the unit taken). The caller has checked the hard rules
    (matching.check_place); `justified_rules` are the soft rules the justification covers."""
    justification = check_justification(justification)
    authorised_to = authorised_to or decision.period_to
    stay = Stay(uuid4(), decision.household_id, decision.decision_id, unit.id, provider.id, check_in,
                authorised_to, justification=justification, office_id=decision.office_id,
                municipality=decision.municipality, substance_group=decision.household.substance_group,
                moved_from_stay_id=moved_from,
                warnings=stay_warnings(decision.household, check_in=check_in, authorised_to=authorised_to,
                                       earlier_nights=earlier_nights),
                justified_rules=tuple(justified_rules) if justification else (), placed_by=placed_by,
                placed_by_name=placed_by_name)
    stay.record(ev.HouseholdPlaced(replace(stay), decision, provider, unit))
    stay.record(ev.CapacityChanged(provider, unit, 1, at))
    return stay
