"""The municipality's reports (pure domain) and their charts: agreement with KOSTRA and the reference nights, and worked
examples for the lists of households now."""

from datetime import date, timedelta
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.stats.domain import reports
from services.stats.domain.kostra import KostraRules, StayFacts, compute
from services.stats.entrypoints.charts import bar_chart
from tests.stats.reference import YEARS, histories

RULES = KostraRules()


def reference_nights(stays, year, today):
    nights = set()
    for s in stays:
        if s.accommodation != "temporary":
            continue
        day = s.check_in
        while day < min(s.check_out or today, today):
            if day.year == year:
                nights.add((s.household_id, day))
            day += timedelta(days=1)
    return nights


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_monthly_and_length_of_stay_add_up(data):
    year = data.draw(YEARS)
    stays = data.draw(histories(year))
    today = date(year, 1, 1) + timedelta(days=data.draw(st.integers(-30, 400)))
    nights = reference_nights(stays, year, today)
    monthly = reports.monthly(stays, year, today, RULES)
    assert sum(r[5] for r in monthly.rows) == len(nights)
    for month, row in enumerate(monthly.rows, start=1):
        assert row[1] == len({h for h, d in nights if d.month == month})
    kostra = compute(stays, year, today, RULES)
    assert sum(n for _, n in reports.length_of_stay(stays, year, today).rows) == kostra["households"]
    assert sum(r[4] for r in reports.agreements(stays, year, today).rows) >= len(nights)  # overlaps count per stay


def h(n):
    return UUID(int=n)


def test_households_near_and_past_three_months():
    today = date(2025, 6, 1)
    stays = [
        # 80 nights, moved between providers on the way: near.
        StayFacts(h(1), "temporary", today - timedelta(days=80), today - timedelta(days=30), date(2003, 1, 1),
                  office_id="nav-a", provider_name="A"),
        StayFacts(h(1), "temporary", today - timedelta(days=30), None, date(2003, 1, 1), (date(2020, 1, 1),),
                  office_id="nav-a", provider_name="B"),
        # 91 nights: past.
        StayFacts(h(2), "temporary", today - timedelta(days=91), None, date(1980, 1, 1), office_id="nav-b"),
        # 76 nights: not yet near (near is more than 90 − 14 = 76).
        StayFacts(h(3), "temporary", today - timedelta(days=76), None, date(1980, 1, 1), office_id="nav-b"),
        # Moved out: not in accommodation now.
        StayFacts(h(4), "temporary", today - timedelta(days=200), today, date(1980, 1, 1), office_id="nav-b"),
        # A night shelter does not count.
        StayFacts(h(5), "night_shelter", today - timedelta(days=200), None, date(1980, 1, 1), office_id="nav-b"),
    ]
    table = reports.three_months_now(stays, today, RULES)
    assert [(r[0], r[3], r[4], r[5], r[6], r[7]) for r in table.rows] == [
        ("nav-b", 91, "Nei", "Nei", "", "Over 3 måneder"),
        ("nav-a", 80, "Ja", "Ja", "B", "Nærmer seg 3 måneder"),
    ]
    families = reports.families_and_young_now(stays, today, RULES)
    assert families.rows == [("nav-a", 1, 1, 1, 1), ("nav-b", 2, 0, 0, 0)]


def test_exports_never_hand_a_spreadsheet_a_formula():
    import io

    from openpyxl import load_workbook

    from kit import exports

    rows = [("=HYPERLINK(\"http://x\")", 3), ("Blå Kors", 2)]
    sheet = load_workbook(io.BytesIO(exports.to_xlsx("t", ["Tilbyder", "Plasser"], rows))).active
    assert sheet["A2"].value == "'=HYPERLINK(\"http://x\")" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 3 and sheet["A3"].value == "Blå Kors"
    text = exports.to_csv(["Tilbyder", "Plasser"], rows).decode("utf-8-sig")
    assert text.splitlines()[1].startswith('"\'=HYPERLINK')


def test_a_charts_numbers_are_written_as_the_table_writes_them():
    svg = bar_chart("Gjennomsnittlig botid", ["Nav Grünerløkka", "Nav Sagene"], [("Døgn", [12.5, 12345.0])])
    assert ">12,5<" in svg and ">12\xa0345<" in svg and "12.5" not in svg
    assert 'style="' not in svg  # the site's CSP allows no inline style
