"""Matching: for a granted decision, the places that fit, best first, and why every other place was left out.

Matching starts at home: places in the office's municipality (and Oslo district: `Home`, from placement's
projection of the offices; the decision's own when the office is unknown) come first, bordering municipalities
next (`geography.near`), and places elsewhere only when asked (`PlaceFilter.everywhere`); filters narrow by
municipality, target group, kitchen and free beds (`select`).

Hard rules filter (BRIEF §4): capacity (a free unit, enough beds for the household), target group, sex and
age limits, substance-free environments, families need a kitchen in the unit, no mixing of the
substance-use/low-boevne group with families, couples and singles at one address, night shelters only when
asked (and only night shelters then). Within each nearness, soft rules rank and explain: agreement first,
adequacy (bath, a way to cook, laundry, visits), a current inspection for places without agreement, price.
Choosing a place that breaks a soft rule needs a written justification, kept on the stay with the codes of the
rules it covers (`Match.flag_codes`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pure.nb_text import date_text
from services.placement.domain.errors import Conflict, RuleBroken
from services.placement.domain.geography import Home, Nearness
from services.placement.domain.model import GrantedDecision, Provider, Unit

AGREEMENT_NB = {"framework": "rammeavtale", "quality": "kvalitetsavtale", "operating": "driftsavtale",
                "municipal": "kommunalt tilbud", "none": "uten avtale"}
TARGET_GROUP_NB = {
    "substance_use_low_boevne": "rus og lav boevne", "substance_use": "rus", "singles_couples": "enslige og par",
    "families": "barnefamilier", "young": "unge",
}
# BRIEF §4 adequacy (forsvarlig): the rule's code, what the unit must have, and how a page names it.
ADEQUACY = (("inadequate_own_bath", "eget bad"), ("inadequate_cooking", "mulighet til å lage mat"),
            ("inadequate_laundry", "vaskemulighet"), ("inadequate_visits", "besøk"))
KITCHEN_FILTERS = {"own": ("own",), "shared": ("own", "shared")}  # at least this kitchen


@dataclass(frozen=True)
class Candidate:
    """A unit with what matching needs to know about it right now."""

    provider: Provider
    unit: Unit
    households: int = 0  # open stays in the unit now (0 = free)
    address_has_substance_group: bool = False  # someone in the substance-use/low-boevne group lives there
    address_has_others: bool = False  # families, couples or singles outside that group live there


@dataclass(frozen=True)
class Rule:
    code: str
    message: str


@dataclass(frozen=True)
class Match:
    provider: Provider
    unit: Unit
    refusals: tuple[Rule, ...]  # hard rules broken: the place is left out
    flags: tuple[Rule, ...]  # soft rules broken: allowed with a written justification
    reasons: tuple[str, ...]  # what speaks for the place (the ranking explained)
    price: Decimal
    nearness: Nearness = Nearness.HOME

    @property
    def fits(self) -> bool:
        return not self.refusals

    @property
    def needs_justification(self) -> bool:
        return bool(self.flags)

    @property
    def flag_codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.flags)

    def sort_key(self) -> tuple:
        codes = {f.code for f in self.flags}
        return (self.nearness, "no_agreement" in codes,
                sum(1 for f in self.flags if f.code.startswith("inadequate")), "inspection" in codes, self.price,
                self.provider.name, self.unit.name)


@dataclass(frozen=True)
class HouseholdOn:
    """The household's facts on the check-in day: worked out once per matching, not once per place."""

    persons: int
    children: int
    groups: frozenset[str]
    age: int
    sex: object
    substance_use: bool
    needs_kitchen: bool
    substance_group: bool

    @classmethod
    def of(cls, decision: GrantedDecision, day: date) -> HouseholdOn:
        h = decision.household
        children = h.children_on(day)
        return cls(h.persons_on(day), children, frozenset(h.target_groups_on(day)), h.age_on(day),
                   h.needs.get("sex"), bool(h.needs.get("substance_use")),
                   bool(children) or bool(h.needs.get("needs_kitchen")), h.substance_group)


