"""The unit of work: one database transaction that holds a state change, the events it raised (outbox)
and, for consumers, the id of the event that caused it (inbox). Commit writes all or nothing.

Services subclass it to add their repositories on `self.conn`, and give it a `translate` function that
turns their domain events into wire events: the domain never sees the contracts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import asyncpg

from botilbud.kit import inbox, outbox
from botilbud.kit.logging import current_correlation_id
from contracts import Envelope, IntegrationEvent

Translate = Callable[[Any], Iterable[IntegrationEvent]]


class UnitOfWork:
    def __init__(self, pool: asyncpg.Pool, *, service: str, translate: Translate,
                 topic: Callable[[str], str] = lambda name: name):
        self._pool = pool
        self.service = service
        self._translate = translate
        self._topic = topic
        self._events: list[Any] = []
        self.conn: asyncpg.Connection

    async def __aenter__(self) -> UnitOfWork:
        self.conn = await self._pool.acquire()
        self._tx = self.conn.transaction()
        await self._tx.start()
        self._events = []
        self._done = False
        return self

    async def __aexit__(self, exc_type, exc, tb) -> None:
        try:
            if not self._done:
                await self._tx.rollback()
        finally:
            await self._pool.release(self.conn)

    def emit(self, domain_event: Any) -> None:
        """Record a domain event; it is written to the outbox on commit."""
        self._events.append(domain_event)

    async def claim_event(self, consumer: str, event_id) -> bool:
        """Inbox: True the first time this consumer sees the event, False on a redelivery."""
        return await inbox.claim(self.conn, consumer, event_id)

    async def commit(self) -> list[Envelope]:
        envelopes = []
        for domain_event in self._events:
            # A domain event may name its wire events' ids (`event_ids()`), e.g. imported history derives them
            # from the row, so a repeated import gives the same ids and every consumer's inbox drops it.
            ids = list(domain_event.event_ids()) if hasattr(domain_event, "event_ids") else []
            for i, event in enumerate(self._translate(domain_event)):
                envelope = Envelope.wrap(event, source=f"/botilbud/{self.service}",
                                         correlation_id=current_correlation_id())
                envelopes.append(envelope.model_copy(update={"id": ids[i]}) if i < len(ids) else envelope)
        if envelopes:
            await outbox.add(self.conn, self.service, envelopes, self._topic)
        await self._tx.commit()
        self._done = True
        self._events = []
        return envelopes

    async def rollback(self) -> None:
        await self._tx.rollback()
        self._done = True
