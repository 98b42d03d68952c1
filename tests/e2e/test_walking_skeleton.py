"""The walking skeleton: one household through all four services, over HTTP, a real broker and PostgreSQL.

A case worker registers an application and grants it; placement receives the decision and the household is
placed; billing issues a requisition; stats counts the household in this year's KOSTRA."""

from datetime import date, timedelta

import httpx
import pytest

from kit import clock
from tests.conftest import eventually, granted_decision, login

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def test_one_household_flows_through_every_service(stack):
    today = clock.today()
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        # Grünerløkka requires a leader's approval before a decision takes effect; the helper gives it.
        worker, decision_id = await granted_decision(client, period_from=today - timedelta(days=5),
                                                     period_to=today + timedelta(days=30),
                                                     children=(date(today.year - 6, 5, 1),),
                                                     conditions=("boligskole",))
        # The best place that fits this family by placement's matching (a free unit may not: target groups,
        # beds, a kitchen for families).
        matches = (await client.get(f"/placement/api/decisions/{decision_id}/matches", headers=worker)).json()
        unit = matches["fits"][0]
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": decision_id, "unit_id": unit["unit_id"], "check_in": str(today - timedelta(days=2))})
        assert placed.status_code == 201, placed.text

        async def requisition_issued():
            r = await client.get("/billing/api/requisitions", headers=worker, params={"page_size": 200})
            return [q for q in r.json()["items"] if q["stay_id"] == placed.json()["stay_id"]]
        [requisition] = await eventually(requisition_issued)
        assert requisition["provider_name"] == unit["provider"]
        assert requisition["period_from"] == str(today - timedelta(days=2))
        assert requisition["status"] == "open"

        leader = await login(client, "leder-grunerlokka")

        async def counted_in_kostra():
            r = await client.get(f"/stats/api/kostra?year={today.year}&municipality=0301", headers=leader)
            return r.json() if r.json()["households"] == 1 else None
        report = await eventually(counted_in_kostra)
        # Two nights so far (an open stay counts up to today), with a six-year-old child.
        assert report["households_with_children"] == 1
        assert report["households_14_days_or_less"] == 1
        assert report["households_over_3_months"] == 0
        assert report["settings"]["over_days"] == 90

        # Operations sees the flow: FastStream's consumer metrics and the kit's own.
        metrics = (await client.get("/metrics")).text
        assert "faststream_received_processed_messages_total{" in metrics
        for service, topic in (("placement", "intake.household"), ("billing", "placement.stay"),
                               ("stats", "placement.stay")):
            assert (f'botilbud_events_handled_total{{outcome="handled",service="{service}",'
                    f'topic="botilbud.{topic}.v1"}}') in metrics
