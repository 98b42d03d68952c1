"""Stay history import (../shared/formats/stays-import.md): check each row of an office's spreadsheet and turn
it into an imported stay with stable ids (`history_ids`). Pure Python: no I/O, no frameworks.

An imported stay has no decision from intake: placement records a synthetic granted decision with the stay's
period (check-in to the last night, or to the day of import for an open stay)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from uuid import UUID

from stdnum.no import orgnr as orgnr_number

from services.placement.domain.geography import OSLO_DISTRICTS, Home, oslo_district  # noqa: F401 - reachable here
from services.placement.domain.history_ids import (  # noqa: F401 - the ids, reachable here
    NAMESPACE,
    decision_id,
    event_id,
    household_id,
    key,
    stay_id,
)
from services.placement.domain.model import ACCOMMODATIONS, AGREEMENT_KINDS, HouseholdFacts, Provider, Unit
from services.placement.domain.values import ORE, price_problem

COLUMNS = ("household_ref", "municipality", "district", "office", "applicant_birth_date", "children_birth_dates",
           "provider", "provider_orgnr", "accommodation", "agreement", "check_in", "check_out", "move_out_reason",
           "nightly_price_nok")
REQUIRED = ("household_ref", "municipality", "office", "applicant_birth_date", "provider", "accommodation",
            "agreement", "check_in")
MOVE_OUT_REASONS = ("municipal_rental", "private_rental", "own_home", "institution", "other_municipality", "other",
                    "unknown")
MAX_CHILDREN = 20
# Compiled once: a history file is tens of thousands of rows.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FOUR_DIGITS = re.compile(r"\d{4}")
ELEVEN_DIGITS = re.compile(r"\d{11}")
SEPARATORS = re.compile(r"[\s.\-]")
SHOWN_CHARS = 40  # a cell quoted in a reason is cut here: answers never echo large inputs


class HeaderError(ValueError):
    """The file as a whole is not in the format (line 1: the header row)."""


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str
    field: str | None = None
    unknown: str | None = None  # the office or provider the row names that placement lacks (or lacks units of)


def shown(value: str) -> str:
    """A cell as quoted in a reason: cut short, and without control characters."""
    value = "".join(c if c.isprintable() else " " for c in value[:SHOWN_CHARS + 1])
    return value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "…"


@dataclass(frozen=True)
class Office:
    id: str
    name: str
    municipality: str
    district: str | None

    @property
    def home(self) -> Home:
        """Where matching starts for this office's households."""
        return Home(self.municipality, self.district)


@dataclass
class ImportedStay:
    line: int
    stay_id: UUID
    household_id: UUID
    decision_id: UUID
    office: Office
    municipality: str
    district: str | None
    household: HouseholdFacts
    provider: Provider
    accommodation: str
    agreement_kind: str
    price_per_night: Decimal
    check_in: date
    check_out: date | None
    destination: str | None
    authorised_to: date
    unit_id: UUID | None = None
    warnings: tuple[str, ...] = field(default=())

    def nights(self) -> tuple[date, date | None]:
        return self.check_in, self.check_out


def _without_parenthesis(name: str) -> str:
    return re.sub(r"\s*\([^)]*\)\s*$", "", name).strip()


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


class ProviderIndex:
    """The matching rule: the org number when the row gives one (it must belong to a registered provider, and
    the name must then fit it too); else the name, compared case-insensitively with Unicode and spaces
    normalised, against the registered name with and without a trailing parenthesis ("Grefsen korttidsboliger
    (Frelsesarmeen)" answers to "Grefsen korttidsboliger"). A name that fits several providers needs the org
    number."""

    def __init__(self, providers: list[Provider]):
        self.by_orgnr = {p.orgnr: p for p in providers}
        self.by_name: dict[str, list[Provider]] = {}
        for p in providers:
            for name in {key(p.name), key(_without_parenthesis(p.name))}:
                self.by_name.setdefault(name, []).append(p)

    def find(self, name: str, orgnr: str | None) -> Provider:
        if orgnr:
            provider = self.by_orgnr.get(orgnr)
            if provider is None:
                raise _Bad(f"ingen registrert tilbyder har organisasjonsnummer {orgnr}", "provider_orgnr",
                           unknown=orgnr)
            if self.by_name.get(key(name)) and provider not in self.by_name[key(name)]:
                raise _Bad(f"tilbyderen «{shown(name)}» har ikke organisasjonsnummer {orgnr}", "provider_orgnr")
            return provider
        found = self.by_name.get(key(name), [])
        if not found:
            raise _Bad(f"ukjent tilbyder «{shown(name)}» (registrer tilbyderen først, eller oppgi provider_orgnr)",
                       "provider", unknown=name)
        if len(found) > 1:
            raise _Bad(f"tilbydernavnet «{shown(name)}» passer flere tilbydere; oppgi provider_orgnr", "provider")
        return found[0]


