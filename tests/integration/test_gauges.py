"""The gauges operations alerts on, read from /metrics of a running stack: a family past three months, overdue
inspections, invoices by status, this year's KOSTRA counters; and a crashed request counts as a 500."""

from datetime import date, timedelta

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from kit import clock
from kit.auth import TokenSigner, UserDirectory
from kit.web import create_root_app
from tests.conftest import eventually, granted_decision

pytestmark = pytest.mark.integration


def sample(metrics: str, name: str, **labels) -> float | None:
    wanted = name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
    for line in metrics.splitlines():
        if line.startswith(wanted + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


async def test_a_family_past_three_months_shows_in_the_gauges(stack):
    today = clock.today()
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        worker, decision_id = await granted_decision(client, period_from=today - timedelta(days=100),
                                                     period_to=today + timedelta(days=10),
                                                     children=(date(today.year - 7, 3, 1),))
        unit = (await client.get(f"/placement/api/decisions/{decision_id}/matches", headers=worker)).json()["fits"][0]
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": decision_id, "unit_id": unit["unit_id"], "check_in": str(today - timedelta(days=95)),
            "justification": "Familien har bodd her siden før systemet ble tatt i bruk."})
        assert placed.status_code == 201, placed.text

        async def family_past_three_months():
            metrics = (await client.get("/metrics")).text
            value = sample(metrics, "botilbud_stats_households_over_three_months", municipality="0301",
                           group="family")
            return metrics if value == 1 else None
        metrics = await eventually(family_past_three_months, within=30)

    assert sample(metrics, "botilbud_stats_households_over_three_months", municipality="0301", group="young") == 0
    # Billing's invoices by status are there from the start (zero of each).
    assert sample(metrics, "botilbud_billing_invoices", status="waiting") == 0
    assert sample(metrics, "botilbud_billing_invoices", status="disputed") == 0
    # The demo data's overdue inspection (Bodø's camp site) has nobody living there: zero, present.
    assert sample(metrics, "botilbud_placement_inspections_overdue", municipality="1804") == 0


async def test_kostra_counters_are_gauges(stack):
    today = clock.today()
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        worker, decision_id = await granted_decision(client, office="nav-bodo",
                                                     period_from=today - timedelta(days=10),
                                                     period_to=today + timedelta(days=10))
        unit = (await client.get(f"/placement/api/decisions/{decision_id}/matches", headers=worker)).json()["fits"][0]
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": decision_id, "unit_id": unit["unit_id"], "check_in": str(today - timedelta(days=3)),
            "justification": "Ingen ledig plass som passer i kommunen i kveld."})
        assert placed.status_code == 201, placed.text

        async def counted():
            metrics = (await client.get("/metrics")).text
            return sample(metrics, "botilbud_stats_kostra_households", municipality="1804",
                          counter="households") == 1
        await eventually(counted, within=60)  # the KOSTRA gauges refresh every 30 s


async def test_a_crashed_request_is_counted_as_a_500(tmp_path):
    crashing = FastAPI()

    @crashing.get("/boom")
    async def boom():
        raise RuntimeError("a bug")

    users = tmp_path / "users.json"
    UserDirectory.write(users, [])
    app = create_root_app(signer=TokenSigner("s", 60), users=UserDirectory.load(users), mounts={"intake": crashing},
                          titles={"intake": "Søknader og vedtak"}, readiness={})
    labels = {"service": "intake", "method": "GET", "route": "/boom", "status": "500"}
    before = REGISTRY.get_sample_value("botilbud_http_requests_total", labels) or 0
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/intake/boom")).status_code == 500
    assert REGISTRY.get_sample_value("botilbud_http_requests_total", labels) == before + 1