def hard_rules(decision: GrantedDecision, c: Candidate, *, check_in: date, night_shelter: bool,
               household: HouseholdOn | None = None) -> list[Rule]:
    h = household or HouseholdOn.of(decision, check_in)
    p, u = c.provider, c.unit
    refusals: list[Rule] = []
    asked = "night_shelter" if night_shelter else "temporary"
    if p.accommodation != asked:
        refusals.append(Rule("accommodation", "Natthjem brukes bare når det er bedt om natthjem."
                             if p.accommodation == "night_shelter" else "Det er bedt om natthjem."))
    if c.households > 0:
        refusals.append(Rule("capacity", "Enheten er opptatt."))
    persons = h.persons
    if persons > u.beds:
        refusals.append(Rule("beds", f"For få senger: husstanden er {persons} personer, enheten har {u.beds}."))
    groups = h.groups
    wanted = set(p.agreement.target_groups) if p.agreement.kind != "none" else set()
    if wanted and not wanted & groups:
        refusals.append(Rule("target_group", "Utenfor målgruppen (" +
                             ", ".join(TARGET_GROUP_NB[g] for g in sorted(wanted)) + ")."))
    sex = h.sex
    if p.limits.sex == "women_only" and sex != "female":
        refusals.append(Rule("sex", "Bare for kvinner." + ("" if sex else " Kjønn er ikke registrert.")))
    if p.limits.sex == "men_and_non_binary_only" and sex not in ("male", "non_binary"):
        refusals.append(Rule("sex", "Bare for menn og ikke-binære." + ("" if sex else
                                                                         " Kjønn er ikke registrert.")))
    age = h.age
    if p.limits.min_age is not None and age < p.limits.min_age:
        refusals.append(Rule("age", f"Aldersgrense fra {p.limits.min_age} år; søkeren er {age}."))
    if p.limits.max_age is not None and age > p.limits.max_age:
        refusals.append(Rule("age", f"Aldersgrense til {p.limits.max_age} år; søkeren er {age}."))
    if p.limits.substance_free and h.substance_use:
        refusals.append(Rule("substance_free", "Rusfritt botilbud; husstanden har aktiv rus."))
    if h.needs_kitchen and u.facilities.get("kitchen") != "own":
        refusals.append(Rule("kitchen", "Barnefamilier trenger eget kjøkken i enheten." if h.children
                             else "Husstanden trenger eget kjøkken i enheten."))
    if h.substance_group and c.address_has_others:
        refusals.append(Rule("co_location", "Barnefamilier, par eller enslige bor på samme adresse; husstander "
                             "med rus/lav boevne kan ikke plasseres der."))
    if not h.substance_group and c.address_has_substance_group:
        refusals.append(Rule("co_location", "Husstander med rus/lav boevne bor på samme adresse."))
    return refusals


def home_of(decision: GrantedDecision, office: Home | None = None) -> Home:
    """Where matching starts: the office's municipality and district as placement knows the office now, or the
    decision's when placement does not know the office."""
    return office or Home(decision.municipality, decision.district)


def soft_rules(decision: GrantedDecision, c: Candidate, *, check_in: date,
               today: date, home: Home | None = None) -> tuple[list[Rule], list[str]]:
    p, u = c.provider, c.unit
    flags: list[Rule] = []
    reasons: list[str] = []
    if p.agreement.covers(check_in):
        reasons.append(f"Avtale: {AGREEMENT_NB[p.agreement.kind]}.")
    else:
        flags.append(Rule("no_agreement", "Uten gyldig avtale: plassering må begrunnes." if p.agreement.kind == "none"
                          else "Avtalen gjelder ikke på innflyttingsdatoen: plassering må begrunnes."))
        if p.inspection is None:
            flags.append(Rule("inspection", "Ingen tilsyn registrert."))
        elif not p.inspection.current(today):
            flags.append(Rule("inspection", f"Tilsyn forfalt {date_text(p.inspection.next_due)}." if
                              p.inspection.result != "failed" else "Siste tilsyn ikke godkjent."))
        else:
            reasons.append(f"Tilsyn gyldig til {date_text(p.inspection.next_due)}.")
    f = u.facilities
    has = (f.get("own_bath", False), f.get("kitchen", "none") != "none", f.get("laundry", False),
           f.get("visits_allowed", False))
    lacking = [(code, label) for (code, label), ok in zip(ADEQUACY, has, strict=True) if not ok] \
        if p.accommodation == "temporary" else []  # a night shelter is a bed for the night only
    for code, label in lacking:
        flags.append(Rule(code, f"Mangler {label} (forsvarlighet)."))
    if p.accommodation == "night_shelter":
        reasons.append("Natthjem: bare overnatting.")
    elif not lacking:
        reasons.append("Forsvarlig standard.")
    near = home_of(decision, home).nearness(p.municipality, p.district)
    if near == Nearness.HOME_DISTRICT:
        reasons.append("Samme bydel.")
    elif near == Nearness.HOME:
        reasons.append("Samme kommune.")
    else:
        flags.append(Rule("other_municipality", ("Nabokommune" if near == Nearness.NEAR else "Annen kommune")
                          + f" ({p.municipality})."))
    if p.agreement.price_per_night is not None:
        reasons.append(f"{p.agreement.price_per_night:.0f} kr per natt.")
    elif p.agreement.kind in ("operating", "municipal", "quality"):
        reasons.append("Ingen døgnpris (driften er finansiert av kommunen).")
    else:
        reasons.append("Pris per natt er ikke registrert.")
    return flags, reasons


