"""Providers in bulk (../shared/formats/providers-import.md): check a municipality's list of providers, their
agreements and units, row by row and across rows, and plan what it changes. Pure Python: no I/O.

One row per unit; the provider's columns repeat on each of its units (a provider without units has one row with
the unit columns empty). A provider is its organisation number, a unit its provider and name (compared as
`history_ids.key` compares names). Every problem of a row is listed (a dry run shows them all at once), each
with its line and column; the rules are the same as on the provider's page (`providers.checked_provider`,
`checked_unit`), so the file and the page can never disagree. The plan (`plan`) names, per provider and unit,
whether it is new, changed (with the columns that differ) or unchanged: importing the same file twice changes
nothing, and a change goes through the same use cases (and events) as a change on the page."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from uuid import UUID

from stdnum.no import orgnr as orgnr_number

from services.placement.domain.errors import RuleBroken
from services.placement.domain.geography import OSLO, oslo_district
from services.placement.domain.history import HeaderError, RowError, shown
from services.placement.domain.history_ids import key
from services.placement.domain.providers import (
    ACCOMMODATIONS,
    AGREEMENT_KINDS,
    KITCHENS,
    PROVIDER_KINDS,
    SEX_LIMITS,
    TARGET_GROUPS,
    Agreement,
    Limits,
    Provider,
    Unit,
    checked_provider,
    checked_unit,
)
from services.placement.domain.values import MAX_AGE, MAX_BEDS, MAX_FIXED_PLACES, ORE, price_problem

PROVIDER_COLUMNS = ("provider", "provider_orgnr", "provider_kind", "municipality", "district", "provider_address",
                    "provider_email", "accommodation", "agreement", "price_per_night_nok", "fixed_places",
                    "agreement_valid_from", "agreement_valid_to", "target_groups", "sex_limit", "min_age", "max_age",
                    "substance_free")
UNIT_COLUMNS = ("unit", "unit_address", "beds", "own_bath", "kitchen", "laundry", "visits_allowed")
COLUMNS = PROVIDER_COLUMNS + UNIT_COLUMNS
REQUIRED = ("provider", "provider_orgnr", "provider_kind", "municipality", "provider_address", "accommodation",
            "agreement")
FACILITIES = ("own_bath", "kitchen", "laundry", "visits_allowed")
# The domain's field names (RuleBroken.field) as the file's columns.
COLUMN_OF = {"name": "provider", "orgnr": "provider_orgnr", "kind": "provider_kind", "address": "provider_address",
             "email": "provider_email", "agreement.kind": "agreement", "agreement.price_per_night":
             "price_per_night_nok", "agreement.fixed_places": "fixed_places", "agreement.valid_from":
             "agreement_valid_from", "agreement.valid_to": "agreement_valid_to", "agreement.target_groups":
             "target_groups", "limits.sex": "sex_limit", "limits.min_age": "min_age", "limits.max_age": "max_age"}
UNIT_COLUMN_OF = {"name": "unit", "address": "unit_address", "beds": "beds", "facilities.kitchen": "kitchen"}
YES_NO = {"yes": True, "no": False}


@dataclass(frozen=True)
class ProviderDetails:
    """What a row says of its provider: the page's fields, checked."""

    name: str
    orgnr: str
    kind: str
    municipality: str
    district: str | None
    address: str
    email: str | None
    accommodation: str
    agreement: Agreement
    limits: Limits

    def differs(self, p: Provider) -> tuple[str, ...]:
        """The columns whose value differs from the registered provider's."""
        a, b = self.agreement, p.agreement
        pairs = {
            "provider": (self.name, p.name), "provider_kind": (self.kind, p.kind),
            "municipality": (self.municipality, p.municipality), "district": (self.district, p.district),
            "provider_address": (self.address, p.address), "provider_email": (self.email, p.email),
            "accommodation": (self.accommodation, p.accommodation), "agreement": (a.kind, b.kind),
            "price_per_night_nok": (a.price_per_night, b.price_per_night),
            "fixed_places": (a.fixed_places, b.fixed_places), "agreement_valid_from": (a.valid_from, b.valid_from),
            "agreement_valid_to": (a.valid_to, b.valid_to),
            "target_groups": (set(a.target_groups), set(b.target_groups)),
            "sex_limit": (self.limits.sex, p.limits.sex), "min_age": (self.limits.min_age, p.limits.min_age),
            "max_age": (self.limits.max_age, p.limits.max_age),
            "substance_free": (self.limits.substance_free, p.limits.substance_free)}
        return tuple(column for column, (mine, theirs) in pairs.items() if mine != theirs)


