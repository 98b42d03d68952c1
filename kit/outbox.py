"""Transactional outbox and its relay.

`add` writes events in the caller's transaction. The relay publishes unpublished rows in id order, keyed by
aggregate id, and marks them published only after the broker acknowledged them. A failed round is retried
with exponential backoff; the backlog is a Prometheus gauge. NOTIFY wakes the relay right after a commit
so events leave within milliseconds; polling covers a missed notification.

The outbox is also the durable log behind a broker that may lose what it had (the embedded Tansu keeps its
topics in memory; a Kafka restored from an old snapshot): `request_republish` asks the relay to publish every
row again — published or not, in id order, so each key's order holds and old events go before new ones —
before it goes on with new rows. The consumers' inboxes make the repeats harmless. The request is a row in
`outbox_republish` holding how far the relay has come, so a relay that dies midway goes on where it was (and a
new request starts again from the first row)."""

from __future__ import annotations

import asyncio
import contextlib
import zlib

import asyncpg
from aiokafka import AIOKafkaProducer

from contracts import Envelope
from kit.logging import get_logger
from kit.metrics import OUTBOX_BACKLOG, OUTBOX_PUBLISH_ERRORS, OUTBOX_PUBLISHED, OUTBOX_REPUBLISHED

log = get_logger(__name__)

OUTBOX_DDL = """
CREATE TABLE IF NOT EXISTS outbox (
    id           bigserial   PRIMARY KEY,
    event_id     uuid        NOT NULL UNIQUE,
    event_type   text        NOT NULL,
    topic        text        NOT NULL,
    key          text        NOT NULL,
    headers      jsonb       NOT NULL,
    body         bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text
);
CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
"""


def channel(service: str) -> str:
    return f"outbox_{service}"


async def add(conn: asyncpg.Connection, service: str, envelopes: list[Envelope], topic) -> None:
    await conn.executemany(
        "INSERT INTO outbox (event_id, event_type, topic, key, headers, body) VALUES ($1, $2, $3, $4, $5, $6)",
        [(e.id, e.type, topic(e.data.topic.value), e.key, e.headers(), e.body()) for e in envelopes],
    )
    await conn.execute(f"NOTIFY {channel(service)}")


# What `botilbud verify` asks of an outbox (the kit's own table, in every service's database).

async def stale_rows(conn: asyncpg.Connection, older_than_seconds: float) -> int:
    """Rows written more than this long ago and still not acknowledged by the broker."""
    return await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL "
                               "AND created_at < now() - make_interval(secs => $1)", older_than_seconds)


async def duplicate_event_ids(conn: asyncpg.Connection) -> dict:
    """Event ids written more than once (never, while the table's unique key holds) → how often."""
    rows = await conn.fetch("SELECT event_id, count(*) AS n FROM outbox GROUP BY event_id HAVING count(*) > 1")
    return {r["event_id"]: r["n"] for r in rows}


