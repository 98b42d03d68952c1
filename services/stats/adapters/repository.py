"""Stats' writes: the projections (live, or the ones a rebuild builds aside), the writers' lock, and the
rebuild's own steps — make the shadow projections, count what they hold, swap them in — and its history.

A rebuild builds into the schema `stats_rebuild` (tables made `LIKE` the live ones) and swaps them in with one
transaction: the live tables are dropped and the new ones moved into the live schema, so a reader sees the old
projections or the new ones, never empty or half-built ones. Reads for pages and APIs are in `queries.py`."""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from uuid import UUID

import asyncpg

from services.stats.adapters.projections import PROJECTION_TABLES, bulk, history_statements, statements, winners
from services.stats.domain import commands as c
from services.stats.domain.rebuild import ReplayTally

SHADOW = "stats_rebuild"
CONSUMER = "stats"
_WRITERS_LOCK = zlib.crc32(b"stats:projection-writers")
REBUILD_LOCK = zlib.crc32(b"stats:rebuild")


class ProjectionRepository:
    """The projection tables of one schema: the live ones (`schema=None`), or a rebuild's (`SHADOW`)."""

    def __init__(self, conn: asyncpg.Connection, schema: str | None = None):
        self.conn = conn
        self.schema = schema
        self._inbox = f"{schema}.inbox" if schema else "inbox"
        self._writes, self._bulk = statements(schema)
        self._history = history_statements(schema)
        self._locked: tuple[bool, bool] | None = None  # (exclusive, a rebuild is building aside)

    async def lock_writers(self, *, exclusive: bool = False) -> bool:
        """Every writer of the projections takes this lock first in its transaction (before its inbox row):
        the live consumer shared; a rebuild's steps exclusive, so that they never interleave with a live
        transaction (which would lock the same rows in another order and deadlock). Returns whether a rebuild
        is building projections aside — stable while the lock is held, as only exclusive holders change it."""
        if self._locked is None or (exclusive and not self._locked[0]):
            await self.conn.execute("SELECT pg_advisory_xact_lock($1)" if exclusive else
                                    "SELECT pg_advisory_xact_lock_shared($1)", _WRITERS_LOCK)
            # A statement of its own, so the catalog is read after the lock was granted.
            building = await self.conn.fetchval("SELECT to_regnamespace($1) IS NOT NULL", SHADOW)
            self._locked = (exclusive, building)
        return self._locked[1]

    async def claim(self, event_ids: Sequence[UUID]) -> set[UUID]:
        """Inbox for a batch: the ids not seen before, now claimed (in the caller's transaction)."""
        rows = await self.conn.fetch(
            f"INSERT INTO {self._inbox} (consumer, event_id) SELECT $1, unnest($2::uuid[]) "
            "ON CONFLICT DO NOTHING RETURNING event_id", CONSUMER, sorted(set(event_ids)))
        return {r["event_id"] for r in rows}

    async def apply(self, cmds: Sequence[c.Command]) -> None:
        """Upsert the commands: one statement per kind of command (a bulk one for many)."""
        by_type: dict[type, list] = {}
        for cmd in cmds:
            by_type.setdefault(type(cmd), []).append(cmd)
        for cls, group in by_type.items():
            sql, params = self._writes[cls]
            if bulk(cls) and len(group) > 1:
                rows = [params(x) for x in winners(group, cls)]
                await self.conn.execute(self._bulk[cls], *(list(col) for col in zip(*rows, strict=True)))
            elif len(group) == 1:
                await self.conn.execute(sql, *params(group[0]))
            else:
                await self.conn.executemany(sql, [params(x) for x in group])
            if cls in self._history:
                sql, params = self._history[cls]
                await self.conn.executemany(sql, [params(x) for x in group])


