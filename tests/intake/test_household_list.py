"""Intake's household list past one page, against the real stack: a new office (Madla, empty until the test
fills it) with 12 households and 5 a page — totals, the second page, both orders, filters that narrow the
total, another office sees none of them, bad paging (a problem on the API, the Norwegian error page on the
page), and the page's names, looked up for the rows shown and audited."""

import re
from datetime import date

import httpx
import pytest

from tests.conftest import login
from tests.intake.helpers import MADLA, TODAY, application, granted, number, users_with_madla

pytestmark = [pytest.mark.integration, pytest.mark.http_only]
ROWS, SIZE = 12, 5


@pytest.fixture(scope="module")
def users_file(tmp_path_factory):
    return users_with_madla(tmp_path_factory)


async def _madla_with_twelve_households(client) -> tuple[dict, list[str], str]:
    """Twelve households, one application each; every third one with a child (4 in all); the second one's
    application decided (granted). Returns the worker's headers, the household ids and that decision's status."""
    admin, worker = await login(client, "admin"), await login(client, "veileder-madla")
    assert (await client.post("/intake/api/offices", headers=admin, json=MADLA)).status_code == 201
    ids, applications = [], []
    for n in range(ROWS):
        children = [str(date(2019, 5, 1))] if n % 3 == 0 else []
        r = await client.post("/intake/api/applications", headers=worker,
                              json=application(number(700 + n), office="nav-madla", urgent=False,
                                               children_birth_dates=children))
        assert r.status_code == 201, r.text
        ids.append(r.json()["household_id"])
        applications.append(r.json()["application_id"])
    decided = await client.post(f"/intake/api/applications/{applications[1]}/decision", headers=worker,
                                json=granted())
    assert decided.status_code == 201, decided.text
    return worker, ids, decided.json()["status"]


async def test_the_household_list_pages_sorts_and_filters(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, ids, decision_status = await _madla_with_twelve_households(client)

        async def households(**params):
            r = await client.get("/intake/api/households", headers=worker, params={"page_size": SIZE, **params})
            assert r.status_code == 200, r.text
            return r.json()

        first = await households()
        assert (first["total"], first["page"], first["page_size"], first["pages"]) == (ROWS, 1, SIZE, 3)
        assert [h["household_id"] for h in first["items"]] == list(reversed(ids))[:5]  # newest first
        oldest_first = [h["household_id"] for p in (1, 2, 3)
                        for h in (await households(page=p, sort="created"))["items"]]
        assert oldest_first == ids  # every household once, over three pages
        second = await households(page=2, sort="-created")
        assert [h["household_id"] for h in second["items"]] == list(reversed(ids))[5:10]
        # The office's references run in the order the households came (2026-0001 …).
        by_reference = (await households(sort="reference"))["items"]
        assert [h["reference"] for h in by_reference] == [f"{TODAY.year}-{n:04d}" for n in range(1, 6)]
        assert [h["household_id"] for h in (await households(sort="-reference"))["items"]] == list(reversed(ids))[:5]
        # The latest decision first (the households without one after it, either way).
        latest = (await households(sort="-decision"))["items"][0]
        assert latest["household_id"] == ids[1] and latest["outcome"] == "granted"
        assert [h["household_id"] for h in (await households(sort="-decision"))["items"][1:]] == \
            list(reversed(ids))[:4]  # the others newest first
        assert latest["decision_status"] == decision_status and latest["period_from"] == str(TODAY)
        oldest = [h["household_id"] for h in (await households(sort="decision"))["items"]]
        assert oldest == [ids[1], ids[0], *ids[2:5]]  # the decided one first, the others oldest first
        assert first["items"][0]["application_status"] == "received" and first["items"][0]["decision_id"] is None
        # Filters narrow the total.
        with_children = await households(has_children="true")
        assert with_children["total"] == 4 and all(h["children"] == 1 for h in with_children["items"])
        assert (await households(has_children="false"))["total"] == 8
        assert (await households(decision=decision_status))["total"] == 1
        assert (await households(decision="none"))["total"] == ROWS - 1
        assert (await households(reference=f"{TODAY.year}-001"))["total"] == 3
        assert (await households(reference="1999-"))["total"] == 0
        # Another office sees none of them.
        other = await client.get("/intake/api/households", headers=await login(client, "veileder-bodo"),
                                 params={"page_size": 200})
        assert other.status_code == 200 and not set(ids) & {h["household_id"] for h in other.json()["items"]}
        # Bad paging and filters are a problem, naming the parameter.
        for bad, where in (({"page_size": 1000}, "page_size"), ({"page": 0}, "page"), ({"sort": "name"}, "sort"),
                           ({"decision": "maybe"}, "decision")):
            r = await client.get("/intake/api/households", headers=worker, params=bad)
            assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
            assert r.json()["errors"][0]["loc"] == ["query", where]


async def test_the_household_page_shows_the_total_the_pager_and_audited_names(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, ids, _ = await _madla_with_twelve_households(client)
        page = await client.get("/intake/households", headers=worker, params={"per_side": SIZE, "side": 2})
        assert page.status_code == 200
        assert "Side 2 av 3 · 12 treff" in page.text
        assert '<form method="get" action="/intake/households"' in page.text
        assert 'rel="prev" href="?per_side=5&amp;sorter=-created"' in page.text
        assert 'rel="next" href="?per_side=5&amp;sorter=-created&amp;side=3"' in page.text
        links = re.findall(r'href="/intake/households/([0-9a-f-]{36})"', page.text)
        assert links == list(reversed(ids))[5:10]
        assert page.text.count("Kari Testperson") == SIZE and "1 voksen" in page.text and "1 barn" in page.text
        assert 'aria-sort="descending"' in page.text
        narrowed = await client.get("/intake/households", headers=worker,
                                    params={"per_side": SIZE, "barn": "true", "vedtak": "", "referanse": ""})
        assert narrowed.status_code == 200 and "Side 1 av 1 · 4 treff" in narrowed.text
        by_reference = await client.get("/intake/households", headers=worker,
                                        params={"per_side": SIZE, "sorter": "reference"})
        refs = re.findall(rf'">({TODAY.year}-\d{{4}})</a>', by_reference.text)
        assert refs == [f"{TODAY.year}-{n:04d}" for n in range(1, 6)]
        assert 'aria-sort="ascending"' in by_reference.text
        # The names shown were looked up for those rows only, and each is in the office's audit log.
        log = await client.get("/intake/api/audit", headers=await login(client, "leder-madla"),
                               params={"action": "view_people", "username": "veileder-madla", "page_size": 200})
        assert log.json()["total"] == SIZE + 4 + SIZE
        assert {e["purpose"] for e in log.json()["items"]} == {"Husstandsliste"}
        # The case list leads here.
        assert 'href="/intake/households"' in (await client.get("/intake/", headers=worker)).text
        for bad in ({"per_side": 1000}, {"sorter": "navn"}, {"barn": "kanskje"}):
            r = await client.get("/intake/households", headers=worker, params=bad)
            assert r.status_code == 422 and "text/html" in r.headers["content-type"], bad
            assert "Adressen til siden inneholder en verdi som ikke kan brukes." in r.text