class _Bad(ValueError):
    def __init__(self, reason: str, field: str | None = None, *, unknown: str | None = None):
        super().__init__(reason)
        self.field = field
        self.unknown = unknown


def _date(row: dict, name: str, *, required: bool) -> date | None:
    value = (row.get(name) or "").strip()
    if not value:
        if required:
            raise _Bad(f"{name} mangler", name)
        return None
    if not ISO_DATE.fullmatch(value):
        raise _Bad(f"{name} «{shown(value)}» er ikke en dato på formen ÅÅÅÅ-MM-DD", name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _Bad(f"{name} «{shown(value)}» er ikke en gyldig dato", name) from None


def _district(value: str, municipality: str, office: Office) -> str | None:
    """The Oslo district by name (any case) or number (`2`, `02` or `030102`); empty = the office's."""
    if not value:
        return office.district
    if municipality != "0301":
        raise _Bad(f"district «{shown(value)}» er bare for Oslo (0301); la feltet stå tomt", "district")
    name = oslo_district(value)
    if name is None:
        raise _Bad(f"ukjent bydel «{shown(value)}»", "district")
    if office.district and name != office.district:
        raise _Bad(f"bydel {name} passer ikke med {office.name} (bydel {office.district})", "district")
    return name


def _one_of(row: dict, name: str, allowed: tuple[str, ...], *, required: bool) -> str | None:
    value = (row.get(name) or "").strip()
    if not value:
        if required:
            raise _Bad(f"{name} mangler", name)
        return None
    if value not in allowed:
        raise _Bad(f"{name} «{shown(value)}» er ikke en av {', '.join(allowed)}", name)
    return value


def check_row(line: int, row: dict, *, offices: dict[str, Office], providers: ProviderIndex,
              today: date) -> ImportedStay | RowError:
    """One row against the format and the registered offices and providers."""
    try:
        return _row(line, row, offices, providers, today)
    except _Bad as bad:
        return RowError(line, str(bad), bad.field, bad.unknown)


def _row(line: int, row: dict, offices: dict[str, Office], providers: ProviderIndex, today: date) -> ImportedStay:
    if None in row:  # csv.DictReader puts extra cells under None
        raise _Bad("raden har flere celler enn overskriftsraden")
    for name in REQUIRED:
        if not (row.get(name) or "").strip():
            raise _Bad(f"{name} mangler", name)
    ref = row["household_ref"].strip()
    if ELEVEN_DIGITS.search(SEPARATORS.sub("", ref)):
        # Never an identity number: the household id is a hash of the reference, and 11 digits are guessable.
        raise _Bad("household_ref ser ut som et fødselsnummer eller D-nummer (11 siffer); bruk kontorets egen "
                   "referanse", "household_ref")
    municipality = row["municipality"].strip()
    if not FOUR_DIGITS.fullmatch(municipality):
        raise _Bad(f"municipality «{shown(municipality)}» må være et kommunenummer med fire siffer", "municipality")
    office = offices.get(key(row["office"]))
    if office is None:
        raise _Bad(f"ukjent Nav-kontor «{shown(row['office'].strip())}»", "office", unknown=row["office"].strip())
    if office.municipality != municipality:
        raise _Bad(f"{office.name} ligger ikke i kommune {municipality}", "municipality")
    district = _district((row.get("district") or "").strip(), municipality, office)
    applicant = _date(row, "applicant_birth_date", required=True)
    children = []
    for part in (row.get("children_birth_dates") or "").split(";"):
        if part.strip():
            children.append(_date({"children_birth_dates": part}, "children_birth_dates", required=True))
        if len(children) > MAX_CHILDREN:
            raise _Bad(f"children_birth_dates har flere enn {MAX_CHILDREN} barn", "children_birth_dates")
    check_in = _date(row, "check_in", required=True)
    check_out = _date(row, "check_out", required=False)
    if check_out is not None and check_out <= check_in:
        raise _Bad(f"check_out {check_out} må være etter check_in {check_in}", "check_out")
    if check_in > today:
        raise _Bad(f"check_in {check_in} er etter dagens dato: filen gjelder historikk", "check_in")
    if check_out is not None and check_out > today:
        raise _Bad(f"check_out {check_out} er etter dagens dato; la feltet stå tomt for et pågående opphold",
                   "check_out")
    if applicant >= check_in or any(c > check_in for c in children):
        raise _Bad("fødselsdatoene må være før check_in", "applicant_birth_date" if applicant >= check_in
                   else "children_birth_dates")
    accommodation = _one_of(row, "accommodation", ACCOMMODATIONS, required=True)
    agreement = _one_of(row, "agreement", AGREEMENT_KINDS, required=True)
    reason = _one_of(row, "move_out_reason", MOVE_OUT_REASONS, required=False)
    if reason and check_out is None:
        raise _Bad("move_out_reason er fylt ut, men check_out mangler", "move_out_reason")
    orgnr = (row.get("provider_orgnr") or "").strip()
    if orgnr:
        orgnr = orgnr if len(orgnr) == 9 and orgnr.isdigit() else orgnr_number.compact(orgnr)
        if not orgnr_number.is_valid(orgnr):
            raise _Bad(f"provider_orgnr «{shown(row['provider_orgnr'].strip())}» er ikke et gyldig organisasjonsnummer "
                       "(9 siffer med kontrollsiffer)", "provider_orgnr")
    provider = providers.find(row["provider"].strip(), orgnr or None)
    price_text = (row.get("nightly_price_nok") or "").strip().replace(" ", "")
    if price_text:
        try:
            price = Decimal(price_text.replace(",", "."))
        except InvalidOperation:
            raise _Bad(f"nightly_price_nok «{shown(price_text)}» er ikke et tall", "nightly_price_nok") from None
        problem = price_problem(price)
        if problem:  # what billing and stats can store: 0 to 100 000 NOK in whole øre
            raise _Bad(f"nightly_price_nok «{shown(price_text)}» {problem} (0 til 100 000 kr, i hele øre)",
                       "nightly_price_nok")
        price = price.quantize(ORE)
    else:
        price = provider.price_per_night or Decimal(0)
    stay = stay_id(ref, municipality, row["provider"], check_in)
    return ImportedStay(
        line=line, stay_id=stay, household_id=household_id(municipality, office.name, ref),
        decision_id=decision_id(stay), office=office, municipality=municipality, district=district,
        household=HouseholdFacts(applicant, tuple(children), 1, {}), provider=provider,
        accommodation=accommodation, agreement_kind=agreement, price_per_night=price, check_in=check_in,
        check_out=check_out, destination=(reason or "unknown") if check_out else None,
        authorised_to=(check_out - timedelta(days=1)) if check_out else max(today, check_in))


def check_together(stays: list[ImportedStay], existing: dict[UUID, list[tuple[UUID, date, date | None]]],
                   ) -> tuple[list[ImportedStay], list[RowError]]:
    """Rules across rows: a row twice in the file, and a household's stays overlapping (with each other or with
    stays already imported). `existing` holds, per household, its stays already in placement."""
    good, bad = [], []
    seen: dict[UUID, int] = {}
    spans: dict[UUID, list[tuple[UUID, date, date | None, int | None]]] = {
        h: [(s, a, b, None) for s, a, b in spans] for h, spans in existing.items()}
    for stay in stays:
        if stay.stay_id in seen:
            bad.append(RowError(stay.line, f"samme opphold som linje {seen[stay.stay_id]} (household_ref, "
                                           "municipality, provider og check_in)"))
            continue
        seen[stay.stay_id] = stay.line
        clash = None
        for other, start, end, line in spans.get(stay.household_id, []):
            if other == stay.stay_id:
                continue
            if stay.check_in < (end or date.max) and start < (stay.check_out or date.max):
                clash = line
                break
        else:
            spans.setdefault(stay.household_id, []).append(
                (stay.stay_id, stay.check_in, stay.check_out, stay.line))
            good.append(stay)
            continue
        where = f"linje {clash}" if clash else "et opphold som allerede er registrert"
        bad.append(RowError(stay.line, f"oppholdet overlapper med {where} for samme husstand", "check_in"))
    return good, bad


@dataclass(frozen=True)
class StayImported:
    """Domain event: an imported stay was written. It goes out as the same events as live work (placed, then
    moved out when the stay has ended; capacity when it is open), with ids fixed by the stay."""

    stay: ImportedStay
    unit: Unit
    imported_on: date
    at: datetime

    def event_ids(self) -> list[UUID]:
        kinds = ["placed"] + (["moved-out"] if self.stay.check_out else ["capacity"])
        return [event_id(self.stay.stay_id, k) for k in kinds]


def allocate_units(stays: list[ImportedStay], units: list[tuple[Unit, int]]) -> list[RowError]:
    """Give each stay a unit of its provider: an open stay a unit nobody lives in now (a unit takes one
    household), first by name; an ended stay the provider's first unit (history fills no place now)."""
    by_provider: dict[UUID, list[list]] = {}
    for unit, households in units:
        by_provider.setdefault(unit.provider_id, []).append([unit, households])
    errors = []
    for stay in stays:
        options = by_provider.get(stay.provider.id, [])
        if not options:
            errors.append(RowError(stay.line, f"tilbyderen {stay.provider.name} har ingen registrerte enheter",
                                   "provider"))
            continue
        if stay.check_out is not None:
            stay.unit_id = options[0][0].id
            continue
        free = next((o for o in options if o[1] == 0), None)
        if free is None:
            errors.append(RowError(stay.line, f"ingen ledig enhet hos {stay.provider.name} for et pågående "
                                              "opphold", "units", unknown=stay.provider.name))
            continue
        free[1] = 1
        stay.unit_id = free[0].id
    return errors


WHAT_TO_DO = {
    "office": "Skriv kontorets navn slik det står i kontorregisteret (for eksempel «Nav Grünerløkka»), eller be en "
              "administrator registrere kontoret (Nav-kontorer, /intake/offices, eller botilbud offices import).",
    "provider": "Registrer tilbyderen i plassering først (Tilbydere → Registrer tilbyder, eller tilbyderfilen med "
                "botilbud providers import), eller oppgi provider_orgnr for en tilbyder som er registrert.",
    "provider_orgnr": "Kontroller organisasjonsnummeret, eller registrer tilbyderen med dette nummeret først.",
    "units": "Registrer flere enheter hos tilbyderen (Tilbydere → tilbyderen → Ny enhet), eller registrer "
             "utflytting for husstander som har flyttet derfra.",
}


@dataclass(frozen=True)
class Unknown:
    """An office or provider the file names that placement does not know — or a provider with fewer free units
    than the file's ongoing stays there (`units`: `count` is how many units are missing) —: once, with the lines
    naming it."""

    field: str  # office | provider | provider_orgnr | units
    name: str  # as the first such row writes it (cut short)
    lines: tuple[int, ...]  # the first `max_lines` of them
    count: int  # rows naming it
    what_to_do: str


def unknown_names(errors: list[RowError], *, max_lines: int = 20) -> list[Unknown]:
    """Each unknown office or provider once (names compared as `key` does), in the order the file first names
    them: a file of thousands of rows from an office not yet registered gives one line to act on, not
    thousands."""
    groups: dict[tuple[str, str], tuple[str, list[int]]] = {}
    for e in errors:
        if e.unknown is not None and e.field in WHAT_TO_DO:
            groups.setdefault((e.field, key(e.unknown)), (shown(e.unknown), []))[1].append(e.line)
    return [Unknown(field_name, name, tuple(lines[:max_lines]), len(lines), WHAT_TO_DO[field_name])
            for (field_name, _), (name, lines) in groups.items()]
