"""A plain, separate reading of BRIEF §5 for the property tests: every night enumerated one by one, ages
from birthdays. Deliberately not the implementation's arithmetic on date spans."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from services.stats.domain.kostra import KostraRules, StayFacts


def birthday(born: date, years: int) -> date:
    """The day someone born on `born` turns `years` (29 February's children have theirs on 1 March)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


def reference_kostra(stays: list[StayFacts], year: int, today: date, rules: KostraRules) -> dict[str, int]:
    nights: dict[object, set[date]] = {}
    stays_counted: dict[object, list[StayFacts]] = {}
    shelter: set[object] = set()
    for stay in stays:
        day = stay.check_in
        # Nights up to today at most: an open stay, and a move-out dated ahead (BRIEF §4: planned).
        last_morning = min(stay.check_out, today) if stay.check_out is not None else today
        while day < last_morning:
            if day.year == year:
                if stay.accommodation == "night_shelter":
                    shelter.add(stay.household_id)
                else:
                    nights.setdefault(stay.household_id, set()).add(day)
                    if stay not in stays_counted.setdefault(stay.household_id, []):
                        stays_counted[stay.household_id].append(stay)
            day += timedelta(days=1)
    out = {"households": 0, "households_over_3_months": 0, "households_14_days_or_less": 0,
           "households_with_children": 0, "households_with_children_over_3_months": 0, "young_households": 0,
           "young_households_over_3_months": 0, "night_shelter_households": len(shelter)}
    for household, days in nights.items():
        first = min(days)
        over = len(days) > rules.over_days
        applicant = next(s.applicant_birth_date for s in stays_counted[household]
                         if s.check_in <= first and min(s.check_out or today, today) > first)
        young = birthday(applicant, rules.young_min_age) <= first < birthday(applicant, rules.young_max_age + 1)
        children = any(born <= first < birthday(born, rules.child_max_age + 1)
                       for s in stays_counted[household] for born in s.children_birth_dates)
        out["households"] += 1
        out["households_over_3_months"] += over
        out["households_14_days_or_less"] += len(days) <= rules.short_days
        out["households_with_children"] += children
        out["households_with_children_over_3_months"] += children and over
        out["young_households"] += young
        out["young_households_over_3_months"] += young and over
    return out


YEARS = st.sampled_from([2024, 2025])  # a leap year and a common one


def _near(anchor: date, days: int):
    return st.integers(-days, days).map(lambda d: anchor + timedelta(days=d))


@st.composite
def histories(draw, year: int, max_households: int = 6):
    """Random stay histories around `year`: stays across year boundaries, several stays per household
    (moves, overlaps), open stays, night shelters, children turning 18 and applicants turning 18 or 25 in the
    year (and 29 February birthdays)."""
    from uuid import UUID
    stays = []
    for h in range(draw(st.integers(1, max_households))):
        household = UUID(int=h + 1)
        applicant = draw(st.one_of(_near(date(year - 25, 7, 1), 400), _near(date(year - 18, 7, 1), 400),
                                   _near(date(year - 40, 7, 1), 3000), st.just(date(year - 24, 2, 29)
                                                                               if year % 4 == 0 else
                                                                               date(year - 24, 3, 1))))
        children = tuple(draw(st.lists(st.one_of(_near(date(year - 18, 7, 1), 400), _near(date(year - 6, 1, 1), 2000),
                                                 _near(date(year, 6, 1), 200)), max_size=2)))
        check_in = draw(_near(date(year, 1, 1), 200))
        for _ in range(draw(st.integers(1, 4))):
            length = draw(st.one_of(st.integers(1, 20), st.integers(60, 130), st.integers(1, 420)))
            is_open = draw(st.booleans()) and draw(st.booleans())
            accommodation = draw(st.sampled_from(["temporary", "temporary", "temporary", "night_shelter"]))
            check_out = None if is_open else check_in + timedelta(days=length)
            stays.append(StayFacts(household, accommodation, check_in, check_out, applicant, children))
            gap = draw(st.integers(-10, 120))  # negative: the next stay overlaps this one
            check_in = check_in + timedelta(days=max(length + gap, 0))
    return stays
