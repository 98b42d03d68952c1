"""Providers (tilbydere) and their units, agreements, limits and inspections. Pure Python: no I/O, no frameworks.

A provider and a unit are aggregates: each records its own domain events."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from stdnum.no import orgnr as orgnr_number

from services.placement.domain import events as ev
from services.placement.domain.errors import RuleBroken
from services.placement.domain.events import Aggregate, recorded
from services.placement.domain.values import (
    MAX_AGE,
    MAX_BEDS,
    MAX_FIXED_PLACES,
    check_count,
    check_price,
    check_text,
)

PROVIDER_KINDS = ("municipal", "non_profit", "private")
ACCOMMODATIONS = ("temporary", "night_shelter")
AGREEMENT_KINDS = ("framework", "quality", "operating", "municipal", "none")
TARGET_GROUPS = ("substance_use_low_boevne", "substance_use", "singles_couples", "families", "young")
SEX_LIMITS = ("women_only", "men_and_non_binary_only")
KITCHENS = ("own", "shared", "none")
INSPECTION_RESULTS = ("approved", "remarks", "failed")
CHECKLIST_KEY = re.compile(r"[a-z][a-z0-9_]{0,49}")
MAX_CHECKLIST_ITEMS = 50
STAFFED_HOURS_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 254
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
# What a change of a provider replaces (its id, slug and inspections stay).
PROVIDER_FIELDS = ("name", "orgnr", "kind", "municipality", "district", "accommodation", "agreement", "address",
                   "limits", "email")


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
class Provider(Aggregate):
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
    email: str | None = None  # where requisitions are sent
    events: list[object] = recorded()

    @property
    def agreement_kind(self) -> str:
        return self.agreement.kind

    @property
    def price_per_night(self) -> Decimal | None:
        return self.agreement.price_per_night

    @property
    def fixed_places(self) -> int:
        return self.agreement.fixed_places

    def change_to(self, details: Provider) -> None:
        """Take the new details (`checked_provider`); the id, slug and inspections stay."""
        for name in PROVIDER_FIELDS:
            setattr(self, name, getattr(details, name))
        self.record(ev.ProviderChanged(replace(self)))


@dataclass
class Unit(Aggregate):
    id: UUID
    provider_id: UUID
    name: str
    beds: int
    address: str
    facilities: dict[str, object] = field(default_factory=dict)
    slug: str | None = None
    events: list[object] = recorded()

    def change(self, *, name: str | None = None, beds: int | None = None, address: str | None = None,
               facilities: dict[str, object] | None = None) -> None:
        if beds is not None:
            self.beds = check_beds(beds)
        if name is not None:
            self.name = _unit_name(name)
        if address is not None:
            self.address = _address(address) or self.address
        if facilities is not None:
            self.facilities = check_facilities({**self.facilities, **facilities})
        self.record(ev.UnitChanged(replace(self)))

    def record_capacity(self, provider: Provider, households: int, at: datetime) -> None:
        self.record(ev.CapacityChanged(provider, replace(self), households, at))


# --- checks and factories --------------------------------------------------------------------------------------

def _one_of(value, allowed, field_name: str, label: str) -> None:
    if value not in allowed:
        shown = str(value)[:40]  # never echo a long input back
        raise RuleBroken(f"Ugyldig {label}: «{shown}». Velg en av: {', '.join(allowed)}.", field_name)


def new_provider(**details) -> Provider:
    """A new provider (recording ProviderRegistered), its details checked as `checked_provider` does."""
    provider = checked_provider(**details)
    provider.record(ev.ProviderRegistered(replace(provider)))
    return provider


def checked_provider(*, name: str, orgnr: str, kind: str, municipality: str, district: str | None, address: str,
                     accommodation: str, agreement: Agreement, limits: Limits, slug: str | None = None,
                     provider_id: UUID | None = None, email: str | None = None) -> Provider:
    """A provider's details checked: the org number must pass the mod-11 check; text, money and counts are
    bounded (`values`); an e-mail address has one @ and a domain."""
    name = check_text((name or "").strip(), "name", "Navn", max_length=200)
    if not name:
        raise RuleBroken("Navn må fylles ut.", "name")
    number = orgnr_number.compact(check_text(orgnr or "", "orgnr", "Organisasjonsnummeret", max_length=20))
    if not orgnr_number.is_valid(number):
        raise RuleBroken("Organisasjonsnummeret er ugyldig (9 siffer med gyldig kontrollsiffer).", "orgnr")
    _one_of(kind, PROVIDER_KINDS, "kind", "type tilbyder")
    if not re.fullmatch(r"\d{4}", municipality or ""):
        raise RuleBroken("Kommunenummer må ha fire siffer.", "municipality")
    district = check_text((district or "").strip(), "district", "Bydel", max_length=100) or None
    address = _address(address)
    if not address:
        raise RuleBroken("Adresse må fylles ut.", "address")
    email = check_text((email or "").strip(), "email", "E-postadressen", max_length=EMAIL_MAX_LENGTH) or None
    if email is not None and not EMAIL.fullmatch(email):
        raise RuleBroken("E-postadressen må se ut som navn@domene.no.", "email")
    _one_of(accommodation, ACCOMMODATIONS, "accommodation", "botilbudstype")
    _one_of(agreement.kind, AGREEMENT_KINDS, "agreement.kind", "avtaletype")
    agreement = replace(agreement, price_per_night=check_price(agreement.price_per_night,
                                                               "agreement.price_per_night"))
    if isinstance(agreement.fixed_places, int) and agreement.fixed_places < 0:
        raise RuleBroken("Faste plasser kan ikke være negativt.", "agreement.fixed_places")
    check_count(agreement.fixed_places, "agreement.fixed_places", "Faste plasser", low=0, high=MAX_FIXED_PLACES)
    if agreement.valid_from and agreement.valid_to and agreement.valid_to < agreement.valid_from:
        raise RuleBroken("Avtalen kan ikke slutte før den begynner.", "agreement.valid_to")
    for group in agreement.target_groups:
        _one_of(group, TARGET_GROUPS, "agreement.target_groups", "målgruppe")
    if limits.sex is not None:
        _one_of(limits.sex, SEX_LIMITS, "limits.sex", "kjønnsbegrensning")
    for age, where, label in ((limits.min_age, "limits.min_age", "Laveste alder"),
                              (limits.max_age, "limits.max_age", "Høyeste alder")):
        if age is not None:
            check_count(age, where, label, low=0, high=MAX_AGE)
    if limits.min_age is not None and limits.max_age is not None and limits.max_age < limits.min_age:
        raise RuleBroken("Høyeste alder kan ikke være lavere enn laveste.", "limits.max_age")
    return Provider(provider_id or uuid4(), name, number, kind, municipality, district, accommodation, agreement,
                    address, limits, None, slug, email)


def _address(address: str | None) -> str:
    return check_text((address or "").strip(), "address", "Adressen", max_length=300)


def _unit_name(name: str) -> str:
    name = check_text((name or "").strip(), "name", "Navn på enheten", max_length=200)
    if not name:
        raise RuleBroken("Navn på enheten må fylles ut.", "name")
    return name


def checked_unit(provider: Provider, *, name: str, beds: int, address: str | None = None,
                 facilities: dict[str, object] | None = None, slug: str | None = None,
                 unit_id: UUID | None = None) -> Unit:
    """A unit's details checked (its address is the provider's unless given)."""
    name = _unit_name(name)
    check_beds(beds)
    return Unit(unit_id or uuid4(), provider.id, name, beds, _address(address) or provider.address,
                check_facilities(dict(facilities or {})), slug)


def new_unit(provider: Provider, **details) -> Unit:
    """Check a unit's details and make it (recording UnitRegistered)."""
    unit = checked_unit(provider, **details)
    unit.record(ev.UnitRegistered(replace(unit)))
    return unit


