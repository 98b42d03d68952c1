"""The base of each service's fake unit of work (cosmicpython's FakeUnitOfWork): no database, no broker.

It keeps what a handler emitted, the events its aggregates recorded and whether it committed, and it
translates the domain events into wire events exactly as the real unit of work does at commit — so a unit test
also finds an event that would not make a valid contract. A service's fake adds its in-memory repositories
and overrides `collect_new_events` like the real one."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from contracts import Envelope, IntegrationEvent


class FakeUnitOfWork:
    def __init__(self, translate: Callable[[Any], Iterable[IntegrationEvent]], service: str = "test"):
        self._translate = translate
        self.service = service
        self.committed = False
        self.commits = 0
        self.domain_events: list[Any] = []  # committed
        self.published: list[Envelope] = []  # what the outbox would hold
        self.inbox: set[tuple[str, Any]] = set()
        self._pending: list[Any] = []
        self._claims: list[tuple[str, Any]] = []
        self._staged: list[Envelope] = []  # wrapped by stage_events, published at commit
        self._staged_events: list[Any] = []

    async def __aenter__(self):
        self._pending, self._claims, self._done = [], [], False
        self._staged, self._staged_events = [], []
        return self

    async def __aexit__(self, *exc) -> None:
        if not self._done:
            await self.rollback()

    def emit(self, domain_event: Any) -> None:
        self._pending.append(domain_event)

    def collect_new_events(self) -> Iterable[Any]:
        return ()

    async def claim_event(self, consumer: str, event_id) -> bool:
        key = (consumer, event_id)
        if key in self.inbox or key in self._claims:
            return False
        self._claims.append(key)
        return True

    async def claim_events(self, consumer: str, event_ids) -> set:
        return {i for i in dict.fromkeys(event_ids) if await self.claim_event(consumer, i)}

    def stage_events(self) -> None:
        """The events recorded so far wrapped now, as the real unit of work does (`kit.unit_of_work`)."""
        self._pending.extend(self.collect_new_events())
        self._staged += [Envelope.wrap(event, source=f"/botilbud/{self.service}", correlation_id="test")
                         for domain_event in self._pending for event in self._translate(domain_event)]
        self._staged_events += self._pending
        self._pending = []

    async def commit(self) -> list[Envelope]:
        self.stage_events()
        envelopes = self._staged
        self.domain_events += self._staged_events
        self.published += envelopes
        self.inbox.update(self._claims)
        self._pending, self._claims, self._staged, self._staged_events = [], [], [], []
        self.committed, self._done = True, True
        self.commits += 1
        return envelopes

    async def rollback(self) -> None:
        self._pending, self._claims, self._staged, self._staged_events, self._done = [], [], [], [], True
