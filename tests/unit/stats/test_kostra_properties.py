"""KOSTRA (BRIEF §5) against a plain reference computation, over random stay histories. Pure domain: fast."""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.stats.domain.kostra import KEYS, KostraRules, StayFacts, compute
from tests.stats.reference import YEARS, histories, reference_kostra

RULES = KostraRules()


@st.composite
def cases(draw):
    year = draw(YEARS)
    stays = draw(histories(year))
    today = date(year, 1, 1) + timedelta(days=draw(st.integers(-30, 400)))
    return year, stays, today


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_every_key_matches_the_reference(case):
    year, stays, today = case
    assert compute(stays, year, today, RULES) == reference_kostra(stays, year, today, RULES)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.randoms(use_true_random=False))
def test_order_and_repeats_change_nothing(case, rnd):
    year, stays, today = case
    shuffled = stays + rnd.sample(stays, k=len(stays) // 2)
    rnd.shuffle(shuffled)
    assert compute(shuffled, year, today, RULES) == compute(stays, year, today, RULES)


@settings(max_examples=100, deadline=None)
@given(cases(), st.integers(30, 120), st.integers(3, 30))
def test_other_settings_match_the_reference_too(case, over, short):
    year, stays, today = case
    rules = KostraRules(over_days=over, short_days=short, young_min_age=18, young_max_age=23, child_max_age=15)
    assert compute(stays, year, today, rules) == reference_kostra(stays, year, today, rules)


def h(n):
    from uuid import UUID
    return UUID(int=n)


def test_worked_examples():
    """Hand-checked cases at the edges of the definitions."""
    year, today = 2025, date(2026, 3, 1)
    stays = [
        # 91 nights over two stays (move between providers): over three months; a child turning 18 on
        # 2 January is 17 on the first night counted (1 January).
        StayFacts(h(1), "temporary", date(2024, 12, 20), date(2025, 2, 1), date(1990, 1, 1), (date(2007, 1, 2),)),
        StayFacts(h(1), "temporary", date(2025, 2, 1), date(2025, 4, 2), date(1990, 1, 1), (date(2007, 1, 2),)),
        # Exactly 14 nights; applicant turns 25 on the day after the first night: young.
        StayFacts(h(2), "temporary", date(2025, 6, 1), date(2025, 6, 15), date(2000, 6, 2)),
        # Night shelter only: not a temporary-accommodation household.
        StayFacts(h(3), "night_shelter", date(2025, 3, 1), date(2025, 3, 2), date(1980, 1, 1)),
        # Open stay from 1 December: 31 nights in 2025 (it is counted up to the year's end).
        StayFacts(h(4), "temporary", date(2025, 12, 1), None, date(2006, 12, 31)),
    ]
    got = compute(stays, year, today, RULES)
    assert got == {
        "households": 3, "households_over_3_months": 1, "households_14_days_or_less": 1,
        "households_with_children": 1, "households_with_children_over_3_months": 1,
        "young_households": 2, "young_households_over_3_months": 0, "night_shelter_households": 1,
    }
    assert set(got) == set(KEYS)
    assert got == reference_kostra(stays, year, today, RULES)
