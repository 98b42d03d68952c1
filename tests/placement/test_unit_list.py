"""Placement's units list past one page, against the real stack: 4 providers of our own (found by a name part no
one else has) with 3 units each, at 5 a page — totals, the second page, both orders of each sort, filters that
narrow the total (free beds after placing someone), the provider's last inspection, bad paging, and the page."""

import re
import uuid
from datetime import timedelta

import httpx
import pytest

from kit.clock import today
from tests.conftest import login
from tests.placement.helpers import GOOD_FACILITIES, grant
from tests.placement.helpers import orgnr as make_orgnr

pytestmark = [pytest.mark.integration]
TODAY = today()
PROVIDERS = (  # municipality, agreement (price, target groups) or None for «uten avtale»
    ("0301", (900, ["singles_couples", "families"])),
    ("0301", None),
    ("0301", (700, ["families"])),
    ("1804", (1100, ["singles_couples"])),
)


async def _units(client, admin, tag: str) -> tuple[list[dict], list[dict]]:
    """«Enhetshuset <tag> 1…4», each with three units «Enhet <tag> 1…12» of 1, 2 and 3 beds (by name as people
    read it: «… 2» before «… 10»)."""
    providers, units = [], []
    for n, (municipality, agreement) in enumerate(PROVIDERS, start=1):
        r = await client.post("/placement/api/providers", headers=admin, json={
            "name": f"Enhetshuset {tag} {n}", "orgnr": make_orgnr(), "kind": "private",
            "municipality": municipality, "address": f"Enhetsveien {n}, 0150 Oslo", "accommodation": "temporary",
            "agreement": {"kind": "framework", "price_per_night": agreement[0], "valid_from": "2024-01-01",
                          "target_groups": agreement[1]} if agreement else {"kind": "none"}})
        assert r.status_code == 201, r.text
        providers.append(r.json())
        for beds in (1, 2, 3):
            u = await client.post(f"/placement/api/providers/{r.json()['provider_id']}/units", headers=admin,
                                  json={"name": f"Enhet {tag} {len(units) + 1}", "beds": beds,
                                        "facilities": GOOD_FACILITIES})
            assert u.status_code == 201, u.text
            units.append(u.json())
    return providers, units


