"""KOSTRA counters (SSB skjema 13, table 12015), exactly as BRIEF §5 defines them. Pure Python.

A stay's nights are the dates from check-in up to the day before check-out; an open stay counts up to
today, and so does a stay whose check-out is still to come (nights are never counted ahead of today). Only
nights inside the reporting year count; night-shelter nights never count as temporary accommodation. The day
limits and age bands are settings, printed beside every report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from pure.ages import age_on

KEYS = (
    "households", "households_over_3_months", "households_14_days_or_less", "households_with_children",
    "households_with_children_over_3_months", "young_households", "young_households_over_3_months",
    "night_shelter_households",
)


@dataclass(frozen=True)
class KostraRules:
    over_days: int = 90
    short_days: int = 14
    young_min_age: int = 18
    young_max_age: int = 24
    child_max_age: int = 17


@dataclass(frozen=True)
class StayFacts:
    household_id: object
    accommodation: str  # temporary | night_shelter
    check_in: date
    check_out: date | None
    applicant_birth_date: date
    children_birth_dates: tuple[date, ...] = ()
    adults: int = 1
    agreement_kind: str | None = None
    destination: str | None = None
    office_id: str | None = None
    provider_name: str | None = None
    justified: bool = False
    unit_id: object = None




def last_morning(stay: StayFacts, today: date) -> date:
    """The morning after the stay's last night counted: check-out, but never after today (an open stay, or a
    move-out dated ahead, counts up to today)."""
    return min(stay.check_out, today) if stay.check_out is not None else today


def nights_in_year(stay: StayFacts, year: int, today: date) -> tuple[int, date | None]:
    """Nights of the stay inside the year, and the first of them."""
    span = _span_in_year(stay, year, today)
    return ((span[1] - span[0]).days, span[0]) if span else (0, None)


def _span_in_year(stay: StayFacts, year: int, today: date) -> tuple[date, date] | None:
    """The stay's nights inside the year as [first night, morning after the last night), or None."""
    end = last_morning(stay, today)
    first = max(stay.check_in, date(year, 1, 1))
    last_exclusive = min(end, date(year + 1, 1, 1))
    return (first, last_exclusive) if last_exclusive > first else None


def _distinct_nights(spans: list[tuple[date, date]]) -> int:
    """Nights covered by the spans, each night once (overlapping stays do not count a night twice)."""
    total, reach = 0, None
    for first, end in sorted(spans):
        if reach is None or first >= reach:
            total += (end - first).days
            reach = end
        elif end > reach:
            total += (end - reach).days
            reach = end
    return total


def compute(stays: Iterable[StayFacts], year: int, today: date, rules: KostraRules) -> dict[str, int]:
    temporary: dict[object, list[tuple[date, date, StayFacts]]] = {}
    sheltered: set[object] = set()
    for stay in stays:
        span = _span_in_year(stay, year, today)
        if span is None:
            continue
        if stay.accommodation == "night_shelter":
            sheltered.add(stay.household_id)
        else:
            temporary.setdefault(stay.household_id, []).append((span[0], span[1], stay))
    counts = dict.fromkeys(KEYS, 0)
    counts["night_shelter_households"] = len(sheltered)
    for counted in temporary.values():
        total = _distinct_nights([(first, end) for first, end, _ in counted])
        first_night, _, first_stay = min(counted, key=lambda c: (c[0], c[2].check_in, c[1]))
        over = total > rules.over_days
        children = any(
            child <= first_night and age_on(child, first_night) <= rules.child_max_age
            for _, _, stay in counted for child in stay.children_birth_dates)
        young = rules.young_min_age <= age_on(first_stay.applicant_birth_date, first_night) <= rules.young_max_age
        counts["households"] += 1
        counts["households_over_3_months"] += over
        counts["households_14_days_or_less"] += total <= rules.short_days
        counts["households_with_children"] += children
        counts["households_with_children_over_3_months"] += children and over
        counts["young_households"] += young
        counts["young_households_over_3_months"] += young and over
    return counts


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31) + timedelta(days=1)
