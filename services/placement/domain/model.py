"""Placement's domain: providers, units, granted decisions and stays. Pure Python: no I/O, no frameworks.

Capacity is counted in households, not beds: a unit (enhet/plass/hybel) takes one household at a time, and
its `beds` say how many persons that household may have. A family of four in a four-bed flat fills the unit;
a single person in a two-bed hotel room fills it too (nobody else is placed in that room)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from stdnum.no import orgnr as orgnr_number

PROVIDER_KINDS = ("municipal", "non_profit", "private")
ACCOMMODATIONS = ("temporary", "night_shelter")
AGREEMENT_KINDS = ("framework", "quality", "operating", "municipal", "none")
TARGET_GROUPS = ("substance_use_low_boevne", "substance_use", "singles_couples", "families", "young")
SEX_LIMITS = ("women_only", "men_and_non_binary_only")
KITCHENS = ("own", "shared", "none")
INSPECTION_RESULTS = ("approved", "remarks", "failed")
DESTINATIONS = ("municipal_rental", "private_rental", "own_home", "institution", "other_municipality", "other",
                "unknown", "moved_to_other_provider")

# BRIEF §4 and §5: named, documented limits.
THREE_MONTHS_NIGHTS = 90
NEAR_THREE_MONTHS_NIGHTS = 76  # two weeks before the limit: the office should act now
YOUNG_AGES = (18, 24)
CHILD_AGE = 18


class PlacementError(ValueError):
    """A placement rule refused the action; `field` names the input at fault."""

    def __init__(self, message: str, field: str | None = None, status_code: int = 422):
        super().__init__(message)
        self.field = field
        self.status_code = status_code


@dataclass(frozen=True)
class Agreement:
    kind: str = "none"
    price_per_night: Decimal | None = None
    fixed_places: int = 0
    valid_from: date | None = None
    valid_to: date | None = None
    target_groups: tuple[str, ...] = ()

    def covers(self, day: date) -> bool:
        """True when an agreement (any kind but none) is in force on `day`."""
        return (self.kind != "none" and (self.valid_from is None or self.valid_from <= day)
                and (self.valid_to is None or day <= self.valid_to))


@dataclass(frozen=True)
class Limits:
    sex: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    substance_free: bool = False


@dataclass(frozen=True)
class Inspection:
    inspected_on: date
    result: str  # approved | remarks | failed
    next_due: date
    checklist: dict[str, object] = field(default_factory=dict)

    def current(self, today: date) -> bool:
        return self.result != "failed" and self.next_due >= today


@dataclass
class Provider:
    id: UUID
    name: str
    orgnr: str
    kind: str
    municipality: str
    district: str | None
    accommodation: str  # temporary | night_shelter
    agreement: Agreement = field(default_factory=Agreement)
    address: str = ""
    limits: Limits = field(default_factory=Limits)
    inspection: Inspection | None = None  # the latest one
    slug: str | None = None

    @property
    def agreement_kind(self) -> str:
        return self.agreement.kind

    @property
    def price_per_night(self) -> Decimal | None:
        return self.agreement.price_per_night

    @property
    def fixed_places(self) -> int:
        return self.agreement.fixed_places


@dataclass
class Unit:
    id: UUID
    provider_id: UUID
    name: str
    beds: int
    address: str
    facilities: dict[str, object] = field(default_factory=dict)
    slug: str | None = None


@dataclass(frozen=True)
class HouseholdFacts:
    applicant_birth_date: date
    children_birth_dates: tuple[date, ...]
    adults: int
    needs: dict[str, object]

    def age_on(self, day: date) -> int:
        b = self.applicant_birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def children_on(self, day: date) -> int:
        return sum(1 for c in self.children_birth_dates
                   if c <= day and day.year - c.year - ((day.month, day.day) < (c.month, c.day)) < CHILD_AGE)

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
class Stay:
    id: UUID
    household_id: UUID
    decision_id: UUID
    unit_id: UUID
    provider_id: UUID
    check_in: date
    authorised_to: date
    check_out: date | None = None
    destination: str | None = None
    justification: str | None = None
    office_id: str = ""
    municipality: str = ""
    substance_group: bool = False
    moved_from_stay_id: UUID | None = None
    warnings: tuple[str, ...] = ()

    def nights_until(self, day: date) -> int:
        """Nights stayed up to `day` (exclusive), or to check-out when that came first."""
        end = min(self.check_out, day) if self.check_out else day
        return max(0, (end - self.check_in).days)


# --- domain events -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HouseholdPlaced:
    stay: Stay
    decision: GrantedDecision
    provider: Provider
    unit: Unit


@dataclass(frozen=True)
class StayExtended:
    stay: Stay
    previous_authorised_to: date
    at: datetime


@dataclass(frozen=True)
class HouseholdMovedOut:
    stay: Stay


@dataclass(frozen=True)
class CapacityChanged:
    provider: Provider
    unit: Unit
    households: int  # 0 or 1: the unit is free or taken
    at: datetime


@dataclass(frozen=True)
class ProviderRegistered:
    provider: Provider


@dataclass(frozen=True)
class ProviderChanged:
    provider: Provider


@dataclass(frozen=True)
class UnitRegistered:
    unit: Unit


@dataclass(frozen=True)
class UnitChanged:
    unit: Unit


# --- providers and units --------------------------------------------------------------------------------------

def _one_of(value, allowed, field_name: str, label: str) -> None:
    if value not in allowed:
        raise PlacementError(f"Ugyldig {label}: «{value}». Velg en av: {', '.join(allowed)}.", field_name)


def new_provider(*, name: str, orgnr: str, kind: str, municipality: str, district: str | None, address: str,
                 accommodation: str, agreement: Agreement, limits: Limits, slug: str | None = None,
                 provider_id: UUID | None = None) -> Provider:
    """Check a provider's details and make it. The org number must pass the mod-11 check."""
    name = (name or "").strip()
    if not name:
        raise PlacementError("Navn må fylles ut.", "name")
    number = orgnr_number.compact(orgnr or "")
    if not orgnr_number.is_valid(number):
        raise PlacementError("Organisasjonsnummeret er ugyldig (9 siffer med gyldig kontrollsiffer).", "orgnr")
    _one_of(kind, PROVIDER_KINDS, "kind", "type tilbyder")
    if not (municipality or "").isdigit() or len(municipality) != 4:
        raise PlacementError("Kommunenummer må ha fire siffer.", "municipality")
    if not (address or "").strip():
        raise PlacementError("Adresse må fylles ut.", "address")
    _one_of(accommodation, ACCOMMODATIONS, "accommodation", "botilbudstype")
    _one_of(agreement.kind, AGREEMENT_KINDS, "agreement.kind", "avtaletype")
    if agreement.price_per_night is not None and agreement.price_per_night < 0:
        raise PlacementError("Prisen per natt kan ikke være negativ.", "agreement.price_per_night")
    if agreement.fixed_places < 0:
        raise PlacementError("Faste plasser kan ikke være negativt.", "agreement.fixed_places")
    if agreement.valid_from and agreement.valid_to and agreement.valid_to < agreement.valid_from:
        raise PlacementError("Avtalen kan ikke slutte før den begynner.", "agreement.valid_to")
    for group in agreement.target_groups:
        _one_of(group, TARGET_GROUPS, "agreement.target_groups", "målgruppe")
    if limits.sex is not None:
        _one_of(limits.sex, SEX_LIMITS, "limits.sex", "kjønnsbegrensning")
    if limits.min_age is not None and limits.max_age is not None and limits.max_age < limits.min_age:
        raise PlacementError("Høyeste alder kan ikke være lavere enn laveste.", "limits.max_age")
    return Provider(provider_id or uuid4(), name, number, kind, municipality, district or None, accommodation,
                    agreement, address.strip(), limits, None, slug)


