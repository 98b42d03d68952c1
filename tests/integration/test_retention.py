"""Retention on a real PostgreSQL: published outbox rows and inbox claims older than their settings are deleted
in small batches, counted in a metric and recorded (so `botilbud verify` knows what may be gone); unpublished
rows, recent rows, and the tables whose retention is off are kept; the background job does it by itself; and
the settings refuse an inbox that would forget a claim while its event can still be republished."""

import asyncio
import uuid
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY
from pydantic import ValidationError

from kit.clock import now
from kit.retention import prune, retention_job
from kit.settings import Settings
from tests.conftest import eventually, kit_database

pytestmark = pytest.mark.integration

SERVICE = "retentiontest"


def pruned_metric(table: str) -> float:
    return REGISTRY.get_sample_value("botilbud_retention_pruned_total", {"service": SERVICE, "table": table}) or 0.0


async def add_outbox(pool, n: int, *, age_days: float, published: bool) -> None:
    at = now() - timedelta(days=age_days)
    await pool.executemany(
        "INSERT INTO outbox (event_id, event_type, topic, key, headers, body, created_at, published_at) "
        "VALUES ($1, 'test.event.v1', 'test.topic', 'k', '{}', '\\x7b7d', $2, $3)",
        [(uuid.uuid4(), at, at if published else None) for _ in range(n)])


async def add_inbox(pool, n: int, *, age_days: float) -> None:
    at = now() - timedelta(days=age_days)
    await pool.executemany("INSERT INTO inbox (consumer, event_id, processed_at) VALUES ('c', $1, $2)",
                           [(uuid.uuid4(), at) for _ in range(n)])


@pytest.fixture
async def pool(pg_url):
    pool = await kit_database(pg_url, "retention")
    yield pool
    await pool.close()


async def test_old_published_rows_and_old_claims_go_in_batches_the_rest_stays(pool):
    await add_outbox(pool, 10, age_days=40, published=True)  # to go
    await add_outbox(pool, 3, age_days=40, published=False)  # never sent: kept whatever its age
    await add_outbox(pool, 4, age_days=5, published=True)  # recent: kept
    await add_inbox(pool, 7, age_days=90)  # to go
    await add_inbox(pool, 2, age_days=50)  # inside the inbox's 60 days: kept
    outbox_before, inbox_before = pruned_metric("outbox"), pruned_metric("inbox")
    settings = Settings(_env_file=None, outbox_retention_days=30, inbox_retention_days=60, retention_batch_size=3)

    assert await prune(pool, SERVICE, settings) == {"outbox": 10, "inbox": 7}

    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 3
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL") == 4
    assert await pool.fetchval("SELECT count(*) FROM inbox") == 2
    assert (pruned_metric("outbox") - outbox_before, pruned_metric("inbox") - inbox_before) == (10, 7)
    recorded = {r["table_name"]: r for r in await pool.fetch("SELECT * FROM retention")}
    assert {t: r["rows_pruned"] for t, r in recorded.items()} == {"outbox": 10, "inbox": 7}
    horizon = recorded["outbox"]["pruned_before"]
    assert now() - timedelta(days=30, minutes=5) < horizon < now() - timedelta(days=30) + timedelta(minutes=5)

    assert await prune(pool, SERVICE, settings) == {"outbox": 0, "inbox": 0}  # nothing left to prune
    only_outbox = Settings(_env_file=None, outbox_retention_days=1, retention_batch_size=3)
    assert await prune(pool, SERVICE, only_outbox) == {"outbox": 4}  # the inbox's retention is off: untouched
    assert await pool.fetchval("SELECT count(*) FROM inbox") == 2


async def test_the_background_job_prunes_by_itself_until_the_process_stops(pool):
    await add_outbox(pool, 25, age_days=10, published=True)
    settings = Settings(_env_file=None, outbox_retention_days=7, retention_batch_size=10,
                        retention_interval_seconds=0.2)
    stopping = asyncio.Event()
    job = asyncio.create_task(retention_job(pool, SERVICE, settings)(stopping))
    try:
        async def pruned():
            return await pool.fetchval("SELECT count(*) FROM outbox") == 0
        await eventually(pruned, within=20)
        await add_outbox(pool, 5, age_days=8, published=True)  # the next round takes these too
        await eventually(pruned, within=20)
    finally:
        stopping.set()
        await asyncio.wait_for(job, 10)  # it ends by itself once the process stops
    assert await pool.fetchval("SELECT rows_pruned FROM retention WHERE table_name = 'outbox'") == 30


def test_an_inbox_claim_must_outlive_every_republish_of_its_event():
    with pytest.raises(ValidationError, match="INBOX_RETENTION_DAYS"):
        Settings(_env_file=None, inbox_retention_days=30)  # the outbox is kept for ever: so must the claims be
    with pytest.raises(ValidationError, match="INBOX_RETENTION_DAYS"):
        Settings(_env_file=None, outbox_retention_days=30, inbox_retention_days=30)
    assert Settings(_env_file=None, outbox_retention_days=30, inbox_retention_days=60).inbox_retention_days == 60
    assert Settings(_env_file=None, outbox_retention_days=30).inbox_retention_days == 0
