"""Stats' API on fakes: the KOSTRA answer and its files, the reports, the bounds of every query parameter,
who may do what, and the rebuild's answers."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from services.stats.adapters.queries import OccupancyRow, SpendRow
from services.stats.domain.rebuild import IncompleteLog, RebuildOutcome, RebuildRunning, ReplayTally
from services.stats.service_layer.views import REPORTS
from tests.unit.stats.fakes import FakeQueries
from tests.unit.stats.web import ADMIN, FINANCE, LEADER, OPERATIONS, WORKER, app_with, as_user, household

OSLO = [("0301", "Grünerløkka", household(1, date(2025, 1, 10), date(2025, 5, 1), children=(date(2015, 1, 1),))),
        ("0301", "Sagene", household(2, date(2025, 5, 20), None, born=date(2004, 3, 1), office="nav-sagene")),
        ("0301", "Sagene", household(3, date(2025, 2, 1), date(2025, 2, 2), accommodation="night_shelter")),
        ("5001", None, household(4, date(2025, 3, 1), date(2025, 3, 5)))]
KOSTRA = "/api/kostra?year=2025&municipality=0301"


@pytest.fixture
def app():
    return app_with(FakeQueries(stays=list(OSLO)))


async def test_kostra_answers_the_counters_with_the_area_and_settings(app):
    async with as_user(app, LEADER) as c:
        r = await c.get(KOSTRA)
    assert r.status_code == 200
    assert r.json() == {
        "year": 2025, "municipality": "0301", "district": None, "households": 2, "households_over_3_months": 1,
        "households_14_days_or_less": 1, "households_with_children": 1, "households_with_children_over_3_months": 1,
        "young_households": 1, "young_households_over_3_months": 0, "night_shelter_households": 1,
        "settings": {"over_days": 90, "short_days": 14, "young_min_age": 18, "young_max_age": 24,
                     "child_max_age": 17}}


async def test_a_district_counts_its_own_households(app):
    async with as_user(app, WORKER) as c:
        r = await c.get(KOSTRA + "&district=Sagene")
    assert (r.json()["district"], r.json()["households"], r.json()["night_shelter_households"]) == ("Sagene", 1, 1)


async def test_kostra_as_csv_and_xlsx_carries_the_same_numbers_and_the_settings(app):
    async with as_user(app, FINANCE) as c:
        report = (await c.get(KOSTRA)).json()
        csv = await c.get(KOSTRA + "&district=Grünerløkka&format=csv")
        xlsx = await c.get(KOSTRA + "&format=xlsx")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.headers["content-disposition"] == 'attachment; filename="kostra-2025-0301-grunerlokka.csv"'
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Nøkkel;Teller;Husstander" and "district;Bydel;Grünerløkka" in lines
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = {row[0]: row[2] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert values["households"] == report["households"] and values["settings.over_days"] == 90


@pytest.mark.parametrize(("query", "field"), [
    ("year=1999&municipality=0301", "year"), ("year=20x5&municipality=0301", "year"),
    ("year=2025&municipality=301", "municipality"), ("year=2025&municipality=0301&format=pdf", "format"),
    ("year=2025&municipality=0301&district=" + "x" * 5000, "district"),
    ("year=2025&municipality=0301&district=Sag%00ene", "district"),
    ("year=2025&municipality=0301&district=%1b%5B31m", "district"),
    ("year=2025&municipality=0301&district=", "district"),
    ("year=2025", "municipality"),
])
async def test_bad_query_parameters_are_a_422_naming_the_field(app, query, field):
    async with as_user(app, LEADER) as c:
        for path in ("/api/kostra", "/api/reports/maned"):
            r = await c.get(f"{path}?{query}")
            assert r.status_code == 422, (path, query)
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["errors"][0]["loc"] == ["query", field]
            assert "x" * 100 not in r.text and "\x00" not in r.text  # the input is never echoed


async def test_a_report_key_is_bounded_and_an_unknown_one_is_a_404(app):
    async with as_user(app, LEADER) as c:
        unknown = await c.get("/api/reports/nope?year=2025&municipality=0301")
        long = await c.get("/api/reports/" + "x" * 500 + "?year=2025&municipality=0301")
    assert unknown.status_code == 404 and "maned" in unknown.json()["detail"]
    assert long.status_code == 422 and long.json()["errors"][0]["loc"] == ["path", "key"]


async def test_without_login_the_api_answers_401():
    async with as_user(app_with(), None) as c:
        assert (await c.get(KOSTRA)).status_code == 401
        assert (await c.post("/api/rebuild")).status_code == 401


async def test_the_report_list_names_every_report(app):
    async with as_user(app, WORKER) as c:
        assert (await c.get("/api/reports")).json() == [{"key": k, "title": t} for k, t in REPORTS.items()]


async def test_a_report_answers_columns_rows_note_and_settings(app):
    async with as_user(app, LEADER) as c:
        r = (await c.get("/api/reports/botid?year=2025&municipality=0301")).json()
    assert r["columns"] == ["Døgn i året", "Husstander"] and r["key"] == "botid" and r["year"] == 2025
    assert sum(n for _, n in r["rows"]) == 2 and r["settings"]["short_days"] == 14


async def test_the_list_of_households_shows_an_office_its_own_only():
    long_stays = FakeQueries(stays=[("0301", "Grünerløkka", household(1, date(2025, 1, 2))),
                                    ("0301", "Sagene", household(2, date(2025, 1, 3), office="nav-sagene"))])
    app = app_with(long_stays)
    path = "/api/reports/tre-maneder?year=2025&municipality=0301"
    async with as_user(app, WORKER) as c:
        own = (await c.get(path)).json()["rows"]
    async with as_user(app, OPERATIONS) as c:
        every = (await c.get(path)).json()["rows"]
    assert [r[0] for r in own] == ["nav-grunerlokka"]
    assert sorted(r[0] for r in every) == ["nav-grunerlokka", "nav-sagene"]


async def test_amounts_keep_their_json_form():
    queries = FakeQueries(spend_rows=[SpendRow("A", "framework", 2, Decimal("1500")),
                                      SpendRow("B", "none", 1, Decimal("99.50"))])
    async with as_user(app_with(queries), FINANCE) as c:
        rows = (await c.get("/api/reports/kostnader?year=2025&municipality=0301")).json()["rows"]
    assert rows == [["A", "Rammeavtale", 2, 1500], ["B", "Uten avtale", 1, 99.5]]


async def test_the_spend_csv_and_page_write_amounts_with_decimal_commas():
    queries = FakeQueries(spend_rows=[SpendRow("A", "framework", 2, Decimal("12345.5")),
                                      SpendRow("B", "none", 1, Decimal("99.50"))])
    async with as_user(app_with(queries), FINANCE) as c:
        csv = await c.get("/api/reports/kostnader?year=2025&municipality=0301&format=csv")
        page = await c.get("/rapporter/kostnader?year=2025&municipality=0301")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Tilbyder;Avtale;Fakturaer;Beløp (kr)"
    assert lines[1:3] == ["A;Rammeavtale;2;12345,5", "B;Uten avtale;1;99,50"]
    assert "12\xa0345,50" in page.text and "12345.5" not in page.text


async def test_a_provider_name_with_a_control_character_still_gives_the_occupancy_spreadsheet():
    queries = FakeQueries(occupancy_rows=[OccupancyRow("Hotell\x01 Nord", "none", "temporary", 2, 10, 4),
                                          OccupancyRow("=Blå Kors", "framework", "temporary", 1, 5, 5)])
    async with as_user(app_with(queries), LEADER) as c:
        r = await c.get("/api/reports/belegg?year=2025&municipality=0301&format=xlsx")
        csv = await c.get("/api/reports/belegg?year=2025&municipality=0301&format=csv")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet["A2"].value == "Hotell? Nord" and sheet["G2"].value == 6
    assert sheet["A3"].value == "'=Blå Kors"  # a formula never reaches a spreadsheet
    assert csv.status_code == 200 and "Hotell" in csv.content.decode("utf-8-sig")


def rebuilding(outcome=None, error=None):
    async def run():
        if error:
            raise error
        return outcome
    return run


async def test_operations_and_admin_rebuild_others_may_not():
    done = RebuildOutcome(__import__("uuid").UUID(int=1), ReplayTally(42, 40, 38, 0))
    app = app_with(rebuild=rebuilding(done))
    for user in (OPERATIONS, ADMIN):
        async with as_user(app, user) as c:
            r = await c.post("/api/rebuild")
        assert r.status_code == 200 and r.json() == {"events_replayed": 42}
    for user in (WORKER, LEADER, FINANCE):
        async with as_user(app, user) as c:
            assert (await c.post("/api/rebuild")).status_code == 403


@pytest.mark.parametrize("error", [RebuildRunning(), IncompleteLog(ReplayTally(5, 5, 9, 4))])
async def test_a_refused_rebuild_is_a_409_problem_saying_why(error):
    async with as_user(app_with(rebuild=rebuilding(error=error)), OPERATIONS) as c:
        r = await c.post("/api/rebuild")
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == str(error)


async def test_a_process_without_a_broker_cannot_rebuild():
    async with as_user(app_with(rebuild=None), ADMIN) as c:
        r = await c.post("/api/rebuild")
    assert r.status_code == 503 and "ikke tilgjengelig" in r.json()["detail"]


def test_every_api_route_documents_its_answer_and_downloads_are_binary():
    schema = app_with().openapi()
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            ok = op["responses"]["200"]["content"]
            assert "$ref" in str(ok["application/json"]["schema"]), (method, path)
    for path in ("/api/kostra", "/api/reports/{key}"):
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert content["text/csv"]["schema"]["format"] == "binary"
        assert content["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]["schema"] == {
            "type": "string", "format": "binary"}
    assert "409" in schema["paths"]["/api/rebuild"]["post"]["responses"]
