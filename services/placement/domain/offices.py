"""Nav offices as placement knows them: its own projection of intake's office events (placement never asks
intake). The history import resolves an office by its name through it, and the capacity board names offices
with it. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from services.placement.domain.errors import RuleBroken


@dataclass(frozen=True)
class RecordOffice:
    """An office's full state from OfficeRegistered, OfficeChanged or OfficeClosed (`at`: the event's time; the
    newest wins)."""

    office_id: str
    name: str
    municipality: str
    district: str | None
    closed: bool
    at: datetime


def check_municipality(number: str, municipalities: Mapping[str, str], field: str = "municipality") -> str:
    """A kommunenummer of the reference data (SSB); an unknown one is an error, never a new municipality."""
    if not re.fullmatch(r"\d{4}", number or ""):
        raise RuleBroken("Kommunenummer må ha fire siffer.", field)
    if number not in municipalities:
        raise RuleBroken(f"Ukjent kommunenummer {number}: det finnes ikke i SSBs kommuneinndeling.", field)
    return number
