"""Stats' pages on fakes: the form with a Norwegian message next to a field at fault (never a 500, whatever
is typed), the report pages, the rebuild page, and "today" as the date in Norway."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from kit import clock
from services.stats.adapters.queries import RebuildRow
from services.stats.domain.rebuild import IncompleteLog, RebuildOutcome, ReplayTally, refusal
from services.stats.service_layer.views import REPORTS
from tests.unit.stats.fakes import FakeQueries
from tests.unit.stats.web import LEADER, OPERATIONS, WORKER, app_with, as_user, household

OSLO = [("0301", "Grünerløkka", household(1, date(2025, 1, 10), date(2025, 5, 1))),
        ("0301", "Sagene", household(2, date(2025, 5, 20), None, office="nav-sagene"))]


@pytest.fixture
def app():
    return app_with(FakeQueries(stays=list(OSLO)))


async def test_the_kostra_page_shows_the_counters_and_the_settings(app):
    async with as_user(app, LEADER, page=True) as c:
        r = await c.get("/?year=2025&municipality=0301")
    assert r.status_code == 200 and 'data-key="households">2<' in r.text
    assert "Innstillinger brukt" in r.text and "format=xlsx" in r.text


@pytest.mark.parametrize(("query", "field", "message"), [
    ("year=20x5", "year", "Skriv et årstall"),
    ("municipality=30", "municipality", "fire sifre"),
    ("district=Sag%00ene", "district", "kontrolltegn"),
    ("district=%07%08%1b", "district", "kontrolltegn"),
    ("district=" + "x" * 5000, "district", "høyst 64 tegn"),
    ("year=" + "9" * 5000, "year", "Skriv et årstall"),
])
async def test_what_a_person_types_wrong_is_named_next_to_the_field(app, query, field, message):
    for path in ("/", "/rapporter/maned"):
        async with as_user(app, LEADER, page=True) as c:
            r = await c.get(f"{path}?{query}")
        assert r.status_code == 422, (path, query)
        error = re.search(f'<span class="field-error[^"]*" id="{field}-error">([^<]*)</span>', r.text)
        assert error and message in error.group(1)
        assert not re.search(r"[\x00-\x08\x1b]", r.text)  # control characters are not shown back
        assert "x" * 101 not in r.text and "9" * 101 not in r.text


async def test_what_was_typed_is_kept_in_the_form(app):
    async with as_user(app, LEADER, page=True) as c:
        r = await c.get("/?year=20x5&municipality=0301&district=Sagene")
    assert 'value="20x5"' in r.text and 'value="Sagene"' in r.text


async def test_every_report_page_draws_its_numbers_without_script(app):
    for key in REPORTS:
        async with as_user(app, WORKER, page=True) as c:
            r = await c.get(f"/rapporter/{key}?year=2025&municipality=0301")
        assert r.status_code == 200, key
        # The site's one script (stopping a page that refreshes itself) is all: the numbers are HTML and SVG.
        assert re.findall(r"<script[^>]*>", r.text) == ['<script src="/static/refresh.js" defer>'], key
    async with as_user(app, WORKER, page=True) as c:
        monthly = await c.get("/rapporter/maned?year=2025&municipality=0301")
    assert "<svg" in monthly.text


async def test_an_unknown_report_page_is_a_norwegian_404(app):
    async with as_user(app, LEADER, page=True) as c:
        r = await c.get("/rapporter/nope")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"] and "Ukjent rapport" in r.text


async def test_pages_send_someone_not_logged_in_to_the_login():
    async with as_user(app_with(), None, page=True) as c:
        r = await c.get("/rapporter/maned")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


# -- one clock: "today" is the date in Norway ----------------------------------------------------------------

NEW_YEARS_NIGHT = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 January 2026 in Oslo
NEXT_NIGHT = datetime(2026, 1, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 January 2026 in Oslo


def open_since_december():
    return FakeQueries(stays=[("0301", None, household(1, date(2025, 12, 1)))])


async def test_just_after_midnight_in_norway_the_page_is_for_the_new_year(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NEW_YEARS_NIGHT)
    async with as_user(app_with(open_since_december(), today=clock.today), LEADER, page=True) as c:
        r = await c.get("/")
    assert "<h1>KOSTRA 2026" in r.text and 'value="2026"' in r.text


async def test_just_after_midnight_in_norway_new_years_eve_is_a_night_of_the_old_year(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NEW_YEARS_NIGHT)
    async with as_user(app_with(open_since_december(), today=clock.today), LEADER) as c:
        rows = (await c.get("/api/reports/maned?year=2025&municipality=0301")).json()["rows"]
    assert rows[11][0] == "desember 2025" and rows[11][5] == 31  # 1–31 December: tonight has begun


async def test_the_new_years_open_stay_nights_count_in_the_new_year(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NEXT_NIGHT)
    async with as_user(app_with(open_since_december(), today=clock.today), LEADER) as c:
        new_year = (await c.get("/api/kostra?year=2026&municipality=0301")).json()
        january = (await c.get("/api/reports/maned?year=2026&municipality=0301")).json()["rows"][0]
    assert new_year["households"] == 1 and new_year["households_14_days_or_less"] == 1
    assert january[0] == "januar 2026" and january[5] == 1  # the night of 1 January


# -- the rebuild page ---------------------------------------------------------------------------------------

REFUSED = ReplayTally(0, 0, 120, 120)
HISTORY = [RebuildRow(datetime(2026, 3, 1, 9, tzinfo=UTC), datetime(2026, 3, 1, 9, 1, tzinfo=UTC), "refused", 0, 0,
                      120, refusal(REFUSED))]


def rebuilding(outcome=None, error=None):
    async def run():
        if error:
            raise error
        return outcome
    return run


async def test_the_rebuild_page_shows_why_a_rebuild_was_not_used():
    app = app_with(FakeQueries(rebuild_rows=HISTORY))
    async with as_user(app, OPERATIONS, page=True) as c:
        r = await c.get("/gjenoppbygging")
    assert r.status_code == 200 and "Ikke tatt i bruk" in r.text and "manglet 120 av de 120" in r.text
    assert "01.03.2026 10:00" in r.text  # Norwegian time
    async with as_user(app, LEADER, page=True) as c:
        assert (await c.get("/gjenoppbygging")).status_code == 403


async def test_a_rebuild_from_the_page_says_it_is_done():
    done = RebuildOutcome(UUID(int=1), ReplayTally(300, 280, 250, 0))
    async with as_user(app_with(rebuild=rebuilding(done)), OPERATIONS, page=True) as c:
        r = await c.post("/gjenoppbygging")
    assert r.status_code == 200 and "Ferdig" in r.text and "300 hendelser" in r.text


async def test_a_refused_rebuild_from_the_page_says_why_in_norwegian():
    async with as_user(app_with(rebuild=rebuilding(error=IncompleteLog(REFUSED))), OPERATIONS, page=True) as c:
        r = await c.post("/gjenoppbygging")
    assert r.status_code == 409 and "text/html" in r.headers["content-type"]
    assert "tallene er som før" in r.text and "manglet 120 av de 120" in r.text


def test_the_composition_root_binds_the_date_in_norway(monkeypatch, settings_without_services):
    from kit.runtime import ServiceContext
    from services.stats.bootstrap import build

    monkeypatch.setattr(clock, "now", lambda: NEW_YEARS_NIGHT)
    parts = build(ServiceContext("stats", settings_without_services, pool=None))
    assert parts.app.state.views.today() == date(2026, 1, 1)
    assert parts.app.state.rebuild is not None  # a broker to rebuild from


async def test_a_district_asked_for_by_number_is_named_and_the_offices_districts_are_offered():
    app = app_with(FakeQueries(stays=list(OSLO), office_districts={"0301": ["Grünerløkka", "Sagene"]}))
    async with as_user(app, LEADER, page=True) as c:
        page = await c.get("/?year=2025&municipality=0301&district=03")
    async with as_user(app, LEADER) as c:
        api = (await c.get("/api/kostra?year=2025&municipality=0301&district=030103")).json()
    assert page.status_code == 200 and "Oslo kommune (0301), bydel Sagene" in page.text
    assert 'data-key="households">1<' in page.text
    assert '<option value="Grünerløkka"><option value="Sagene">' in page.text
    assert (api["district"], api["households"]) == ("Sagene", 1)
