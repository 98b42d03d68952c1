"""Stats on the real events of the other services: a household applies, is granted, placed and moved out
through intake and placement; stats' reports follow (demo providers from placement included)."""

from datetime import date, timedelta

import httpx
import pytest

from kit import clock
from tests.conftest import eventually, granted_decision, login

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def test_reports_follow_a_household_through_the_services(stack):
    today = clock.today()  # the date in Norway, as stats counts
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        worker = await login(client, "veileder-grunerlokka")
        leader = await login(client, "leder-grunerlokka")
        query = f"year={today.year}&municipality=0301"

        async def report(key):
            r = await client.get(f"/stats/api/reports/{key}?{query}", headers=leader)
            assert r.status_code == 200, r.text
            return r.json()

        # The demo providers placement registered are in the occupancy report.
        async def providers_known():
            rows = (await report("belegg"))["rows"]
            return rows if rows and all(r[4] > 0 for r in rows) else None
        await eventually(providers_known, within=30)

        decisions_before = (await report("vedtak"))["rows"][-1]  # intake's demo households decided some already
        _, decision_id = await granted_decision(client, period_from=today - timedelta(days=5),
                                                period_to=today + timedelta(days=30),
                                                children=(date(today.year - 6, 5, 1),))
        unit = (await client.get(f"/placement/api/decisions/{decision_id}/matches", headers=worker)).json()["fits"][0]

        async def provider_row():
            return {r[0]: r for r in (await report("belegg"))["rows"]}.get(unit["provider"])
        occupied_before = (await eventually(provider_row))[5]
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": decision_id, "unit_id": unit["unit_id"], "check_in": str(today - timedelta(days=3))})
        assert placed.status_code == 201, placed.text

        async def family_now():
            rows = (await report("familier-unge"))["rows"]
            return rows if rows == [["nav-grunerlokka", 1, 1, 1, 0]] else None
        await eventually(family_now)

        async def occupied():  # a unit takes one household; its beds are the places it fills
            return (await provider_row())[5] == occupied_before + unit["beds"]
        await eventually(occupied)

        async def decision_counted():
            row = (await report("vedtak"))["rows"][-1]
            return row == ["Alle vedtak", decisions_before[1] + 1, decisions_before[2] + 1]
        await eventually(decision_counted)

        moved = await client.post(f"/placement/api/stays/{placed.json()['stay_id']}/move-out", headers=worker,
                                  json={"check_out": str(today), "destination": "municipal_rental"})
        assert moved.status_code == 200, moved.text

        async def exited():
            rows = (await report("utflytting"))["rows"]
            return rows if rows == [["Kommunal utleiebolig", 1, 1]] else None
        await eventually(exited)
        # Three nights, of which those in this year count (all of them unless today is 1–3 January).
        nights = (today - max(today - timedelta(days=3), date(today.year, 1, 1))).days
        counted = int(nights > 0)
        kostra = (await client.get(f"/stats/api/kostra?{query}", headers=leader)).json()
        assert kostra["households"] == counted and kostra["households_with_children"] == counted
        assert kostra["households_14_days_or_less"] == counted
        month = (await report("maned"))["rows"]
        assert sum(r[5] for r in month) == nights
        assert (await report("familier-unge"))["rows"] == []
