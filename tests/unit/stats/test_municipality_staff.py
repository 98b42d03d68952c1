"""The municipality's own staff (Oslo's Velferdsetaten) in stats: every office's numbers of their municipality,
in every format, and nothing of another municipality's, nor a list of households."""

from __future__ import annotations

from datetime import date

import pytest

from kit.auth import Role, User
from tests.unit.stats.fakes import FakeQueries
from tests.unit.stats.web import LEADER, app_with, as_user, household

OSLO_STAFF = User("stab-oslo", Role.MUNICIPALITY_STAFF, None, "Velferdsetaten", "0301")
STAVANGER_STAFF = User("stab-stavanger", Role.MUNICIPALITY_STAFF, None, "Stab for velferd", "1103")
STAYS = [("0301", "Grünerløkka", household(1, date(2025, 1, 10), date(2025, 5, 1))),
         ("0301", "Sagene", household(2, date(2025, 5, 20), None, office="nav-sagene")),
         ("1103", None, household(3, date(2025, 3, 1), date(2025, 3, 5), office="nav-hundvag-og-storhaug"))]


@pytest.fixture
def app():
    return app_with(FakeQueries(stays=list(STAYS)))


async def test_staff_read_their_municipality_s_kostra_for_every_office_as_a_leader_would(app):
    async with as_user(app, OSLO_STAFF) as staff, as_user(app, LEADER) as leader:
        mine = await staff.get("/api/kostra?year=2025&municipality=0301")
        assert mine.status_code == 200
        assert mine.json() == (await leader.get("/api/kostra?year=2025&municipality=0301")).json()
        assert mine.json()["households"] == 2  # both Oslo offices' households
        assert (await staff.get("/api/kostra?year=2025&municipality=0301&format=xlsx")).status_code == 200


@pytest.mark.parametrize("path", ["/api/kostra?year=2025&municipality=1103",
                                  "/api/kostra?year=2025&municipality=1103&format=csv",
                                  "/api/reports/maned?year=2025&municipality=1103",
                                  "/api/reports/maned?year=2025&municipality=1103&format=xlsx"])
async def test_another_municipality_s_numbers_are_refused(app, path):
    async with as_user(app, OSLO_STAFF) as staff:
        r = await staff.get(path)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["loc"][-1] == "municipality"
    assert "egen kommune (0301)" in r.json()["errors"][0]["msg"]


async def test_staff_get_the_reports_but_no_list_of_households(app):
    async with as_user(app, OSLO_STAFF) as staff, as_user(app, LEADER) as leader:
        offered = {r["key"] for r in (await staff.get("/api/reports")).json()}
        assert {r["key"] for r in (await leader.get("/api/reports")).json()} - offered == {"tre-maneder"}
        assert (await staff.get("/api/reports/maned?year=2025&municipality=0301")).status_code == 200
        listed = await staff.get("/api/reports/tre-maneder?year=2025&municipality=0301")
    assert listed.status_code == 403
    assert "kommunens stab ser tallene" in listed.json()["detail"]


async def test_the_kostra_page_opens_on_the_staff_s_own_municipality(app):
    async with as_user(app, STAVANGER_STAFF, page=True) as staff:
        page = await staff.get("/?year=2025")
        other = await staff.get("/?year=2025&municipality=0301")
    assert page.status_code == 200
    assert "KOSTRA 2025 – Stavanger kommune (1103)" in page.text and "tre-maneder" not in page.text
    assert other.status_code == 403 and "egen kommune (1103)" in other.text
