"""The weekly report's page, API and files on fakes: a week chosen by number or by a date (default the current
week), week 53 refused where there is none, the numbers as the domain computes them, CSV and XLSX alike."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from uuid import UUID

from openpyxl import load_workbook

from services.stats.domain.weekly import UnitBeds
from tests.unit.stats.fakes import FakeQueries
from tests.unit.stats.web import LEADER, app_with, as_user, household

UNIT = UUID(int=99)
TODAY = date(2026, 1, 2)  # a Friday in week 1 of 2026, which began on Monday 29 December 2025


def app():
    stays = [("0301", "Grünerløkka", replace(household(1, date(2025, 12, 20), date(2025, 12, 31)), unit_id=UNIT)),
             ("0301", "Grünerløkka", replace(household(2, date(2026, 1, 1)), unit_id=UNIT))]
    queries = FakeQueries(stays=stays, units=[UnitBeds(UNIT, ((date(2025, 12, 31), 2),))],
                          names={"nav-grunerlokka": "Nav Grünerløkka"})
    return app_with(queries, today=lambda: TODAY)


async def test_the_current_week_by_default_and_the_same_numbers_in_json_csv_and_xlsx():
    a = app()
    async with as_user(a, LEADER) as c:
        body = (await c.get("/api/reports/uke", params={"municipality": "0301"})).json()
        by_date = (await c.get("/api/reports/uke", params={"municipality": "0301", "date": "2025-12-31"})).json()
        text = (await c.get("/api/reports/uke", params={"municipality": "0301", "format": "csv"})).content
        xlsx = (await c.get("/api/reports/uke", params={"municipality": "0301", "format": "xlsx"})).content
    assert (body["year"], body["week"], body["monday"], body["counted_to"]) == (2026, 1, "2025-12-29", "2026-01-02")
    assert by_date == body
    office, total = body["offices"]
    # Household 1: nights 29 and 30 December; household 2: the night of 1 January, staying at the end (1 night).
    assert office == {"office": "Nav Grünerløkka", "households": 2, "nights": 3, "staying_at_end": 1,
                      "by_length": {"0–7 døgn": 1, "8–30 døgn": 0, "31–90 døgn": 0, "Over 90 døgn": 0}}
    assert total["office"] == "Alle kontorer" and total["nights"] == 3
    assert [(n["beds"], n["occupied"], n["free"]) for n in body["nights"]] == [
        (2, 2, 0), (2, 2, 0), (2, 0, 2), (2, 2, 0), (2, 2, 0), (None, None, None), (None, None, None)]
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Kontor", "Husstander i uka", "Døgn i uka"] and rows[1][:4] == ["Nav Grünerløkka", "2",
                                                                                            "3", "1"]
    night = next(r for r in rows if r and r[0] == "onsdag 31.12.2025")
    assert night == ["onsdag 31.12.2025", "2", "0", "2"]
    assert ["Hele uka (plassdøgn)", "10", "8", "2"] in rows
    sheet = [[c for c in r] for r in load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True)]
    assert list(sheet[1][:4]) == ["Nav Grünerløkka", 2, 3, 1]
    assert any(r[:4] == ("onsdag 31.12.2025", 2, 0, 2) for r in map(tuple, sheet))


async def test_a_week_that_does_not_exist_or_has_not_begun_is_refused():
    a = app()
    async with as_user(a, LEADER) as c:
        api = await c.get("/api/reports/uke", params={"municipality": "0301", "year": 2025, "week": 53})
        later = await c.get("/api/reports/uke", params={"municipality": "0301", "year": 2026, "week": 2})
        # A date at the calendar's edge: its week would run past the last date there is.
        edges = [await c.get("/api/reports/uke", params={"municipality": "0301", "date": day})
                 for day in ("9999-12-31", "0001-01-01")]
    async with as_user(a, LEADER, page=True) as c:
        page = await c.get("/rapporter/uke", params={"year": "2025", "week": "53"})
        typo = await c.get("/rapporter/uke", params={"date": "31.02.2025"})
    assert api.status_code == 422 and api.json()["errors"][0]["loc"][-1] == "week"
    assert "2025 har uke 1 til 52" in api.json()["detail"]
    assert later.status_code == 422 and "ikke begynt" in later.json()["detail"]
    for edge in edges:
        assert edge.status_code == 422 and edge.json()["errors"][0]["loc"] == ["query", "date"], edge.text
    assert page.status_code == 422 and 'id="week-error"' in page.text and "2025 har uke 1 til 52" in page.text
    assert typo.status_code == 422 and 'id="date-error"' in typo.text and 'value="31.02.2025"' in typo.text


async def test_the_page_shows_the_week_in_norwegian():
    async with as_user(app(), LEADER, page=True) as c:
        r = await c.get("/rapporter/uke", params={"year": "2026", "week": "1", "municipality": "0301"})
    assert r.status_code == 200
    assert "uke 1 2026" in r.text and "Mandag 29.12.2025 til søndag 04.01.2026" in r.text
    assert "onsdag 31.12.2025" in r.text and "Ikke talt ennå" in r.text and "Nav Grünerløkka" in r.text
    assert "format=csv" in r.text and "format=xlsx" in r.text
    assert "2025-12" not in r.text.split("<main", 1)[-1].split("format=")[0]