async def test_the_units_list_sorts_filters_and_pages(stack):
    tag = uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(base_url=stack.url, timeout=60) as client:
        admin, worker = await login(client, "admin"), await login(client, "veileder-grunerlokka")
        providers, made = await _units(client, admin, tag)
        ids = [u["unit_id"] for u in made]

        async def units(**params):
            r = await client.get("/placement/api/units", headers=worker,
                                 params={"page_size": 5, "provider": f"enhetshuset {tag}", **params})
            assert r.status_code == 200, r.text
            return r.json()

        first = await units(sort="unit")
        assert (first["total"], first["pages"], first["page"], first["page_size"]) == (12, 3, 1, 5)
        assert [u["unit_id"] for u in first["items"]] == ids[:5]
        assert [u["unit_id"] for u in (await units(sort="unit", page=2))["items"]] == ids[5:10]
        assert [u["unit_id"] for u in (await units(sort="-unit", page=2))["items"]] == ids[::-1][5:10]
        by_provider = [u["unit_id"] for p in (1, 2, 3) for u in (await units(page=p))["items"]]
        assert by_provider == ids  # the default: by provider, then unit name
        assert [u["unit_id"] for u in (await units(sort="-provider"))["items"]] == ids[::-1][:5]
        one = first["items"][0]
        assert (one["provider"], one["municipality_name"], one["agreement_kind"], one["agreement_in_force"],
                one["target_groups"], one["beds"], one["occupied"], one["free_beds"], one["price_per_night"]) == (
            f"Enhetshuset {tag} 1", "Oslo", "framework", True, ["singles_couples", "families"], 1, 0, 1, 900.0)

        # Price: the lowest first (units without a price last, whichever the order), then the highest first.
        prices = [u["price_per_night"] for p in (1, 2, 3) for u in (await units(sort="price", page=p))["items"]]
        assert prices == [700.0] * 3 + [900.0] * 3 + [1100.0] * 3 + [None] * 3
        assert [u["price_per_night"] for u in (await units(sort="-price"))["items"]] == [1100.0] * 3 + [900.0] * 2

        # Filters narrow the total.
        assert (await units(target_group="families"))["total"] == 6
        assert (await units(agreement_in_force="true"))["total"] == 9
        assert (await units(agreement_in_force="false"))["total"] == 3
        assert (await units(municipality="0301"))["total"] == 9
        assert (await units(municipality="1804"))["total"] == 3
        assert (await units(provider=providers[1]["orgnr"]))["total"] == 3
        assert (await units(provider=f"ENHETSHUSET {tag} 4"))["total"] == 3
        assert (await units(free_now="true"))["total"] == 12

        # Someone moves into the first provider's two-bed unit: it has no free beds now.
        decision = await grant(client, worker, period_from=TODAY, period_to=TODAY + timedelta(days=30))
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": decision["decision_id"], "unit_id": ids[1], "check_in": str(TODAY)})
        assert placed.status_code == 201, placed.text
        assert (await units(free_now="true"))["total"] == 11
        taken = await units(free_now="false")
        assert taken["total"] == 1 and [u["unit_id"] for u in taken["items"]] == [ids[1]]
        assert (taken["items"][0]["occupied"], taken["items"][0]["free_beds"]) == (1, 0)
        free = [u["free_beds"] for p in (1, 2, 3) for u in (await units(sort="free_beds", page=p))["items"]]
        assert free == [0, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3]
        assert [u["free_beds"] for u in (await units(sort="-free_beds"))["items"]] == [3, 3, 3, 3, 2]

        # The provider's last inspection shows on each of its units.
        inspected = await client.post(f"/placement/api/providers/{providers[1]['provider_id']}/inspections",
                                      headers=worker, json={"inspected_on": str(TODAY), "result": "approved",
                                                            "next_due": str(TODAY + timedelta(days=180))})
        assert inspected.status_code == 201, inspected.text
        shown = (await units(provider=providers[1]["orgnr"]))["items"]
        assert {(u["inspected_on"], u["inspection_result"]) for u in shown} == {(str(TODAY), "approved")}

        beyond = await units(page=4)
        assert beyond["items"] == [] and beyond["total"] == 12
        for bad, where in (({"page_size": 1000}, "page_size"), ({"page": 0}, "page"), ({"sort": "orgnr"}, "sort"),
                           ({"municipality": "oslo"}, "municipality"), ({"target_group": "x"}, "target_group"),
                           ({"free_now": "kanskje"}, "free_now")):
            r = await client.get("/placement/api/units", headers=worker, params=bad)
            assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["query", where], r.text
            assert r.headers["content-type"].startswith("application/problem+json"), r.headers

        page = await client.get("/placement/units", headers=worker, params={
            "tilbyder": f"Enhetshuset {tag}", "per_side": 5, "side": 2, "sorter": "-unit", "kommune": "",
            "malgruppe": "", "ledig": "", "avtale": ""})
        assert page.status_code == 200 and "Side 2 av 3 · 12 treff" in page.text
        assert re.findall(rf"<td>Enhet {tag} (\d+)</td>", page.text) == ["7", "6", "5", "4", "3"]
        assert f'<a href="/placement/providers/{providers[1]["provider_id"]}">Enhetshuset {tag} 2</a>' in page.text
        assert f'rel="next" href="?tilbyder=Enhetshuset+{tag}&amp;per_side=5&amp;sorter=-unit&amp;side=3"' in page.text
        assert 'aria-sort="descending"' in page.text
        assert "Rammeavtale" in page.text and "Uten avtale" in page.text
        assert "Enslige og par, Barnefamilier" in page.text
        assert "900,00\xa0kr" in page.text and f"{TODAY:%d.%m.%Y} (Godkjent)" in page.text
        assert "0 husstander" not in page.text and '<span class="muted">Ingen</span>' in page.text
        narrowed = await client.get("/placement/units", headers=worker,
                                    params={"tilbyder": f"Enhetshuset {tag}", "ledig": "false"})
        assert "Side 1 av 1 · 1 treff" in narrowed.text and f"<td>Enhet {tag} 2</td>" in narrowed.text
        assert "1 husstand" in narrowed.text
        for bad in ({"per_side": 1000}, {"sorter": "orgnr"}, {"side": "en"}):
            r = await client.get("/placement/units", headers=worker, params=bad)
            assert r.status_code == 422 and "Adressen til siden inneholder en verdi som ikke kan brukes." in r.text
        providers_page = await client.get("/placement/providers", headers=worker)
        assert '<a href="/placement/units">Enheter</a>' in providers_page.text
