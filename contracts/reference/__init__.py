"""Reference data every service may read: Norway's municipalities (kommunenummer and names) and Oslo's
districts (bydeler), shipped with the code with their source and date.

- `municipalities.json`: Statistics Norway's classification 131 (*Standard for kommuneinndeling*), the version
  valid from 2024-01-01 — 357 municipalities and 15 counties.
- `oslo-districts.json`: SSB's classification 103 (*Standard for bydelsinndeling*) for Oslo (0301): 01 Gamle
  Oslo … 17 Marka.

A number outside these is an error wherever it enters (an office, a provider, an import), never a new
municipality. The domains stay pure: a service's composition root passes these mappings in."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

HERE = Path(__file__).parent
OSLO = "0301"


@dataclass(frozen=True)
class Classification:
    """What a reference file says about itself: which classification, valid from when, from where."""

    classification: str
    valid_from: str
    source: str


def _read(name: str) -> dict:
    return json.loads((HERE / name).read_text(encoding="utf-8"))


@cache
def municipalities() -> Mapping[str, str]:
    """Kommunenummer (4 digits) → name, e.g. "0301" → "Oslo"."""
    return MappingProxyType({m["number"]: m["name"] for m in _read("municipalities.json")["municipalities"]})


@cache
def counties() -> Mapping[str, str]:
    """Fylkesnummer (2 digits, the first two of a kommunenummer) → name."""
    return MappingProxyType({c["number"]: c["name"] for c in _read("municipalities.json")["counties"]})


@cache
def oslo_districts() -> Mapping[str, str]:
    """Oslo's district numbers (two digits; 0301 + these is SSB's six-digit bydel number) → name."""
    return MappingProxyType({d["number"]: d["name"] for d in _read("oslo-districts.json")["districts"]})


def about(name: str = "municipalities.json") -> Classification:
    raw = _read(name)
    return Classification(raw["classification"], raw["valid_from"], raw["source"])


def municipality_name(number: str) -> str | None:
    return municipalities().get(number)
