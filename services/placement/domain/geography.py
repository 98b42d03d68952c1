"""Where things are: Oslo's districts and which municipalities count as near each other. Pure Python.

**Near** (matching starts at home, issue 15.5): a place is *home* when it is in the office's municipality
(*home district* when it is also in the office's Oslo district), *near* when its municipality borders the
office's (`borders`: the bordering municipalities of the demo and reference data's municipalities, with their
sources), and *elsewhere* otherwise. For an office in a municipality the borders table does not describe, near
is the same county (the first two digits of the kommunenummer, SSB 2024: 11 Rogaland, 32 Akershus …) — a
rougher rule, but the area such an office's case workers would look in next."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

from services.placement.domain.borders import bordering, described

# Oslo's districts (bydeler) with their numbers (SSB: 0301 + two digits).
OSLO = "0301"
OSLO_DISTRICTS = {
    1: "Gamle Oslo", 2: "Grünerløkka", 3: "Sagene", 4: "St. Hanshaugen", 5: "Frogner", 6: "Ullern",
    7: "Vestre Aker", 8: "Nordre Aker", 9: "Bjerke", 10: "Grorud", 11: "Stovner", 12: "Alna", 13: "Østensjø",
    14: "Nordstrand", 15: "Søndre Nordstrand", 16: "Sentrum", 17: "Marka",
}

class Nearness(IntEnum):
    """How near a place is to the household's office, nearest first (the order matching lists places in)."""

    HOME_DISTRICT = 0
    HOME = 1
    NEAR = 2
    ELSEWHERE = 3


NEARNESS_NB = {Nearness.HOME_DISTRICT: "Samme bydel", Nearness.HOME: "Samme kommune",
               Nearness.NEAR: "Nabokommune", Nearness.ELSEWHERE: "Annen kommune"}


@dataclass(frozen=True)
class Home:
    """Where a household's office is: matching starts here."""

    municipality: str
    district: str | None = None

    def nearness(self, municipality: str, district: str | None) -> Nearness:
        return nearness(self.municipality, self.district, municipality, district)


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def county(municipality: str) -> str:
    return municipality[:2]


def near(home: str, other: str) -> bool:
    """Whether a place in `other` is near for an office in `home`: bordering, or (when the borders table does not
    describe `home`) in the same county."""
    if home == other:
        return False
    if bordering(home, other):
        return True
    return not described(home) and county(home) == county(other)


def nearness(home_municipality: str, home_district: str | None, municipality: str,
             district: str | None) -> Nearness:
    if municipality == home_municipality:
        if home_district and district and _key(home_district) == _key(district):
            return Nearness.HOME_DISTRICT
        return Nearness.HOME
    return Nearness.NEAR if near(home_municipality, municipality) else Nearness.ELSEWHERE


@lru_cache(maxsize=512)
def oslo_district(value: str) -> str | None:
    """An Oslo district by name (any case, with or without "Bydel") or number (`2`, `02` or `030102`), as Oslo
    spells it; None when there is no such district."""
    value = value.strip()
    number = value.removeprefix(OSLO) if len(value) == 6 else value
    if number.isdigit():
        return OSLO_DISTRICTS.get(int(number))
    wanted = _key(value.removeprefix("Bydel ").removeprefix("bydel "))
    return next((n for n in OSLO_DISTRICTS.values() if _key(n) == wanted), None)