def check_beds(beds: int) -> int:
    if isinstance(beds, bool) or not isinstance(beds, int) or beds < 1:
        raise RuleBroken("En enhet må ha minst én seng.", "beds")
    if beds > MAX_BEDS:
        raise RuleBroken(f"En enhet kan ha høyst {MAX_BEDS} senger.", "beds")
    return beds


def check_facilities(facilities: dict[str, object]) -> dict[str, object]:
    _one_of(facilities.setdefault("kitchen", "none"), KITCHENS, "facilities.kitchen", "kjøkken")
    hours = facilities.get("staffed_hours")
    if hours is not None:
        if not isinstance(hours, str):
            raise RuleBroken("Bemanning må være en tekst.", "facilities.staffed_hours")
        check_text(hours, "facilities.staffed_hours", "Bemanning", max_length=STAFFED_HOURS_MAX_LENGTH)
    return facilities


def new_inspection(provider: Provider, *, inspected_on: date, result: str, next_due: date,
                   checklist: dict[str, object] | None = None) -> Inspection:
    _one_of(result, INSPECTION_RESULTS, "result", "resultat")
    if next_due <= inspected_on:
        raise RuleBroken("Neste tilsyn må være etter dette tilsynet.", "next_due")
    checklist = dict(checklist or {})
    if len(checklist) > MAX_CHECKLIST_ITEMS:
        raise RuleBroken(f"Sjekklisten kan ha høyst {MAX_CHECKLIST_ITEMS} punkter.", "checklist")
    for key, value in checklist.items():
        if not isinstance(key, str) or not CHECKLIST_KEY.fullmatch(key):
            raise RuleBroken("Sjekklistens punkter heter med små bokstaver a–z, sifre og _ (høyst 50 tegn), "
                             "for eksempel fire_safety.", "checklist")
        if not isinstance(value, bool):
            raise RuleBroken("Hvert punkt i sjekklisten er ja eller nei (true/false).", "checklist")
    return Inspection(inspected_on, result, next_due, checklist)