def new_unit(provider: Provider, *, name: str, beds: int, address: str | None = None,
             facilities: dict[str, object] | None = None, slug: str | None = None,
             unit_id: UUID | None = None) -> Unit:
    name = (name or "").strip()
    if not name:
        raise PlacementError("Navn på enheten må fylles ut.", "name")
    check_beds(beds)
    facilities = dict(facilities or {})
    _one_of(facilities.setdefault("kitchen", "none"), KITCHENS, "facilities.kitchen", "kjøkken")
    return Unit(unit_id or uuid4(), provider.id, name, beds, (address or "").strip() or provider.address,
                facilities, slug)


def check_beds(beds: int) -> None:
    if not isinstance(beds, int) or beds < 1:
        raise PlacementError("En enhet må ha minst én seng.", "beds")


def new_inspection(provider: Provider, *, inspected_on: date, result: str, next_due: date,
                   checklist: dict[str, object] | None = None) -> Inspection:
    _one_of(result, INSPECTION_RESULTS, "result", "resultat")
    if next_due <= inspected_on:
        raise PlacementError("Neste tilsyn må være etter dette tilsynet.", "next_due")
    return Inspection(inspected_on, result, next_due, dict(checklist or {}))


# --- the stay's life cycle -------------------------------------------------------------------------------------

