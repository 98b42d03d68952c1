"""Where things are: Oslo's districts and which municipalities count as near each other. Pure Python.

**Near** (matching starts at home, issue 15.5): a place is *home* when it is in the decision's municipality
(*home district* when it is also in the decision's Oslo district), *near* when its municipality is in the same
county — the first two digits of the kommunenummer (SSB, 2024 numbering: 11 Rogaland, 18 Nordland, 32
Akershus, 50 Trøndelag …) — or is one of the few neighbours across a county line listed in `NEIGHBOURS`, and
*elsewhere* otherwise. The rule is deliberately simple: a county is the area a Nav office's case workers
already look in when their own municipality is full."""

from __future__ import annotations

import unicodedata
from enum import IntEnum
from functools import lru_cache

# Oslo's districts (bydeler) with their numbers (SSB: 0301 + two digits).
OSLO = "0301"
OSLO_DISTRICTS = {
    1: "Gamle Oslo", 2: "Grünerløkka", 3: "Sagene", 4: "St. Hanshaugen", 5: "Frogner", 6: "Ullern",
    7: "Vestre Aker", 8: "Nordre Aker", 9: "Bjerke", 10: "Grorud", 11: "Stovner", 12: "Alna", 13: "Østensjø",
    14: "Nordstrand", 15: "Søndre Nordstrand", 16: "Sentrum", 17: "Marka",
}

# Neighbours across a county line (both ways): Oslo (its own county) and the Akershus municipalities that
# border it; Asker and Drammen, whose camping and apartment hotel Nav Asker uses (Fafo-notat 2026:05 §6.1).
NEIGHBOURS: frozenset[frozenset[str]] = frozenset(frozenset(pair) for pair in (
    ("0301", "3201"), ("0301", "3205"), ("0301", "3207"), ("0301", "3222"), ("0301", "3232"),  # Oslo: Bærum,
    # Lillestrøm, Nordre Follo, Lørenskog, Nittedal
    ("3203", "3301"),  # Asker – Drammen
))


class Nearness(IntEnum):
    """How near a place is to the household's office, nearest first (the order matching lists places in)."""

    HOME_DISTRICT = 0
    HOME = 1
    NEAR = 2
    ELSEWHERE = 3


NEARNESS_NB = {Nearness.HOME_DISTRICT: "Samme bydel", Nearness.HOME: "Samme kommune",
               Nearness.NEAR: "Nabokommune", Nearness.ELSEWHERE: "Annen kommune"}


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def county(municipality: str) -> str:
    return municipality[:2]


def near(a: str, b: str) -> bool:
    """Two different municipalities that count as near (same county, or listed neighbours)."""
    return a != b and (county(a) == county(b) or frozenset((a, b)) in NEIGHBOURS)


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