class RebuildRepository:
    """The shadow projections of a rebuild, their swap, and the rebuild history (`rebuilds`)."""

    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def make_shadow(self) -> None:
        """Empty projections and inbox in `SHADOW`, like the live ones; a leftover of a rebuild that died
        half-way is dropped first (and its history row closed)."""
        await self.conn.execute(f"DROP SCHEMA IF EXISTS {SHADOW} CASCADE; CREATE SCHEMA {SHADOW}")
        for table in (*PROJECTION_TABLES, "inbox"):
            await self.conn.execute(f"CREATE TABLE {SHADOW}.{table} (LIKE {table} INCLUDING ALL)")
        # LIKE names the indexes it copies after their columns: they get the live names, so the tables swapped
        # in later carry the names the migrations gave (a later migration may refer to them).
        renames = await self.conn.fetch(
            "SELECT s.indexname AS shadow, l.indexname AS live FROM pg_indexes l JOIN pg_indexes s "
            "ON s.schemaname = $1 AND s.tablename = l.tablename "
            "AND split_part(s.indexdef, ' USING ', 2) = split_part(l.indexdef, ' USING ', 2) "
            "WHERE l.schemaname = current_schema() AND l.tablename = ANY($2::text[]) AND s.indexname <> l.indexname",
            SHADOW, list(PROJECTION_TABLES))
        for r in renames:
            await self.conn.execute(f'ALTER INDEX {SHADOW}."{r["shadow"]}" RENAME TO "{r["live"]}"')
        await self.conn.execute("UPDATE rebuilds SET outcome = 'failed', finished_at = now(), "
                                "message = 'Avbrutt (prosessen stoppet underveis).' WHERE outcome = 'running'")

    async def tally(self, events_read: int) -> ReplayTally:
        row = await self.conn.fetchrow(
            f"SELECT (SELECT count(*) FROM {SHADOW}.inbox WHERE consumer = $1) AS in_log, "
            "(SELECT count(*) FROM inbox WHERE consumer = $1) AS applied, "
            f"(SELECT count(*) FROM inbox l WHERE l.consumer = $1 AND NOT EXISTS (SELECT 1 FROM {SHADOW}.inbox s "
            "  WHERE s.consumer = l.consumer AND s.event_id = l.event_id)) AS missing", CONSUMER)
        return ReplayTally(events_read, row["in_log"], row["applied"], row["missing"])

    async def swap(self) -> None:
        """The new projections replace the live ones, in the caller's transaction; the live inbox gains the
        events the replay read ahead of the live consumer (it will skip them)."""
        await self.conn.execute(f"ANALYZE {', '.join(f'{SHADOW}.{t}' for t in PROJECTION_TABLES)}")
        live = await self.conn.fetchval("SELECT quote_ident(current_schema())")
        for table in PROJECTION_TABLES:
            await self.conn.execute(f"DROP TABLE {table}")
            await self.conn.execute(f"ALTER TABLE {SHADOW}.{table} SET SCHEMA {live}")
        await self.conn.execute(f"INSERT INTO inbox SELECT * FROM {SHADOW}.inbox ON CONFLICT DO NOTHING")
        await self.drop_shadow()

    async def drop_shadow(self) -> None:
        await self.conn.execute(f"DROP SCHEMA IF EXISTS {SHADOW} CASCADE")

    async def started(self, rebuild_id: UUID, at: datetime) -> None:
        await self.conn.execute("INSERT INTO rebuilds (rebuild_id, started_at, outcome) VALUES ($1, $2, 'running')",
                                rebuild_id, at)

    async def finished(self, rebuild_id: UUID, at: datetime, outcome: str, tally: ReplayTally | None,
                       message: str) -> None:
        t = tally or ReplayTally(0, 0, 0, 0)
        await self.conn.execute(
            "UPDATE rebuilds SET finished_at = $2, outcome = $3, events_read = $4, events_in_log = $5, "
            "events_applied = $6, events_missing = $7, message = $8 WHERE rebuild_id = $1",
            rebuild_id, at, outcome, t.events_read, t.in_log, t.applied, t.missing, message)


@contextlib.asynccontextmanager
async def rebuild_lock(pool: asyncpg.Pool) -> AsyncIterator[bool]:
    """Held for a whole rebuild, across processes (a session lock on a connection of its own): yields False
    when another rebuild holds it. The lock goes with the connection if the process dies."""
    async with pool.acquire() as conn:
        held = await conn.fetchval("SELECT pg_try_advisory_lock($1)", REBUILD_LOCK)
        try:
            yield held
        finally:
            if held:
                await conn.execute("SELECT pg_advisory_unlock($1)", REBUILD_LOCK)
