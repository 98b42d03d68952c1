"""`botilbud run`'s embedded stack: stopping it and starting it again keeps every record in PostgreSQL, and
the demo data is loaded once, not again. The broker starts empty each time (it keeps topics in memory); the
outboxes refill it, so a stats rebuild after the restart — which replays the topics from the beginning —
gives the numbers stats had before."""

import asyncio
import json

import httpx
import pytest

from botilbud.settings import Settings
from botilbud.stack import demo_offices, run_file, serve
from botilbud.verify import operator_token, resolve, verify_until
from kit.clock import today
from tests.conftest import eventually, login

# It starts its own embedded broker and database, so the Apache Kafka lane leaves it out.
pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.embedded_stack]


async def start(settings: Settings) -> tuple[asyncio.Task, asyncio.Event, str]:
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, "all", embedded=True, stop=stop))

    async def running():
        if task.done():
            task.result()
        return run_file(settings).exists() and json.loads(run_file(settings).read_text())["url"]
    url = await eventually(running, within=120)
    return task, stop, url


MUNICIPALITIES = sorted({o["municipality"] for o in demo_offices()})


async def kostra(client: httpx.AsyncClient, auth: dict) -> dict:
    out = {}
    for municipality in MUNICIPALITIES:
        r = await client.get("/stats/api/kostra", headers=auth, params={"year": today().year,
                                                                        "municipality": municipality})
        assert r.status_code == 200, r.text
        out[municipality] = r.json()
    return out


async def test_records_survive_a_restart_of_the_embedded_stack(tmp_path):
    settings = Settings(_env_file=None, home=tmp_path / "botilbud", http_port=0, log_json=True)
    task, stop, url = await start(settings)
    try:
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            worker = await login(client, "veileder-bodo")
            r = await client.post("/intake/api/applications", headers=worker, json={
                "identity_number": "15108695088", "name": "Ola Nordmann", "office_id": "nav-bodo"})
            assert r.status_code == 201, r.text
            application_id = r.json()["application_id"]
            units_before = len((await client.get("/placement/api/capacity", headers=worker)).json())
            # The demo's later stages, placed through the APIs: an extended stay and one moved out (Trondheim).
            trondheim = await login(client, "veileder-falkenborg")

            async def demo_stays():
                stays = (await client.get("/placement/api/stays", headers=trondheim,
                                          params={"page_size": 200})).json()["items"]
                return stays if any(s["check_out"] for s in stays) and len(stays) >= 2 else None
            stays_before = await eventually(demo_stays, within=90)
            details = [(await client.get(f"/placement/api/stays/{s['id']}", headers=trondheim)).json()
                       for s in stays_before]
            assert any(d["extensions"] for d in details)  # the extension decision was followed
            cases_before = (await client.get("/intake/api/applications", headers=worker)).json()["total"]
            assert units_before > 0
            # Stats may still be handling the demo's last events: the numbers to compare with are taken once
            # every published event has had its effect (verify's inbox check), not a moment earlier.
            checked, address, bootstrap = resolve(Settings(_env_file=None, home=settings.home), url)
            settled = await verify_until(checked, 120, address=address, token=operator_token(checked),
                                         bootstrap=bootstrap, grace_seconds=0)
            assert settled.ok, settled.text()
            kostra_before = await kostra(client, await login(client, "drift"))
            assert sum(k["households"] for k in kostra_before.values()) >= len(stays_before)
    finally:
        stop.set()
        await task
    assert not run_file(settings).exists()

    task, stop, url = await start(settings)
    try:
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            worker = await login(client, "veileder-bodo")
            cases = (await client.get("/intake/api/applications", headers=worker,
                                     params={"page_size": 200})).json()["items"]
            assert application_id in [c["id"] for c in cases]
            units_after = len((await client.get("/placement/api/capacity", headers=worker)).json())
            assert units_after == units_before  # demo data not loaded a second time
            assert len(cases) == cases_before
            trondheim = await login(client, "veileder-falkenborg")
            stays_after = (await client.get("/placement/api/stays", headers=trondheim,
                                            params={"page_size": 200})).json()["items"]
            assert sorted(s["id"] for s in stays_after) == sorted(s["id"] for s in stays_before)

            # Stats rebuilt from the topics of the fresh broker: the outboxes put the whole history there.
            drift = await login(client, "drift")
            rebuilt = await client.post("/stats/api/rebuild", headers=drift)
            assert rebuilt.status_code == 200, rebuilt.text

            async def as_before():
                return await kostra(client, drift) == kostra_before
            await eventually(as_before, within=60, interval=0.5)
    finally:
        stop.set()
        await task