def evaluate(decision: GrantedDecision, c: Candidate, *, check_in: date, today: date,
             night_shelter: bool = False, household: HouseholdOn | None = None, home: Home | None = None) -> Match:
    home = home_of(decision, home)
    refusals = hard_rules(decision, c, check_in=check_in, night_shelter=night_shelter, household=household)
    flags, reasons = soft_rules(decision, c, check_in=check_in, today=today, home=home)
    price = c.provider.agreement.price_per_night
    return Match(c.provider, c.unit, tuple(refusals), tuple(flags), tuple(reasons),
                 price if price is not None else Decimal(0),
                 home.nearness(c.provider.municipality, c.provider.district))


def match(decision: GrantedDecision, candidates: list[Candidate], *, check_in: date, today: date,
          night_shelter: bool = False, home: Home | None = None) -> tuple[list[Match], list[Match]]:
    """Every place that fits, nearest and best first, and those left out (with their reasons), nearest first."""
    household, home = HouseholdOn.of(decision, check_in), home_of(decision, home)
    results = [evaluate(decision, c, check_in=check_in, today=today, night_shelter=night_shelter,
                        household=household, home=home) for c in candidates]
    fits = sorted((m for m in results if m.fits), key=Match.sort_key)
    left_out = sorted((m for m in results if not m.fits), key=lambda m: (m.nearness, m.provider.name, m.unit.name))
    return fits, left_out


@dataclass(frozen=True)
class PlaceFilter:
    """What the case worker narrows the places to. By default the places at home and near it; `everywhere`
    (or a chosen `municipality`) shows the rest too."""

    everywhere: bool = False
    municipality: str | None = None
    target_group: str | None = None  # one of the provider's agreement's target groups
    kitchen: str | None = None  # at least: own | shared (own or shared)
    min_beds: int | None = None  # free beds: a free unit's beds (a unit takes one household)

    def admits(self, m: Match) -> bool:
        p, u = m.provider, m.unit
        if self.municipality:
            if p.municipality != self.municipality:
                return False
        elif not self.everywhere and m.nearness == Nearness.ELSEWHERE:
            return False
        if self.target_group and self.target_group not in p.agreement.target_groups:
            return False
        if self.kitchen and u.facilities.get("kitchen", "none") not in KITCHEN_FILTERS.get(self.kitchen, ()):
            return False
        return not (self.min_beds and u.beds < self.min_beds)


@dataclass(frozen=True)
class Places:
    """Matching's answer as a case worker reads it: the places that fit (nearest and best first), the units that
    cannot be used, and how many more would fit elsewhere (shown when asked)."""

    fits: list[Match]
    left_out: list[Match]
    elsewhere: int  # fitting places outside home and near that the filter hides
    municipalities: tuple[str, ...]  # every municipality with a place (the filter's choices)


def select(fits: list[Match], left_out: list[Match], filters: PlaceFilter = PlaceFilter()) -> Places:
    """`match`'s answer narrowed by the filters."""
    wider = PlaceFilter(True, None, filters.target_group, filters.kitchen, filters.min_beds)
    shown = [m for m in fits if filters.admits(m)]
    elsewhere = 0 if filters.everywhere or filters.municipality else \
        sum(1 for m in fits if wider.admits(m)) - len(shown)
    return Places(shown, [m for m in left_out if filters.admits(m)], elsewhere,
                  tuple(sorted({m.provider.municipality for m in fits + left_out})))


def check_place(decision: GrantedDecision, c: Candidate, *, check_in: date, today: date,
                justification: str | None, night_shelter: bool = False, home: Home | None = None) -> Match:
    """The rules at the moment of placing: hard rules refuse, soft rules demand a written justification."""
    m = evaluate(decision, c, check_in=check_in, today=today, night_shelter=night_shelter, home=home)
    if m.refusals:
        if all(r.code == "capacity" for r in m.refusals):
            raise Conflict("Enheten er opptatt; velg en annen plass.", "unit_id")
        raise RuleBroken("Plassen passer ikke: " + " ".join(r.message for r in m.refusals), "unit_id")
    if m.flags and not (justification or "").strip():
        raise RuleBroken("Plassen bryter et krav som må begrunnes skriftlig: "
                         + " ".join(f.message for f in m.flags), "justification")
    return m
