"""The rebuild on the real PostgreSQL, below the broker: what the live consumer handles during a rebuild is in
the projections swapped in; a log that lacks applied events changes nothing; the swapped-in tables are the
ones the migrations made (same indexes, same names); two rebuilds exclude each other across connections."""

from __future__ import annotations

import asyncio
import random

import pytest

from services.stats.adapters.projections import PROJECTION_TABLES
from services.stats.adapters.repository import rebuild_lock
from services.stats.domain.kostra import KostraRules
from services.stats.domain.rebuild import IncompleteLog, RebuildRunning
from services.stats.entrypoints.kafka import to_command
from services.stats.service_layer.rebuild import Replayed, rebuild
from services.stats.service_layer.views import Area, StatsViews
from tests.stats import workload
from tests.stats.db import empty, new_database, stats_parts
from tests.unit.stats.web import TODAY

pytestmark = pytest.mark.integration
ENVELOPES = workload.events(900, year=2025, seed=17)


@pytest.fixture
async def parts(pg_url):
    pool, bus, queries = await stats_parts(await new_database(pg_url))
    yield pool, bus, queries
    await pool.close()


def log_of(envelopes, batch=100, between=None):
    async def read_log():
        for i in range(0, len(envelopes), batch):
            chunk = envelopes[i:i + batch]
            yield Replayed(len(chunk), [to_command(e) for e in chunk])
            if between:
                await between(i // batch)
    return read_log


async def live(bus, envelopes):
    for e in envelopes:
        await bus.handle(to_command(e), event_id=e.id)


async def indexes(pool) -> set[tuple[str, str]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT tablename, indexname FROM pg_indexes WHERE schemaname = current_schema() "
                                "AND tablename = ANY($1::text[])", list(PROJECTION_TABLES))
    return {(r[0], r[1]) for r in rows}


async def test_events_handled_live_during_a_rebuild_are_in_what_is_swapped_in(parts):
    pool, bus, queries = parts
    before_rebuild, during, after = ENVELOPES[:600], ENVELOPES[600:800], ENVELOPES[800:]
    await live(bus, before_rebuild)
    names = await indexes(pool)

    async def live_traffic(batch: int):
        await live(bus, during[batch * 40:(batch + 1) * 40])  # arrives while the replay runs

    # The log the replay reads has what was published before it began, not what comes during it.
    outcome = await rebuild(bus, log_of(before_rebuild, between=live_traffic), lambda: rebuild_lock(pool))
    assert outcome.swapped and outcome.tally.applied == outcome.tally.in_log == 800
    await live(bus, after)  # the live consumer goes on after the swap
    rebuilt = await queries.snapshot()

    await empty(pool)  # the same events straight into empty projections, as the reference
    await live(bus, ENVELOPES)
    assert rebuilt == await queries.snapshot()
    assert await indexes(pool) == names  # the swapped-in tables carry the migrations' index names


async def test_a_replayed_event_the_live_consumer_meets_later_is_not_applied_twice(parts):
    pool, bus, queries = parts
    await live(bus, ENVELOPES[:300])
    await rebuild(bus, log_of(ENVELOPES[:500]), lambda: rebuild_lock(pool))  # the replay reads ahead
    assert [await bus.handle(to_command(e), event_id=e.id) for e in ENVELOPES[300:500]] == [None] * 200
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM inbox WHERE consumer = 'stats'") == 500


async def test_a_log_that_lacks_applied_events_changes_nothing(parts):
    pool, bus, queries = parts
    await live(bus, ENVELOPES)
    before = await queries.snapshot()
    views = StatsViews(queries, KostraRules(), today=lambda: TODAY)
    counts = await views.kostra(Area(2025, "0301"))
    with pytest.raises(IncompleteLog) as refused:
        await rebuild(bus, log_of(ENVELOPES[:100]), lambda: rebuild_lock(pool))
    assert refused.value.tally.missing == len({e.id for e in ENVELOPES}) - 100
    assert await queries.snapshot() == before and await views.kostra(Area(2025, "0301")) == counts
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT to_regnamespace('stats_rebuild')") is None
        row = await conn.fetchrow("SELECT outcome, message FROM rebuilds")
    assert row["outcome"] == "refused" and "manglet" in row["message"]


async def test_a_rebuild_in_another_connection_holds_off_a_second_one(parts):
    pool, bus, _ = parts
    held, release = asyncio.Event(), asyncio.Event()

    async def slow_log():
        held.set()
        await release.wait()
        yield Replayed(0, [])

    first = asyncio.create_task(rebuild(bus, slow_log, lambda: rebuild_lock(pool)))
    await held.wait()
    with pytest.raises(RebuildRunning):
        await rebuild(bus, log_of([]), lambda: rebuild_lock(pool))
    release.set()
    assert (await first).swapped


async def test_a_rebuild_shuffled_and_in_uneven_batches_equals_the_live_projection(parts):
    pool, bus, queries = parts
    await live(bus, ENVELOPES)
    live_rows = await queries.snapshot()
    rnd = random.Random(4)
    delivered = ENVELOPES + rnd.sample(ENVELOPES, 200)
    rnd.shuffle(delivered)
    outcome = await rebuild(bus, log_of(delivered, batch=137), lambda: rebuild_lock(pool))
    assert outcome.tally.events_read == len(delivered)
    assert await queries.snapshot() == live_rows


async def test_a_rebuild_that_died_half_way_leaves_nothing_in_the_way(parts):
    pool, bus, queries = parts
    await live(bus, ENVELOPES[:200])

    async def dying_log():
        yield Replayed(100, [to_command(e) for e in ENVELOPES[:100]])
        raise ConnectionError("broker gone")

    with pytest.raises(ConnectionError):
        await rebuild(bus, dying_log, lambda: rebuild_lock(pool))
    assert (await rebuild(bus, log_of(ENVELOPES[:200]), lambda: rebuild_lock(pool))).swapped
    async with pool.acquire() as conn:
        assert [r[0] for r in await conn.fetch("SELECT outcome FROM rebuilds ORDER BY started_at")] == [
            "failed", "swapped"]
