"""Ages as the services count them (pure.ages): whole years from the birthday on."""

from datetime import date

from pure.ages import age_on


def test_a_person_turns_a_year_older_on_the_birthday_not_before():
    assert age_on(date(2008, 12, 2), date(2026, 12, 1)) == 17
    assert age_on(date(2008, 12, 2), date(2026, 12, 2)) == 18


def test_a_leap_day_birthday_counts_from_the_first_of_march_in_other_years():
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18
    assert age_on(date(2008, 2, 29), date(2028, 2, 29)) == 20