async def row_count(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT count(*) FROM outbox")


async def published(conn: asyncpg.Connection, settled_seconds: float) -> dict:
    """Events acknowledged by the broker more than `settled_seconds` ago: event id → (type, written at)."""
    rows = await conn.fetch("SELECT event_id, event_type, created_at FROM outbox WHERE published_at IS NOT NULL "
                            "AND published_at < now() - make_interval(secs => $1)", settled_seconds)
    return {r["event_id"]: (r["event_type"], r["created_at"]) for r in rows}


async def events_per(conn: asyncpg.Connection, event_type: str, id_field: str, *, since=None,
                     text_ids: bool = False) -> dict:
    """How many events of this type each aggregate has (by the id in the event's field `id_field`: a UUID, or
    text with `text_ids`, such as an office's id), of those written since `since` (all when None)."""
    id_type = "text" if text_ids else "uuid"
    rows = await conn.fetch(
        f"SELECT (convert_from(body, 'UTF8')::jsonb ->> $2)::{id_type} AS id, count(*) AS n FROM outbox "  # noqa: S608
        "WHERE event_type = $1 AND ($3::timestamptz IS NULL OR created_at >= $3) GROUP BY 1",
        event_type, id_field, since)
    return {r["id"]: r["n"] for r in rows}


async def request_republish(conn: asyncpg.Connection, service: str, reason: str) -> int:
    """Ask this database's relay to publish every outbox row again before any new one (see the module doc).
    A request made while one is under way starts it again from the first row. Returns the rows to publish."""
    await conn.execute(
        "INSERT INTO outbox_republish (singleton, position, reason) VALUES (true, 0, $1) "
        "ON CONFLICT (singleton) DO UPDATE SET position = 0, requested_at = now(), reason = EXCLUDED.reason",
        reason)
    await conn.execute(f"NOTIFY {channel(service)}")
    log.info("outbox_republish_requested", service=service, reason=reason)
    return await conn.fetchval("SELECT count(*) FROM outbox")


class OutboxRelay:
    def __init__(self, pool: asyncpg.Pool, producer: AIOKafkaProducer, service: str, *,
                 batch_size: int = 500, poll_seconds: float = 1.0, max_backoff: float = 30.0):
        self.pool = pool
        self.producer = producer
        self.service = service
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.max_backoff = max_backoff
        self._wake = asyncio.Event()
        # One relay at a time per service database keeps per-key order when a service is scaled out.
        self._lock_key = zlib.crc32(f"outbox:{service}".encode())

    async def run(self, stopping: asyncio.Event | None = None) -> None:
        """Publish until `stopping` is set (then the round in hand finishes first) or the task is cancelled."""
        stopping = stopping or asyncio.Event()
        stopping_waiter = asyncio.create_task(self._wake_on(stopping))
        listener = await self.pool.acquire()
        await listener.add_listener(channel(self.service), self._on_notify)
        backoff = 0.0
        try:
            while not stopping.is_set():
                # Cleared before the round, not after it: a NOTIFY that arrives while the round publishes must
                # start another round at once (clearing it afterwards left those rows for the next poll, 1 s).
                self._wake.clear()
                try:
                    published = await self.publish_pending()
                    backoff = 0.0
                    if published >= self.batch_size:
                        continue
                except (asyncio.CancelledError, GeneratorExit):
                    raise
                except Exception as exc:  # broker or database down: keep the rows, try again later
                    OUTBOX_PUBLISH_ERRORS.labels(self.service).inc()
                    backoff = min(self.max_backoff, max(0.2, backoff * 2))
                    log.warning("outbox_publish_failed", service=self.service, error=repr(exc)[:300],
                                retry_in=backoff)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stopping.wait(), backoff)
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
        finally:
            stopping_waiter.cancel()
            with contextlib.suppress(Exception):
                await listener.remove_listener(channel(self.service), self._on_notify)
            await self.pool.release(listener)

    async def _wake_on(self, stopping: asyncio.Event) -> None:
        await stopping.wait()
        self._wake.set()

    def _on_notify(self, *_args) -> None:
        self._wake.set()

    async def publish_pending(self) -> int:
        failure: Exception | None = None
        async with self.pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", self._lock_key):
                return 0
            # A republish under way (locked: a new request waits for this round, then starts from the first row).
            republish = await conn.fetchval("SELECT position FROM outbox_republish FOR UPDATE")
            if republish is None:
                pending = "published_at IS NULL"
            else:  # every row after the position, and any row before it that committed late
                pending = f"(id > {int(republish)} OR published_at IS NULL)"
            rows = await conn.fetch(
                f"SELECT id, topic, key, headers, body, published_at IS NOT NULL AS again FROM outbox "  # noqa: S608
                f"WHERE {pending} ORDER BY id LIMIT $1", self.batch_size)
            ids = [r["id"] for r in rows]
            backlog = await conn.fetchval(f"SELECT count(*) FROM outbox WHERE {pending}")  # noqa: S608
            OUTBOX_BACKLOG.labels(self.service).set(backlog)  # before sending: a hung broker shows at once
            try:
                acks = [
                    await self.producer.send(
                        row["topic"], value=row["body"], key=row["key"].encode(),
                        headers=[(k, v.encode()) for k, v in row["headers"].items()])
                    for row in rows
                ]
                await asyncio.gather(*acks)
            except Exception as exc:  # recorded on the rows, then raised once the record is committed
                failure = exc
                await conn.execute(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])",
                    ids, repr(exc)[:500])
            else:
                await conn.execute("UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[]) "
                                   "AND published_at IS NULL", ids)
                OUTBOX_PUBLISHED.labels(self.service).inc(len(rows))
                OUTBOX_BACKLOG.labels(self.service).set(backlog - len(rows))
                if republish is not None:
                    await self._republished(conn, rows)
        if failure is not None:
            raise failure
        return len(rows)

    async def _republished(self, conn: asyncpg.Connection, rows: list) -> None:
        """Move the republish on past this round's rows; a round short of a full batch has reached the end."""
        OUTBOX_REPUBLISHED.labels(self.service).inc(sum(r["again"] for r in rows))
        if len(rows) < self.batch_size:
            await conn.execute("DELETE FROM outbox_republish")
            log.info("outbox_republish_done", service=self.service)
        else:
            await conn.execute("UPDATE outbox_republish SET position = $1", rows[-1]["id"])