@dataclass(frozen=True)
class UnitDetails:
    name: str
    address: str | None  # None: the provider's
    beds: int
    facilities: dict[str, object] = field(default_factory=dict)

    def differs(self, u: Unit, provider_address: str) -> tuple[str, ...]:
        pairs = {"unit": (self.name, u.name), "unit_address": (self.address or provider_address, u.address),
                 "beds": (self.beds, u.beds),
                 **{f: (self.facilities[f], u.facilities.get(f, "none" if f == "kitchen" else False))
                    for f in FACILITIES}}
        return tuple(column for column, (mine, theirs) in pairs.items() if mine != theirs)


@dataclass(frozen=True)
class ProviderRow:
    line: int
    provider: ProviderDetails
    unit: UnitDetails | None


def check_header(header: list[str] | None) -> None:
    if not header:
        raise HeaderError("Linje 1: filen er tom; første linje må være overskriftsraden.")
    names = [h.strip() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise HeaderError(f"Linje 1: mangler kolonnene {', '.join(missing)}.")
    unknown = [h for h in names if h not in COLUMNS]
    if unknown:
        more = f" og {len(unknown) - 5} til" if len(unknown) > 5 else ""
        raise HeaderError(f"Linje 1: ukjente kolonner {', '.join(shown(u) for u in unknown[:5])}{more}.")
    twice = sorted({h for h in names if names.count(h) > 1})
    if twice:
        raise HeaderError(f"Linje 1: kolonnen {', '.join(twice)} står flere ganger.")


class _Cells:
    """A row's cells read one column at a time; each problem is noted (with its column) and reading goes on, so
    one pass finds them all."""

    def __init__(self, line: int, row: dict):
        self.line, self.row = line, row
        self.errors: list[RowError] = []

    def bad(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.line, reason, column))

    def text(self, column: str) -> str:
        return (self.row.get(column) or "").strip()

    def one_of(self, column: str, allowed: Iterable[str], *, required: bool = False) -> str | None:
        value = self.text(column)
        if not value:
            if required:
                self.bad(column, f"{column} mangler")
            return None
        if value not in allowed:
            self.bad(column, f"{column} «{shown(value)}» er ikke en av {', '.join(allowed)}")
            return None
        return value

    def yes_no(self, column: str) -> bool:
        value = self.text(column)
        if value and value not in YES_NO:
            self.bad(column, f"{column} «{shown(value)}» må være yes eller no")
        return YES_NO.get(value, False)

    def count(self, column: str, low: int, high: int) -> int | None:
        value = self.text(column)
        if not value:
            return None
        if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
            self.bad(column, f"{column} «{shown(value)}» må være et heltall fra {low} til {high}")
            return None
        return int(value)

    def day(self, column: str) -> date | None:
        value = self.text(column)
        if not value:
            return None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.bad(column, f"{column} «{shown(value)}» er ikke en dato på formen ÅÅÅÅ-MM-DD")
        return None

    def price(self, column: str) -> Decimal | None:
        value = self.text(column).replace(" ", "")
        if not value:
            return None
        try:
            price = Decimal(value.replace(",", "."))
        except InvalidOperation:
            self.bad(column, f"{column} «{shown(value)}» er ikke et tall")
            return None
        problem = price_problem(price)
        if problem:
            self.bad(column, f"{column} «{shown(value)}» {problem} (0 til 100 000 kr, i hele øre)")
            return None
        return price.quantize(ORE)


