"""The rebuild on the running service (a broker, PostgreSQL, its HTTP API): readers never see empty or
half-built numbers while it runs; events published meanwhile are not lost; two rebuilds at once get one 200
and one 409; and a rebuild after the embedded broker lost its topics keeps the numbers and says why."""

from __future__ import annotations

import asyncio
import re

import asyncpg
import httpx
import pytest

from botilbud.embedded import EmbeddedKafka
from botilbud.stack import definitions
from kit.auth import UserDirectory
from kit.messaging import ensure_topics
from kit.runtime import Runtime
from services.stats.adapters.queries import StatsQueries
from services.stats.adapters.repository import REBUILD_LOCK
from tests.conftest import eventually, login
from tests.stats import workload
from tests.stats.conftest import inbox_count, publish

pytestmark = pytest.mark.integration
YEAR = 2025
KOSTRA = f"/stats/api/kostra?year={YEAR}&municipality=0301"
MONTHLY = f"/stats/api/reports/maned?year={YEAR}&municipality=0301"


async def projected(runtime, settings, envelopes, within=90):
    await publish(settings, envelopes)

    async def all_in():
        return await inbox_count(runtime) == len({e.id for e in envelopes})
    await eventually(all_in, within=within)


async def numbers(client, headers) -> tuple:
    kostra, monthly = await asyncio.gather(client.get(KOSTRA, headers=headers), client.get(MONTHLY, headers=headers))
    assert kostra.status_code == monthly.status_code == 200, (kostra.text, monthly.text)
    return kostra.json(), monthly.json()["rows"]


async def test_readers_see_the_same_numbers_while_a_rebuild_runs_and_nothing_published_meanwhile_is_lost(
        stats_only, settings):
    envelopes = workload.events(3000, year=YEAR, seed=31)
    first, later = envelopes[:2400], envelopes[2400:]
    await projected(stats_only, settings, first)
    async with httpx.AsyncClient(base_url=stats_only.url, timeout=60) as client:
        leader, drift = await login(client, "leder-grunerlokka"), await login(client, "drift")
        before = await numbers(client, leader)
        assert before[0]["households"] > 0

        rebuilding = asyncio.create_task(client.post("/stats/api/rebuild", headers=drift))
        reads = 0
        while not rebuilding.done():
            assert await numbers(client, leader) == before  # never empty, never half-built
            reads += 1
        assert (await rebuilding).status_code == 200 and reads > 0
        assert await numbers(client, leader) == before

        # Events published while a rebuild runs: the live consumer handles them during or after the hand-over.
        rebuilding = asyncio.create_task(client.post("/stats/api/rebuild", headers=drift))
        await publish(settings, later)
        assert (await rebuilding).status_code == 200

        async def all_in():
            return await inbox_count(stats_only) == len({e.id for e in envelopes})
        await eventually(all_in, within=60)
        queries = StatsQueries(stats_only.pools["stats"])
        settled = await queries.snapshot()
        # A rebuild now reads every event from the log: what the hand-over left must be the same.
        assert (await client.post("/stats/api/rebuild", headers=drift)).status_code == 200
        assert await queries.snapshot() == settled


async def test_two_rebuilds_at_once_get_one_answer_each(stats_only, settings):
    await projected(stats_only, settings, workload.events(600, year=YEAR, seed=32))
    async with httpx.AsyncClient(base_url=stats_only.url, timeout=60) as client:
        drift, admin = await login(client, "drift"), await login(client, "admin")
        answers = await asyncio.gather(client.post("/stats/api/rebuild", headers=drift),
                                       client.post("/stats/api/rebuild", headers=admin))
        assert sorted(r.status_code for r in answers) == [200, 409]
        refused = next(r for r in answers if r.status_code == 409)
        assert "pågår allerede" in refused.json()["detail"]

        # A rebuild in another process holds the lock in PostgreSQL: this one is refused too.
        other = await asyncpg.connect(settings.service_database_url("stats"))
        try:
            assert await other.fetchval("SELECT pg_try_advisory_lock($1)", REBUILD_LOCK)
            r = await client.post("/stats/api/rebuild", headers=drift)
            assert r.status_code == 409 and "annen prosess" in r.json()["detail"]
        finally:
            await other.close()
        assert (await client.post("/stats/api/rebuild", headers=drift)).status_code == 200


@pytest.mark.embedded_stack
async def test_a_rebuild_after_the_broker_lost_its_topics_keeps_the_numbers(settings, tmp_path):
    broker = EmbeddedKafka(tmp_path / "tansu.log")
    settings = settings.model_copy(update={"kafka_bootstrap": broker.start(), "kafka_idempotent_producer": False})
    runtime = Runtime(settings, definitions("stats"), bootstrap=settings.kafka_bootstrap,
                      users=UserDirectory.load(settings.users_file), secret=settings.secret_key.get_secret_value())
    await runtime.start()
    try:
        envelopes = workload.events(800, year=YEAR, seed=33)
        await projected(runtime, settings, envelopes)
        async with httpx.AsyncClient(base_url=runtime.url, timeout=60) as client:
            leader, drift = await login(client, "leder-grunerlokka"), await login(client, "drift")
            before = await numbers(client, leader)

            # The embedded broker keeps its topics in memory: restarted, it has none.
            await asyncio.to_thread(broker.stop)
            await asyncio.to_thread(broker.start)
            await ensure_topics(settings.kafka_bootstrap, settings, ("stats",))

            r = await client.post("/stats/api/rebuild", headers=drift)
            assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
            assert "tallene er som før" in r.json()["detail"] and f"av de {len(envelopes)} hendelsene" in \
                r.json()["detail"]
            assert await numbers(client, leader) == before
            page = await client.get("/stats/gjenoppbygging", headers=drift)
            assert "Ikke tatt i bruk" in page.text and "manglet" in page.text
            metrics = (await client.get("/metrics")).text
            assert re.search(r'botilbud_stats_rebuilds_total\{outcome="refused"\} 1\.0', metrics)

            # Once the services have published everything again, a rebuild is taken into use.
            await publish(settings, envelopes)
            r = await client.post("/stats/api/rebuild", headers=drift)
            assert r.status_code == 200, r.text
            assert await numbers(client, leader) == before
    finally:
        await runtime.stop()
        broker.stop()
