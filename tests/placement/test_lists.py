"""Placement's lists past one page, against the real stack: 12 providers of our own (found by a name part no
one else has) at 5 a page, and 7 stays at one of our providers at 3 a page — totals, the second page, both
orders, filters that narrow the total, a page past the last (empty, the total still right), bad paging, and the
pages' filter form and pager."""

import re
import uuid
from datetime import timedelta

import httpx
import pytest

from kit.clock import today
from tests.conftest import login
from tests.placement.helpers import grant
from tests.placement.helpers import orgnr as make_orgnr

pytestmark = [pytest.mark.integration]
TODAY = today()
GOOD = {"own_bath": True, "kitchen": "own", "laundry": True, "visits_allowed": True}


async def _providers(client, admin, tag: str) -> list[dict]:
    """12 providers named «Listehuset <tag> 01…12»: the odd ones with a framework agreement for families, the
    even ones without an agreement."""
    made = []
    for n in range(1, 13):
        framework = n % 2 == 1
        r = await client.post("/placement/api/providers", headers=admin, json={
            "name": f"Listehuset {tag} {n:02d}", "orgnr": make_orgnr(), "kind": "private", "municipality": "0301",
            "address": f"Listeveien {n}, 0150 Oslo", "accommodation": "temporary",
            "agreement": {"kind": "framework", "price_per_night": 800, "valid_from": "2024-01-01",
                          "target_groups": ["families"]} if framework else {"kind": "none"}})
        assert r.status_code == 201, r.text
        made.append(r.json())
    return made


async def test_providers_page_sort_and_filter(stack):
    tag = uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        admin, worker = await login(client, "admin"), await login(client, "veileder-grunerlokka")
        made = await _providers(client, admin, tag)
        ids = [p["provider_id"] for p in made]

        async def providers(**params):
            r = await client.get("/placement/api/providers", headers=worker,
                                 params={"page_size": 5, "name": f"listehuset {tag}", **params})
            assert r.status_code == 200, r.text
            return r.json()

        first = await providers(sort="name")
        assert (first["total"], first["pages"], first["page"]) == (12, 3, 1)
        assert [p["provider_id"] for p in first["items"]] == ids[:5]
        assert [p["provider_id"] for p in (await providers(sort="name", page=2))["items"]] == ids[5:10]
        assert [p["provider_id"] for p in (await providers(sort="-name", page=2))["items"]] == ids[::-1][5:10]
        assert [p["name"] for p in (await providers(sort="name", page=3))["items"]] == [
            f"Listehuset {tag} 11", f"Listehuset {tag} 12"]
        assert (await providers(target_group="families"))["total"] == 6
        assert (await providers(agreement_in_force="true"))["total"] == 6
        assert (await providers(agreement_in_force="false", target_group="families"))["total"] == 0
        assert (await providers(municipality="0301"))["total"] == 12
        assert (await providers(municipality="1804"))["total"] == 0
        beyond = await providers(page=4)
        assert beyond["items"] == [] and beyond["total"] == 12
        everyone = await client.get("/placement/api/providers", headers=worker)
        assert everyone.json()["total"] >= 12 + 40 - 12 and everyone.json()["page_size"] == 50
        for bad, where in (({"page_size": 1000}, "page_size"), ({"sort": "orgnr"}, "sort"),
                           ({"municipality": "oslo"}, "municipality"), ({"target_group": "x"}, "target_group")):
            r = await client.get("/placement/api/providers", headers=worker, params=bad)
            assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["query", where], r.text

        page = await client.get("/placement/providers", headers=worker,
                                params={"navn": f"Listehuset {tag}", "per_side": 5, "side": 2, "sorter": "-name",
                                        "kommune": "", "malgruppe": "", "avtale": ""})
        assert page.status_code == 200 and "Side 2 av 3 · 12 treff" in page.text
        names = re.findall(rf">Listehuset {tag} (\d\d)</a>", page.text)
        assert names == ["07", "06", "05", "04", "03"]
        assert f'rel="next" href="?navn=Listehuset+{tag}&amp;per_side=5&amp;sorter=-name&amp;side=3"' in page.text
        assert 'aria-sort="descending"' in page.text and '<label for="f-malgruppe">Målgruppe</label>' in page.text
        narrowed = await client.get("/placement/providers", headers=worker,
                                    params={"navn": f"Listehuset {tag}", "avtale": "true"})
        assert "Side 1 av 1 · 6 treff" in narrowed.text
        bad = await client.get("/placement/providers", headers=worker, params={"per_side": 1000})
        assert bad.status_code == 422 and "Adressen til siden inneholder en verdi som ikke kan brukes." in bad.text


