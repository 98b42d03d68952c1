"""The weekly report's arithmetic, by hand: ISO weeks (week 1 beginning in December, week 53), length of stay
per office over a year's end, and free beds per night over a year's end with a unit changed in the week."""

from datetime import date
from uuid import uuid4

import pytest

from services.stats.domain.errors import RuleBroken
from services.stats.domain.kostra import StayFacts
from services.stats.domain.weekly import ALL_OFFICES, UnitBeds, iso_week, length_of_stay, week_of, weekly

BORN = date(1980, 1, 1)


def stay(household, check_in, check_out=None, office="nav-a", accommodation="temporary", unit=None):
    return StayFacts(household, accommodation, check_in, check_out, BORN, office_id=office, unit_id=unit)


def test_iso_weeks_cross_the_years_end_and_week_53_exists_only_in_some_years():
    assert iso_week(2026, 1).monday == date(2025, 12, 29)
    assert iso_week(2020, 53).monday == date(2020, 12, 28) and iso_week(2020, 53).end == date(2021, 1, 4)
    assert week_of(date(2021, 1, 3)) == iso_week(2020, 53)
    assert week_of(date(2026, 3, 4)).monday == date(2026, 3, 2)
    with pytest.raises(RuleBroken, match="2021 har uke 1 til 52") as refused:
        iso_week(2021, 53)
    assert refused.value.field == "week"
    with pytest.raises(RuleBroken):
        iso_week(2026, 0)


def test_length_of_stay_per_office_in_week_53():
    a, b, c, d, e = (uuid4() for _ in range(5))
    stays = [
        stay(a, date(2020, 12, 1), date(2020, 12, 30)),  # nights 28, 29 in the week; gone at its end
        stay(b, date(2020, 12, 30), date(2021, 1, 1)),  # moves on 1 January: one unbroken stay of 5 nights
        stay(b, date(2021, 1, 1)),
        stay(c, date(2020, 9, 1), office="nav-b"),  # 7 nights in the week; 125 nights at its end
        stay(d, date(2020, 12, 28), date(2021, 1, 2), office="nav-b", accommodation="night_shelter"),
        stay(e, date(2020, 11, 20), date(2021, 1, 10), office="nav-b"),  # 7 in the week; 45 at its end
    ]
    rows = length_of_stay(stays, iso_week(2020, 53), date(2021, 2, 1), {"nav-a": "Nav A", "nav-b": "Nav B"})
    assert [(r.office, r.households, r.nights, r.staying_at_end, r.by_length) for r in rows] == [
        ("Nav A", 2, 7, 1, (1, 0, 0, 0)),
        ("Nav B", 2, 14, 2, (0, 0, 1, 1)),
        (ALL_OFFICES, 4, 21, 3, (1, 0, 1, 1)),
    ]


def test_the_current_week_counts_up_to_today_across_a_months_end():
    h = uuid4()
    week = iso_week(2026, 10)  # Monday 2 March 2026
    [office, total] = length_of_stay([stay(h, date(2026, 2, 27))], week, date(2026, 3, 4))
    # Nights 2 and 3 March so far; at this morning the stay has lasted 27, 28 February, 1, 2, 3 March.
    assert (office.households, office.nights, office.staying_at_end, office.by_length) == (1, 2, 1, (1, 0, 0, 0))
    assert total.nights == 2


def test_free_beds_per_night_over_the_years_end():
    u1, u2 = uuid4(), uuid4()
    units = [UnitBeds(u1, ((date(2026, 1, 2), 3), (date(2025, 12, 31), 2))),  # registered 31.12, 3 beds from 2.1
             UnitBeds(u2, ((date(2026, 1, 1), 4),))]  # registered 1.1, never stayed in
    stays = [stay(uuid4(), date(2025, 12, 20), date(2025, 12, 31), unit=u1),  # before u1 was registered
             stay(uuid4(), date(2026, 1, 2), unit=u1)]
    report = weekly([], units, stays, iso_week(2026, 1), date(2026, 1, 2))
    assert [(n.night, n.beds, n.occupied, n.free) for n in report.nights] == [
        (date(2025, 12, 29), 2, 2, 0), (date(2025, 12, 30), 2, 2, 0), (date(2025, 12, 31), 2, 0, 2),
        (date(2026, 1, 1), 6, 0, 6), (date(2026, 1, 2), 7, 3, 4),
        (date(2026, 1, 3), None, None, None), (date(2026, 1, 4), None, None, None)]
    assert report.counted_to == date(2026, 1, 2)


def test_a_week_not_begun_is_refused():
    with pytest.raises(RuleBroken, match="ikke begynt"):
        weekly([], [], [], iso_week(2026, 12), date(2026, 3, 4))
