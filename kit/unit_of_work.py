"""The unit of work: one database transaction that holds a state change, the events it raised (outbox)
and, for consumers, the id of the event that caused it (inbox). Commit writes all or nothing.

Services subclass it to add their repositories on `self.conn`, and give it a `translate` function that
turns their domain events into wire events: the domain never sees the contracts.

A consumer handles a batch of events in one `shared_transaction()`: every unit of work opened inside it runs
as a savepoint on one connection, and the batch commits once — one round of locks and one WAL flush for many
events instead of one each. A unit of work that rolls back undoes only its own savepoint."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterable
from contextvars import ContextVar
from typing import Any

import asyncpg

from contracts import Envelope, IntegrationEvent
from kit import inbox, outbox
from kit.logging import current_correlation_id

Translate = Callable[[Any], Iterable[IntegrationEvent]]


class SharedTransaction:
    """One connection and one open transaction that the units of work of a batch share (see module doc)."""

    def __init__(self) -> None:
        self.conn: asyncpg.Connection | None = None
        self._pool: asyncpg.Pool | None = None
        self._tx = None

    async def connection(self, pool: asyncpg.Pool) -> asyncpg.Connection:
        if self.conn is None:
            self._pool = pool
            self.conn = await pool.acquire()
            self._tx = self.conn.transaction()
            await self._tx.start()
        elif pool is not self._pool:
            raise RuntimeError("a shared transaction spans one database")
        return self.conn

    async def commit(self) -> None:
        if self._tx is not None:
            await self._tx.commit()

    async def close(self) -> None:
        """Roll back what was not committed and give the connection back (a broken one is discarded)."""
        if self.conn is None:
            return
        try:
            if not self.conn.is_closed() and self.conn.is_in_transaction():
                await self.conn.execute("ROLLBACK")
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            self.conn.terminate()
        finally:
            await self._pool.release(self.conn)


_shared: ContextVar[SharedTransaction | None] = ContextVar("botilbud_shared_transaction", default=None)


@contextlib.asynccontextmanager
async def shared_transaction() -> AsyncIterator[SharedTransaction]:
    """Units of work opened in this block (in this task) share one transaction, committed when the block ends
    without an exception; an exception rolls all of it back."""
    shared = SharedTransaction()
    token = _shared.set(shared)
    try:
        yield shared
        await shared.commit()
    finally:
        _shared.reset(token)
        await shared.close()


class UnitOfWork:
    def __init__(self, pool: asyncpg.Pool, *, service: str, translate: Translate,
                 topic: Callable[[str], str] = lambda name: name):
        self._pool = pool
        self.service = service
        self._translate = translate
        self._topic = topic
        self._events: list[Any] = []
        self._envelopes: list[Envelope] = []
        self.conn: asyncpg.Connection

    async def __aenter__(self) -> UnitOfWork:
        shared = _shared.get()
        self._owns_connection = shared is None
        self.conn = await self._pool.acquire() if shared is None else await shared.connection(self._pool)
        self._tx = self.conn.transaction()  # inside a shared transaction: a savepoint
        try:
            await self._tx.start()
        except BaseException:
            if self._owns_connection:
                await self._pool.release(self.conn)
            raise
        self._events, self._envelopes = [], []
        self._done = False
        return self

    async def __aexit__(self, exc_type, exc, tb) -> None:
        try:
            if not self._done:
                await self._tx.rollback()
        finally:
            if self._owns_connection:
                await self._pool.release(self.conn)

    def emit(self, domain_event: Any) -> None:
        """Record a domain event; it is written to the outbox on commit."""
        self._events.append(domain_event)

    async def claim_event(self, consumer: str, event_id) -> bool:
        """Inbox: True the first time this consumer sees the event, False on a redelivery."""
        return await inbox.claim(self.conn, consumer, event_id)

    async def claim_events(self, consumer: str, event_ids) -> set:
        """Inbox for a batch: the ids this consumer sees for the first time (now claimed)."""
        return await inbox.claim_many(self.conn, consumer, event_ids)

    def collect_new_events(self) -> Iterable[Any]:
        """The domain events the aggregates this unit of work loaded or added have recorded (cosmicpython's
        `seen` aggregates); a service's unit of work overrides it to ask its repositories."""
        return ()

    def stage_events(self) -> None:
        """Wrap the events recorded so far as wire events now, under the current correlation id; commit writes
        them. A unit of work that carries several events' commands (`MessageBus.handle_events`) stages after
        each, so every event raised carries the correlation id of the event that caused it, in order."""
        self._events.extend(self.collect_new_events())
        for domain_event in self._events:
            # A domain event may name its wire events' ids (`event_ids()`), e.g. imported history derives them
            # from the row, so a repeated import gives the same ids and every consumer's inbox drops it.
            ids = list(domain_event.event_ids()) if hasattr(domain_event, "event_ids") else []
            for i, event in enumerate(self._translate(domain_event)):
                self._envelopes.append(Envelope.wrap(event, source=f"/botilbud/{self.service}",
                                                     correlation_id=current_correlation_id(),
                                                     event_id=ids[i] if i < len(ids) else None))
        self._events = []

    async def commit(self) -> list[Envelope]:
        self.stage_events()
        envelopes, self._envelopes = self._envelopes, []
        if envelopes:
            await outbox.add(self.conn, self.service, envelopes, self._topic)
        await self._tx.commit()
        self._done = True
        return envelopes

    async def rollback(self) -> None:
        await self._tx.rollback()
        self._done = True
