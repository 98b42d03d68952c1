"""Stats on the real events of the other services: a household applies, is granted, placed and moved out
through intake and placement; stats' reports follow (demo providers from placement included)."""

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from tests.conftest import eventually, login

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

FNR = "15108695088"  # a synthetic fødselsnummer from python-stdnum's documentation


async def test_reports_follow_a_household_through_the_services(stack):
    today = datetime.now(UTC).date()
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
        occupancy = await eventually(providers_known, within=30)

        applied = await client.post("/intake/api/applications", headers=worker, json={
            "identity_number": FNR, "name": "Kari Nordmann", "office_id": "nav-grunerlokka", "urgent": True,
            "children_birth_dates": [str(date(today.year - 6, 5, 1))]})
        assert applied.status_code == 201, applied.text
        decided = await client.post(f"/intake/api/applications/{applied.json()['application_id']}/decision",
                                    headers=worker, json={"outcome": "granted",
                                                          "period_from": str(today - timedelta(days=5)),
                                                          "period_to": str(today + timedelta(days=30))})
        assert decided.status_code == 201, decided.text
        decision_id = decided.json()["decision_id"]

        async def awaiting():
            r = await client.get("/placement/api/decisions/awaiting-place", headers=worker)
            return [d for d in r.json() if d["decision_id"] == decision_id]
        await eventually(awaiting)
        capacity = (await client.get("/placement/api/capacity?municipality=0301", headers=worker)).json()
        unit = next(u for u in capacity if u["free"] > 0 and u["accommodation"] == "temporary")
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": decision_id, "unit_id": unit["unit_id"], "check_in": str(today - timedelta(days=3))})
        assert placed.status_code == 201, placed.text

        async def family_now():
            rows = (await report("familier-unge"))["rows"]
            return rows if rows == [["nav-grunerlokka", 1, 1, 1, 0]] else None
        await eventually(family_now)

        async def occupied():
            rows = {r[0]: r for r in (await report("belegg"))["rows"]}
            return rows[unit["provider"]][5] == 1 + {r[0]: r for r in occupancy}[unit["provider"]][5]
        await eventually(occupied)

        vedtak = await report("vedtak")
        assert vedtak["rows"][-1] == ["Alle vedtak", 1, 1]

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
