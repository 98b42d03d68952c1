"""Retention: the background job that keeps the outbox and the inbox from growing without end, without breaking
what relies on them (docs/reliability.md, "Retention").

- A published outbox row may go once the broker's topic is the log of its event: with Apache Kafka at
  `retention.ms=-1` (Compose) it is. On the embedded stack the outbox *is* the log — every start refills the
  broker from it, and stats' rebuild reads what that refill put there — so nothing of it is pruned there.
  Unpublished rows are never pruned.
- An inbox claim must outlive every redelivery of its event: from a producer's outbox (a republish sends
  every row the outbox still holds) and from the topics. So inbox retention is longer than the outbox's (the
  settings refuse anything else) and, on a broker that keeps topics forever, off unless the operators accept
  that a consumer group's offsets are never reset or expired (docs/operations.md).

Each table is pruned in small batches (`retention_batch_size` rows per statement, a short pause between), so
no long lock or transaction holds up the services. Before deleting, the job records in `retention` that rows
older than the cut-off may be gone: `botilbud verify` reads it and does not miss an event it knows was pruned."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta

import asyncpg

from kit.clock import now
from kit.logging import get_logger
from kit.metrics import RETENTION_PRUNED
from kit.settings import Settings

log = get_logger(__name__)

# Old rows of each table ($1: the cut-off), oldest first, $2 at a time; SKIP LOCKED lets two replicas prune
# side by side.
_OLD = {
    "outbox": "FROM outbox WHERE published_at < $1 AND created_at < $1",
    "inbox": "FROM inbox WHERE processed_at < $1",
}
_DELETE = {
    "outbox": "WITH doomed AS (SELECT id FROM outbox WHERE published_at < $1 AND created_at < $1 ORDER BY id "
              "LIMIT $2 FOR UPDATE SKIP LOCKED) DELETE FROM outbox o USING doomed WHERE o.id = doomed.id",
    "inbox": "WITH doomed AS (SELECT consumer, event_id FROM inbox WHERE processed_at < $1 ORDER BY processed_at "
             "LIMIT $2 FOR UPDATE SKIP LOCKED) DELETE FROM inbox i USING doomed "
             "WHERE i.consumer = doomed.consumer AND i.event_id = doomed.event_id",
}


async def prune_table(pool: asyncpg.Pool, service: str, table: str, before: datetime, *, batch_size: int,
                      pause: float = 0.05, stopping: asyncio.Event | None = None) -> int:
    """Delete the rows of `table` (outbox or inbox) older than `before`, in batches; returns how many."""
    async with pool.acquire() as conn:
        if not await conn.fetchval(f"SELECT EXISTS (SELECT 1 {_OLD[table]})", before):  # noqa: S608 - constants
            return 0
        await conn.execute(
            "INSERT INTO retention (table_name, pruned_before) VALUES ($1, $2) ON CONFLICT (table_name) DO UPDATE "
            "SET pruned_before = greatest(retention.pruned_before, EXCLUDED.pruned_before), pruned_at = now()",
            table, before)
    pruned = 0
    while stopping is None or not stopping.is_set():
        async with pool.acquire() as conn:
            deleted = int((await conn.execute(_DELETE[table], before, batch_size)).split()[-1])
            if deleted:
                await conn.execute("UPDATE retention SET rows_pruned = rows_pruned + $2 WHERE table_name = $1",
                                   table, deleted)
        pruned += deleted
        RETENTION_PRUNED.labels(service, table).inc(deleted)
        if deleted < batch_size:
            break
        await asyncio.sleep(pause)
    log.info("retention_pruned", service=service, table=table, rows=pruned, before=before.isoformat())
    return pruned


async def prune(pool: asyncpg.Pool, service: str, settings: Settings,
                stopping: asyncio.Event | None = None) -> dict[str, int]:
    """One round of the retention job for one service database: each table whose retention is set."""
    pruned = {}
    for table, days in (("outbox", settings.outbox_retention_days), ("inbox", settings.inbox_retention_days)):
        if days > 0:
            pruned[table] = await prune_table(pool, service, table, now() - timedelta(days=days),
                                              batch_size=settings.retention_batch_size, stopping=stopping)
    return pruned


def retention_job(pool: asyncpg.Pool, service: str, settings: Settings):
    """The background job (`Runtime`): a round now and then every `retention_interval_seconds` until the
    process stops; a failed round is logged and the next one tries again."""

    async def loop(stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await prune(pool, service, settings, stopping)
            except Exception as exc:
                log.warning("retention_failed", service=service, error=repr(exc)[:300])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), settings.retention_interval_seconds)

    return loop


async def pruned_before(conn: asyncpg.Connection, table: str):
    """Before when retention may have deleted rows of `table` in this database (None: nothing was pruned)."""
    return await conn.fetchval("SELECT pruned_before FROM retention WHERE table_name = $1", table)