def check_row(line: int, row: dict, *, municipalities: Collection[str] | None = None) -> ProviderRow | list[RowError]:
    """One row against the format and the page's rules: the row, or every problem it has. `municipalities`: the
    known kommunenummer (None: any four digits)."""
    cells = _Cells(line, row)
    if None in row:  # csv.DictReader puts extra cells under None
        return [RowError(line, "raden har flere celler enn overskriftsraden")]
    for column in REQUIRED:
        if not cells.text(column):
            cells.bad(column, f"{column} mangler")
    orgnr = orgnr_number.compact(cells.text("provider_orgnr"))
    if cells.text("provider_orgnr") and not orgnr_number.is_valid(orgnr):
        cells.bad("provider_orgnr", f"provider_orgnr «{shown(cells.text('provider_orgnr'))}» er ikke et gyldig "
                                    "organisasjonsnummer (9 siffer med kontrollsiffer)")
    municipality = cells.text("municipality")
    if municipality and not re.fullmatch(r"\d{4}", municipality):
        cells.bad("municipality", f"municipality «{shown(municipality)}» må være et kommunenummer med fire siffer")
    elif municipality and municipalities is not None and municipality not in municipalities:
        cells.bad("municipality", f"municipality {municipality} er ikke et kommunenummer SSB kjenner")
    district = cells.text("district") or None
    if district is not None:
        if municipality != OSLO:
            cells.bad("district", f"district «{shown(district)}» er bare for Oslo ({OSLO}); la feltet stå tomt")
        elif (district := oslo_district(district)) is None:
            cells.bad("district", f"ukjent bydel «{shown(cells.text('district'))}»")
    kind = cells.one_of("provider_kind", PROVIDER_KINDS)
    accommodation = cells.one_of("accommodation", ACCOMMODATIONS)
    agreement_kind = cells.one_of("agreement", AGREEMENT_KINDS)
    groups = [g.strip() for g in cells.text("target_groups").split(";") if g.strip()]
    for g in groups:
        if g not in TARGET_GROUPS:
            cells.bad("target_groups", f"target_groups «{shown(g)}» er ikke en av {', '.join(TARGET_GROUPS)}")
    agreement = Agreement(
        agreement_kind or "none", cells.price("price_per_night_nok"),
        cells.count("fixed_places", 0, MAX_FIXED_PLACES) or 0, cells.day("agreement_valid_from"),
        cells.day("agreement_valid_to"), tuple(g for g in TARGET_GROUPS if g in groups))
    limits = Limits(cells.one_of("sex_limit", SEX_LIMITS), cells.count("min_age", 0, MAX_AGE),
                    cells.count("max_age", 0, MAX_AGE), cells.yes_no("substance_free"))
    unit = _unit(cells)
    if cells.errors:
        return cells.errors
    try:  # the page's rules, for what the cells alone cannot tell (lengths, control characters, the order of dates)
        p = checked_provider(name=cells.text("provider"), orgnr=orgnr, kind=kind, municipality=municipality,
                             district=district, address=cells.text("provider_address"),
                             email=cells.text("provider_email") or None, accommodation=accommodation,
                             agreement=agreement, limits=limits)
    except RuleBroken as exc:
        return [RowError(line, _reason(exc), COLUMN_OF.get(exc.field or "", exc.field))]
    details = ProviderDetails(p.name, p.orgnr, p.kind, p.municipality, p.district, p.address, p.email,
                              p.accommodation, p.agreement, p.limits)
    if unit is not None:
        try:
            checked_unit(p, name=unit.name, beds=unit.beds, address=unit.address, facilities=dict(unit.facilities))
        except RuleBroken as exc:
            return [RowError(line, _reason(exc), UNIT_COLUMN_OF.get(exc.field or "", exc.field))]
    return ProviderRow(line, details, unit)


def _reason(exc: RuleBroken) -> str:
    text = str(exc)
    return text[:1].lower() + text[1:].rstrip(".")


def _unit(cells: _Cells) -> UnitDetails | None:
    name = cells.text("unit")
    if not name:
        given = [c for c in UNIT_COLUMNS[1:] if cells.text(c)]
        if given:
            cells.bad("unit", f"unit mangler, men {', '.join(given)} er fylt ut (la enhetskolonnene stå tomme for "
                              "en tilbyder uten enheter)")
        return None
    beds = cells.count("beds", 1, MAX_BEDS)
    if beds is None and not cells.text("beds"):
        cells.bad("beds", "beds mangler (antall senger i enheten, minst 1)")
    facilities = {"own_bath": cells.yes_no("own_bath"),
                  "kitchen": cells.one_of("kitchen", KITCHENS) or "none",
                  "laundry": cells.yes_no("laundry"), "visits_allowed": cells.yes_no("visits_allowed")}
    return UnitDetails(name, cells.text("unit_address") or None, beds or 1, facilities)


