"""Nights are counted up to today at most (BRIEF §4): an event may carry a move-out dated ahead (older data
does; placement now keeps such a move-out planned). No counter or report counts the nights still to come."""

from datetime import date
from uuid import UUID

from services.stats.domain import reports
from services.stats.domain.kostra import KostraRules, StayFacts, compute, nights_in_year

RULES = KostraRules()
TODAY = date(2025, 3, 10)


def stay(n, check_in, check_out, accommodation="temporary", **kw):
    return StayFacts(UUID(int=n), accommodation, check_in, check_out, date(1980, 1, 1), **kw)


def test_a_move_out_dated_ahead_counts_the_nights_up_to_today_only():
    ahead = stay(1, date(2025, 3, 1), date(2025, 6, 30))  # 121 nights planned, 9 stayed by today
    assert nights_in_year(ahead, 2025, TODAY) == (9, date(2025, 3, 1))
    counts = compute([ahead], 2025, TODAY, RULES)
    assert counts["households_over_3_months"] == 0 and counts["households_14_days_or_less"] == 1


def test_a_stay_that_starts_and_ends_ahead_counts_nothing_yet():
    later = stay(1, date(2025, 4, 1), date(2025, 4, 20))
    assert compute([later], 2025, TODAY, RULES)["households"] == 0


def test_the_monthly_report_has_no_nights_after_today():
    table = reports.monthly([stay(1, date(2025, 3, 1), date(2025, 6, 30))], 2025, TODAY, RULES)
    nights = {row[0]: row[5] for row in table.rows}
    assert nights["mars 2025"] == 9
    assert nights["april 2025"] == nights["mai 2025"] == nights["juni 2025"] == 0


def test_agreements_and_length_of_stay_count_up_to_today():
    ahead = [stay(1, date(2025, 1, 1), date(2025, 12, 1), agreement_kind="framework")]
    assert reports.agreements(ahead, 2025, TODAY).rows[0][4] == (TODAY - date(2025, 1, 1)).days
    lengths = dict(reports.length_of_stay(ahead, 2025, TODAY).rows)
    assert lengths["61–90 døgn"] == 1 and lengths["Over 180 døgn"] == 0


def test_a_household_moving_out_later_is_still_in_accommodation_tonight():
    ahead = stay(1, date(2024, 12, 20), date(2025, 5, 1), office_id="nav-a")
    table = reports.three_months_now([ahead], TODAY, RULES)
    assert [(r[0], r[3], r[7]) for r in table.rows] == [("nav-a", 80, "Nærmer seg 3 måneder")]
    assert reports.families_and_young_now([ahead], TODAY, RULES).rows == [("nav-a", 1, 0, 0, 0)]


def test_a_night_shelter_stay_dated_ahead_counts_only_if_a_night_was_spent():
    assert compute([stay(1, TODAY, date(2025, 4, 1), "night_shelter")], 2025, TODAY,
                   RULES)["night_shelter_households"] == 0
    assert compute([stay(1, date(2025, 3, 9), date(2025, 4, 1), "night_shelter")], 2025, TODAY,
                   RULES)["night_shelter_households"] == 1
