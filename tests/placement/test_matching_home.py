"""Matching starts at home, on the real stack (issue 15.5): an Oslo office's family gets places in its district and
in Oslo first, a neighbouring municipality's next, and Bodø, Stavanger, Trondheim or Drammen only when the case
worker asks; the filters narrow the list; the units that cannot be used are collapsed, with their reasons."""

import html
from datetime import timedelta

import httpx
import pytest

from kit.clock import today
from tests.conftest import login
from tests.placement.helpers import grant, new_place

pytestmark = [pytest.mark.integration]
TODAY = today()
ORDER = ["home_district", "home", "near", "elsewhere"]


def providers(places: list[dict]) -> set[str]:
    return {p["provider"] for p in places}


async def test_an_oslo_family_gets_oslo_first_a_neighbour_next_and_other_municipalities_only_when_asked(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, admin = await login(client, "veileder-grunerlokka"), await login(client, "admin")
        in_district = await new_place(client, admin, municipality="0301", district="Grünerløkka",
                                      target_groups=("families",))
        # Bærum borders Oslo
        in_baerum = await new_place(client, admin, municipality="3201", target_groups=("families",))
        child = TODAY.replace(year=TODAY.year - 6)
        g = await grant(client, worker, period_from=TODAY, period_to=TODAY + timedelta(days=30), children=(child,))
        url = f"/placement/api/decisions/{g['decision_id']}/matches"

        home = (await client.get(url, headers=worker)).json()
        nearness = [p["nearness"] for p in home["fits"]]
        assert nearness == sorted(nearness, key=ORDER.index)  # nearest first
        assert home["fits"][0]["provider"] == in_district["name"]  # the office's own district first
        assert {p["provider"] for p in home["fits"] if p["nearness"] == "home"} >= {
            "Grefsen korttidsboliger (Frelsesarmeen)"}
        assert [p["provider"] for p in home["fits"] if p["nearness"] == "near"] == [in_baerum["name"]]
        assert {p["municipality"] for p in home["fits"]} == {"0301", "3201"}
        assert home["elsewhere"] > 0  # Bodø's, Stavanger's, Trondheim's and Drammen's flats, not listed

        everywhere = (await client.get(url, headers=worker, params={"everywhere": "true"})).json()
        assert {"1804", "1103", "5001", "3301"} <= {p["municipality"] for p in everywhere["fits"]}
        nearness = [p["nearness"] for p in everywhere["fits"]]
        assert nearness == sorted(nearness, key=ORDER.index) and nearness[-1] == "elsewhere"
        assert everywhere["elsewhere"] == 0

        # The filters narrow the list: a chosen municipality (even far away), target group, kitchen, free beds.
        bodo = (await client.get(url, headers=worker, params={"municipality": "1804"})).json()
        assert bodo["fits"] and {p["municipality"] for p in bodo["fits"]} == {"1804"}
        big = (await client.get(url, headers=worker, params={"min_beds": "4", "everywhere": "true"})).json()
        assert big["fits"] and all(p["beds"] >= 4 for p in big["fits"])
        assert in_district["name"] not in providers(big["fits"])  # three beds
        families = (await client.get(url, headers=worker, params={"target_group": "families"})).json()
        assert providers(families["fits"]) >= {in_district["name"], in_baerum["name"]}
        young = (await client.get(url, headers=worker, params={"target_group": "young"})).json()
        assert not providers(young["fits"]) & {in_district["name"], in_baerum["name"]}
        shared = (await client.get(url, headers=worker, params={"kitchen": "shared"})).json()
        own = (await client.get(url, headers=worker, params={"kitchen": "own"})).json()
        assert providers(own["fits"]) == providers(shared["fits"]) == providers(home["fits"])  # a family: own only

        # The units that cannot be used: apart, with why (Blå Kors is for singles and couples; its rooms have one
        # bed), and none far away unless asked.
        blaa_kors = [p for p in home["left_out"] if p["provider"] == "Blå Kors bosenter"]
        assert blaa_kors and {r["rule"] for r in blaa_kors[0]["refusals"]} >= {"target_group", "beds"}
        assert {p["municipality"] for p in home["left_out"]} <= {"0301", "3201"}

        page = (await client.get(f"/placement/decisions/{g['decision_id']}/places", headers=worker)).text
        listed, collapsed = page.split('<details id="left-out">')
        assert (listed.index("I bydelen (Grünerløkka)") < listed.index("I kommunen (Oslo)")
                < listed.index("I nabokommunene"))
        assert "I andre kommuner" not in listed and "Vis plasser i andre kommuner" in listed
        assert html.escape(in_baerum["name"]) in listed and "Bodø" not in listed.split('id="section-near"')[1]
        assert "kan ikke brukes" in collapsed and "Utenfor målgruppen" in collapsed
        assert "Blå Kors bosenter" in collapsed and "Blå Kors bosenter" not in listed

        asked = (await client.get(f"/placement/decisions/{g['decision_id']}/places", headers=worker,
                                  params={"everywhere": "true"})).text.split('<details id="left-out">')[0]
        assert asked.index("I nabokommunene") < asked.index("I andre kommuner")
        assert "Bodø" in asked.split("I andre kommuner")[1]