def check_together(rows: list[ProviderRow]) -> tuple[list[ProviderRow], list[RowError]]:
    """Rules across rows: every row of one organisation number gives the same provider fields (else each row
    that differs is an error, and none of that provider's rows is used), and a unit's name once per provider."""
    first: dict[str, ProviderRow] = {}
    conflicted: set[str] = set()
    errors: list[RowError] = []
    for r in rows:
        earlier = first.setdefault(r.provider.orgnr, r)
        if earlier is not r and earlier.provider != r.provider:
            differs = _differing(earlier.provider, r.provider)
            errors.append(RowError(r.line, f"organisasjonsnummer {r.provider.orgnr} har andre tilbyderopplysninger "
                                           f"enn på linje {earlier.line} ({', '.join(differs)})", differs[0]))
            conflicted.add(r.provider.orgnr)
    units: dict[tuple[str, str], int] = {}
    good = []
    for r in rows:
        if r.provider.orgnr in conflicted:
            if not any(e.line == r.line for e in errors):
                errors.append(RowError(r.line, f"tilbyderen med organisasjonsnummer {r.provider.orgnr} importeres "
                                               "ikke: radene for den er uenige (se de andre linjene)",
                                       "provider_orgnr"))
            continue
        if r.unit is not None:
            seen = units.setdefault((r.provider.orgnr, key(r.unit.name)), r.line)
            if seen != r.line:
                errors.append(RowError(r.line, f"enheten «{shown(r.unit.name)}» står alt på linje {seen} for samme "
                                               "tilbyder", "unit"))
                continue
        good.append(r)
    return good, sorted(errors, key=lambda e: e.line)


def _differing(a: ProviderDetails, b: ProviderDetails) -> list[str]:
    as_provider = Provider(UUID(int=0), b.name, b.orgnr, b.kind, b.municipality, b.district, b.accommodation,
                           b.agreement, b.address, b.limits, email=b.email)
    return list(a.differs(as_provider)) or ["provider"]


@dataclass(frozen=True)
class Step:
    """One thing the import does: register or change a provider or a unit (or nothing, when it is unchanged)."""

    line: int
    action: str  # (register|change|unchanged)_(provider|unit)
    provider: ProviderDetails
    unit: UnitDetails | None = None
    provider_id: UUID | None = None  # the registered provider (None: registered by this import)
    unit_id: UUID | None = None  # the registered unit being changed
    columns: tuple[str, ...] = ()  # what changes

    @property
    def changes(self) -> bool:
        return not self.action.startswith("unchanged")


def plan(rows: list[ProviderRow], providers: list[Provider], units: list[Unit]) -> tuple[list[Step], list[RowError]]:
    """What importing these (checked) rows does to the registered providers and units, in the file's order:
    each provider once (at its first line), then each of its units. A name that two registered units of the
    provider share is an error (rename one on the page first)."""
    by_orgnr = {p.orgnr: p for p in providers}
    units_of: dict[tuple[UUID, str], list[Unit]] = {}
    for u in units:
        units_of.setdefault((u.provider_id, key(u.name)), []).append(u)
    steps: list[Step] = []
    errors: list[RowError] = []
    planned: set[str] = set()
    for r in rows:
        existing = by_orgnr.get(r.provider.orgnr)
        if r.provider.orgnr not in planned:
            planned.add(r.provider.orgnr)
            if existing is None:
                steps.append(Step(r.line, "register_provider", r.provider))
            else:
                columns = r.provider.differs(existing)
                steps.append(Step(r.line, "change_provider" if columns else "unchanged_provider", r.provider,
                                  provider_id=existing.id, columns=columns))
        if r.unit is None:
            continue
        same = units_of.get((existing.id, key(r.unit.name)), []) if existing else []
        if len(same) > 1:
            errors.append(RowError(r.line, f"{len(same)} enheter hos {shown(existing.name)} heter "
                                           f"«{shown(r.unit.name)}»; gi dem ulike navn på tilbyderens side først",
                                   "unit"))
        elif same:
            columns = r.unit.differs(same[0], r.provider.address)
            steps.append(Step(r.line, "change_unit" if columns else "unchanged_unit", r.provider, r.unit,
                              existing.id, same[0].id, columns))
        else:
            steps.append(Step(r.line, "register_unit", r.provider, r.unit, existing.id if existing else None))
    return steps, errors