async def test_the_office_stays_page_sort_and_filter(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=60) as client:
        admin, worker = await login(client, "admin"), await login(client, "veileder-grunerlokka")
        r = await client.post("/placement/api/providers", headers=admin, json={
            "name": f"Oppholdshuset {uuid.uuid4().hex[:6]}", "orgnr": make_orgnr(), "kind": "private",
            "municipality": "0301", "address": "Oppholdsveien 1, 0150 Oslo", "accommodation": "temporary",
            "agreement": {"kind": "framework", "price_per_night": 800, "valid_from": "2024-01-01",
                          "target_groups": ["singles_couples", "families"]}})
        assert r.status_code == 201, r.text
        provider = r.json()["provider_id"]
        stays = []
        for n in range(7):  # check-ins 7 … 1 days ago: the first placed is the oldest
            u = await client.post(f"/placement/api/providers/{provider}/units", headers=admin,
                                  json={"name": f"Rom {n + 1}", "beds": 1, "facilities": GOOD})
            assert u.status_code == 201, u.text
            check_in = TODAY - timedelta(days=7 - n)
            decision = await grant(client, worker, period_from=check_in, period_to=TODAY + timedelta(days=30))
            placed = await client.post("/placement/api/stays", headers=worker, json={
                "decision_id": decision["decision_id"], "unit_id": u.json()["unit_id"], "check_in": str(check_in)})
            assert placed.status_code == 201, placed.text
            stays.append(placed.json()["stay_id"])
        for stay_id in stays[:2]:  # the two oldest have moved out
            out = await client.post(f"/placement/api/stays/{stay_id}/move-out", headers=worker,
                                    json={"check_out": str(TODAY), "destination": "private_rental"})
            assert out.status_code == 200, out.text

        async def listed(**params):
            r = await client.get("/placement/api/stays", headers=worker,
                                 params={"page_size": 3, "provider_id": provider, **params})
            assert r.status_code == 200, r.text
            return r.json()

        first = await listed()
        assert (first["total"], first["pages"]) == (7, 3)
        # Open stays first, newest check-in first; then the ended ones.
        order = [s["id"] for p in (1, 2, 3) for s in (await listed(page=p))["items"]]
        assert order == stays[2:][::-1] + stays[:2][::-1]
        assert [s["id"] for s in (await listed(sort="check_in", page=2))["items"]] == stays[3:6]
        assert [s["id"] for s in (await listed(sort="-check_in", page=2))["items"]] == stays[::-1][3:6]
        assert (await listed(status="ended"))["total"] == 2
        assert (await listed(status="ongoing"))["total"] == 5
        assert (await listed(status="planned"))["total"] == 0
        beyond = await listed(page=5)
        assert beyond["items"] == [] and beyond["total"] == 7
        # Another office sees none of them.
        bodo = await client.get("/placement/api/stays", headers=await login(client, "veileder-bodo"),
                                params={"provider_id": provider})
        assert bodo.json()["total"] == 0
        for bad, where in (({"page_size": 0}, "page_size"), ({"status": "gone"}, "status"),
                           ({"provider_id": "x"}, "provider_id")):
            r = await client.get("/placement/api/stays", headers=worker, params=bad)
            assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["query", where], r.text

        page = await client.get("/placement/decisions", headers=worker,
                                params={"tilbyder": provider, "status": "", "per_side": 3, "side": 3})
        assert page.status_code == 200 and "Side 3 av 3 · 7 treff" in page.text
        assert page.text.count('href="/placement/stays/') == 1
        assert f'rel="prev" href="?tilbyder={provider}&amp;per_side=3&amp;sorter=open&amp;side=2"' in page.text
        ended = await client.get("/placement/decisions", headers=worker, params={"tilbyder": provider,
                                                                                 "status": "ended"})
        assert "Side 1 av 1 · 2 treff" in ended.text
        bad = await client.get("/placement/decisions", headers=worker, params={"per_side": 201})
        assert bad.status_code == 422 and "Adressen til siden" in bad.text