def stay_warnings(household: HouseholdFacts, *, check_in: date, authorised_to: date,
                  earlier_nights: int = 0) -> tuple[str, ...]:
    """BRIEF §4 three months: warn at placement and extension (the action still goes ahead)."""
    nights = earlier_nights + (authorised_to - check_in).days + 1
    warnings = []
    if nights > THREE_MONTHS_NIGHTS:
        warnings.append(f"Husstanden vil ha bodd {nights} netter i midlertidig botilbud: over tre måneder "
                        f"({THREE_MONTHS_NIGHTS} netter).")
    if household.children_on(check_in):
        warnings.append("Barnefamilie: midlertidig botilbud bare unntaksvis, og aldri ut over tre måneder."
                        + (" Denne perioden går ut over tre måneder." if nights > THREE_MONTHS_NIGHTS else ""))
    if household.young_on(check_in):
        warnings.append("Ung person (18–24 år): midlertidig botilbud bare unntaksvis, og aldri ut over tre "
                        "måneder." + (" Denne perioden går ut over tre måneder."
                                      if nights > THREE_MONTHS_NIGHTS else ""))
    return tuple(warnings)


def check_placeable(decision: GrantedDecision, check_in: date, *, household_has_open_stay: bool) -> None:
    if decision.outcome != "granted" or decision.period_from is None or decision.period_to is None:
        raise PlacementError("Vedtaket er ikke innvilget; husstanden kan ikke plasseres.", "decision_id")
    if household_has_open_stay:
        raise PlacementError("Husstanden bor allerede et sted; registrer utflytting først.", "decision_id", 409)
    if not decision.period_from <= check_in <= decision.period_to:
        raise PlacementError("Innflyttingsdatoen ligger utenfor vedtaksperioden "
                             f"({decision.period_from}–{decision.period_to}).", "check_in")


def place(decision: GrantedDecision, provider: Provider, unit: Unit, *, check_in: date,
          justification: str | None = None, earlier_nights: int = 0,
          moved_from: UUID | None = None, authorised_to: date | None = None) -> Stay:
    """Make the stay. The caller has already checked the hard rules (matching.check_place)."""
    authorised_to = authorised_to or decision.period_to
    return Stay(uuid4(), decision.household_id, decision.decision_id, unit.id, provider.id, check_in,
                authorised_to, justification=(justification or "").strip() or None, office_id=decision.office_id,
                municipality=decision.municipality, substance_group=decision.household.substance_group,
                moved_from_stay_id=moved_from,
                warnings=stay_warnings(decision.household, check_in=check_in, authorised_to=authorised_to,
                                       earlier_nights=earlier_nights))


def extend(stay: Stay, new: GrantedDecision, *, at: datetime, earlier_nights: int = 0) -> StayExtended:
    """Follow a new decision period (forlengelse)."""
    if stay.check_out is not None:
        raise PlacementError("Oppholdet er avsluttet og kan ikke forlenges.", "stay_id", 409)
    if new.household_id != stay.household_id:
        raise PlacementError("Vedtaket gjelder en annen husstand.", "decision_id")
    if new.outcome != "granted" or new.period_to is None:
        raise PlacementError("Vedtaket er ikke innvilget; oppholdet kan ikke forlenges.", "decision_id")
    if new.period_to <= stay.authorised_to:
        raise PlacementError(f"Det nye vedtaket går ikke lenger enn dagens periode (til {stay.authorised_to}).",
                             "decision_id")
    previous = stay.authorised_to
    stay.decision_id = new.decision_id
    stay.authorised_to = new.period_to
    stay.warnings = stay_warnings(new.household, check_in=stay.check_in, authorised_to=stay.authorised_to,
                                  earlier_nights=earlier_nights)
    return StayExtended(replace(stay), previous, at)


def move_out(stay: Stay, *, check_out: date, destination: str) -> HouseholdMovedOut:
    if stay.check_out is not None:
        raise PlacementError("Husstanden er allerede flyttet ut.", "stay_id", 409)
    _one_of(destination, DESTINATIONS, "destination", "hvor husstanden flyttet")
    if check_out <= stay.check_in:
        raise PlacementError("Utflyttingsdatoen må være etter innflyttingsdatoen "
                             f"({stay.check_in}).", "check_out")
    stay.check_out = check_out
    stay.destination = destination
    return HouseholdMovedOut(replace(stay))
