"""Intake's lists past one page, against the real stack: the cases and the audit log of a new office (Madla,
empty until the test fills it) with 12 rows and 5 a page — totals, the second page, both orders, filters that
narrow the total, a page past the last (empty, with the right total: no clamp, no 404), bad paging (a problem
on the API, the Norwegian error page on a page) and the pages' pager and filter form."""

import re
from datetime import timedelta

import httpx
import pytest

from tests.conftest import login
from tests.intake.helpers import MADLA, TODAY, application, number, users_with_madla

pytestmark = [pytest.mark.integration, pytest.mark.http_only]
ROWS, SIZE = 12, 5


@pytest.fixture(scope="module")
def users_file(tmp_path_factory):
    return users_with_madla(tmp_path_factory)


async def _madla_with_twelve_cases(client) -> tuple[dict, dict, list[str]]:
    admin, worker = await login(client, "admin"), await login(client, "veileder-madla")
    assert (await client.post("/intake/api/offices", headers=admin, json=MADLA)).status_code == 201
    ids = []
    for n in range(ROWS):  # every other one urgent: 6 urgent, 6 not
        r = await client.post("/intake/api/applications", headers=worker,
                              json=application(number(500 + n), office="nav-madla", urgent=n % 2 == 0))
        assert r.status_code == 201, r.text
        ids.append(r.json()["application_id"])
    return worker, await login(client, "leder-madla"), ids


