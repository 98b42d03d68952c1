"""The message bus: the one place a command meets its handler, its unit of work and — for a command that an
incoming event caused — the inbox.

Every handler has one shape, `async def handler(cmd, uow, **dependencies)`; a service's `bootstrap.py` binds
the dependencies (`functools.partial`) and hands the bus a table of command type → handler, as cosmicpython's
final chapter does. The bus opens the unit of work, claims the event in the inbox when there is one (a
redelivered event changes nothing), calls the handler, and commits; an exception rolls everything back. So a
handler neither opens nor commits a transaction: it loads aggregates, calls the domain, and returns.

Incoming events are translated into commands by a table per service (`EventTable`: event type → translator);
`subscriptions(table, bus)` makes the kit's `Subscription`s of it, grouped by topic."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from uuid import UUID

from contracts import Envelope, IntegrationEvent
from kit.messaging import Subscription
from kit.unit_of_work import UnitOfWork

Handler = Callable[[Any, UnitOfWork], Awaitable[Any]]
EventTable = Mapping[type[IntegrationEvent], Callable[[Envelope], Any]]
"""Event type → a function that turns the received envelope into a command (or None: nothing to do)."""


class MessageBus:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], handlers: Mapping[type, Handler], *,
                 consumer: str):
        self._uow_factory = uow_factory
        self._handlers = dict(handlers)
        self.consumer = consumer

    async def handle(self, cmd: Any, *, event_id: UUID | None = None) -> Any:
        """Run the command's handler in one unit of work and commit. With `event_id` (a command an incoming
        event caused) the event is claimed in the inbox first, and a redelivery returns None untouched."""
        handler = self._handlers[type(cmd)]
        async with self._uow_factory() as uow:
            if event_id is not None and not await uow.claim_event(self.consumer, event_id):
                return None
            result = await handler(cmd, uow)
            await uow.commit()
            return result

    async def acknowledge(self, event_id: UUID) -> None:
        """An event this service receives but has nothing to do for: claimed in the inbox all the same, so
        that every event a consumer subscribes to has exactly one record of being handled (`botilbud verify`)."""
        async with self._uow_factory() as uow:
            if await uow.claim_event(self.consumer, event_id):
                await uow.commit()


def subscriptions(table: EventTable, bus: MessageBus) -> list[Subscription]:
    """The service's subscriptions from its event table: each event's command goes through the bus with the
    event's id, so the inbox claim and the transaction wrap every handler once."""
    by_topic: dict[str, dict[type[IntegrationEvent], Callable[[Envelope], Awaitable[None]]]] = defaultdict(dict)
    for event_type, to_command in table.items():
        async def on_event(envelope: Envelope, to_command=to_command) -> None:
            cmd = to_command(envelope)
            if cmd is None:
                await bus.acknowledge(envelope.id)
            else:
                await bus.handle(cmd, event_id=envelope.id)
        by_topic[event_type.topic.value][event_type] = on_event
    return [Subscription(topic, handlers) for topic, handlers in by_topic.items()]