async def test_cases_and_audit_log_page_sort_and_filter_in_the_api(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, leader, ids = await _madla_with_twelve_cases(client)

        async def cases(**params):
            r = await client.get("/intake/api/applications", headers=worker, params={"page_size": SIZE, **params})
            assert r.status_code == 200, r.text
            return r.json()

        first = await cases()
        assert (first["total"], first["page"], first["page_size"], first["pages"]) == (ROWS, 1, SIZE, 3)
        assert [c["urgent"] for c in first["items"]] == [True] * 5  # urgent first, newest first
        oldest_first = [c["id"] for p in (1, 2, 3) for c in (await cases(page=p, sort="received"))["items"]]
        assert oldest_first == ids  # every case once, in the order they came, over three pages
        second = await cases(page=2, sort="-received")
        assert [c["id"] for c in second["items"]] == list(reversed(ids))[5:10]
        # The office's references run in the order the households came (2026-0001 …).
        assert [c["id"] for c in (await cases(sort="reference"))["items"]] == ids[:5]
        assert [c["id"] for c in (await cases(sort="-reference"))["items"]] == list(reversed(ids))[:5]
        # Filters narrow the total.
        assert (await cases(urgent="false"))["total"] == 6
        assert (await cases(reference=f"{TODAY.year}-001"))["total"] == 3
        assert (await cases(status="decided"))["total"] == 0
        assert (await cases(status="received", urgent="true"))["total"] == 6
        # Past the last page: empty, the total still right.
        beyond = await cases(page=9)
        assert beyond["items"] == [] and beyond["total"] == ROWS and beyond["pages"] == 3
        # Another office sees none of them.
        other = await client.get("/intake/api/applications", headers=await login(client, "veileder-bodo"),
                                 params={"page_size": 200})
        assert not set(ids) & {c["id"] for c in other.json()["items"]}
        # Bad paging is a problem, naming the parameter.
        for bad, where in (({"page_size": 1000}, "page_size"), ({"page": 0}, "page"), ({"sort": "id"}, "sort")):
            r = await client.get("/intake/api/applications", headers=worker, params=bad)
            assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
            assert r.json()["errors"][0]["loc"] == ["query", where]

        # The audit log: the leader opens each case (12 entries by the leader at Madla).
        for application_id in ids:
            assert (await client.get(f"/intake/api/applications/{application_id}", headers=leader,
                                     params={"purpose": "Oppfølging"})).status_code == 200

        async def audit(**params):
            r = await client.get("/intake/api/audit", headers=leader, params={"page_size": SIZE, **params})
            assert r.status_code == 200, r.text
            return r.json()

        viewed = {"action": "view_case", "username": "leder-madla"}
        log = await audit(**viewed)
        assert log["total"] == ROWS and log["pages"] == 3
        newest_first = [e["id"] for p in (1, 2, 3) for e in (await audit(page=p, **viewed))["items"]]
        assert newest_first == sorted(newest_first, reverse=True) and len(set(newest_first)) == ROWS
        assert [e["id"] for e in (await audit(sort="at", **viewed))["items"]] == sorted(newest_first)[:5]
        assert (await audit(page=2, **viewed))["items"][0]["id"] == newest_first[5]
        assert (await audit(username="veileder-madla", action="view_case"))["total"] == 0
        assert (await audit(date_from=str(TODAY), **viewed))["total"] == ROWS
        assert (await audit(date_to=str(TODAY - timedelta(days=1)), **viewed))["total"] == 0
        assert (await audit(page=4, **viewed))["items"] == []
        # Another office's leader sees none of Madla's.
        bodo = await client.get("/intake/api/audit", headers=await login(client, "leder-bodo"),
                                params={"username": "leder-madla"})
        assert bodo.json()["total"] == 0
        assert (await client.get("/intake/api/audit", headers=leader, params={"page_size": 201})).status_code == 422


async def test_the_pages_show_the_total_the_filters_and_the_pager(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, leader, ids = await _madla_with_twelve_cases(client)
        page = await client.get("/intake/", headers=worker, params={"per_side": SIZE, "side": 2})
        assert page.status_code == 200
        assert "Side 2 av 3 · 12 treff" in page.text
        assert '<form method="get" action="/intake/"' in page.text
        assert '<label for="f-status">Status</label>' in page.text
        assert 'rel="prev" href="?per_side=5&amp;sorter=-urgent"' in page.text
        assert 'rel="next" href="?per_side=5&amp;sorter=-urgent&amp;side=3"' in page.text
        assert len(re.findall(r'href="/intake/applications/[0-9a-f-]{36}"', page.text)) == SIZE
        assert 'aria-sort="descending"' in page.text
        narrowed = await client.get("/intake/", headers=worker, params={"per_side": SIZE, "haster": "false",
                                                                        "referanse": "", "status": ""})
        assert "Side 1 av 2 · 6 treff" in narrowed.text
        assert 'rel="next" href="?haster=false&amp;per_side=5&amp;sorter=-urgent&amp;side=2"' in narrowed.text
        by_reference = await client.get("/intake/", headers=worker, params={"per_side": SIZE, "sorter": "reference"})
        refs = re.findall(rf"<td>({TODAY.year}-\d{{4}})</td>", by_reference.text)
        assert refs == [f"{TODAY.year}-{n:04d}" for n in range(1, 6)]
        assert 'aria-sort="ascending"' in by_reference.text
        beyond = await client.get("/intake/", headers=worker, params={"per_side": SIZE, "side": 7})
        assert beyond.status_code == 200 and "12 treff" in beyond.text and "Gå til siste side" in beyond.text
        bad = await client.get("/intake/", headers=worker, params={"per_side": 1000})
        assert bad.status_code == 422 and "text/html" in bad.headers["content-type"]
        assert "Adressen til siden inneholder en verdi som ikke kan brukes." in bad.text

        for application_id in ids:
            await client.get(f"/intake/api/applications/{application_id}", headers=leader,
                             params={"purpose": "Oppfølging"})
        log = await client.get("/intake/audit", headers=leader,
                               params={"per_side": SIZE, "handling": "view_case", "bruker": "leder-madla",
                                       "fra": "", "til": ""})
        assert log.status_code == 200 and "Side 1 av 3 · 12 treff" in log.text
        assert 'rel="next" href="?handling=view_case&amp;bruker=leder-madla&amp;per_side=5&amp;sorter=-at&amp;side=2"' \
            in log.text
        assert '<label for="f-fra">Fra og med dato</label>' in log.text
        bad_day = await client.get("/intake/audit", headers=leader, params={"fra": "i går"})
        assert bad_day.status_code == 422 and "Adressen til siden" in bad_day.text
