"""The message bus: the one place a command meets its handler, its unit of work and — for a command that an
incoming event caused — the inbox.

Every handler has one shape, `async def handler(cmd, uow, **dependencies)`; a service's `bootstrap.py` binds
the dependencies (`functools.partial`) and hands the bus a table of command type → handler, as cosmicpython's
final chapter does. The bus opens the unit of work, claims the event in the inbox when there is one (a
redelivered event changes nothing), calls the handler, and commits; an exception rolls everything back. So a
handler neither opens nor commits a transaction: it loads aggregates, calls the domain, and returns.

Incoming events are translated into commands by a table per service (`EventTable`: event type → translator);
`subscriptions(table, bus)` makes the kit's `Subscription`s of it, grouped by topic.

A batch of incoming events (a consumer's fetch) goes through `handle_events`: one unit of work, the batch's ids
claimed in the inbox with one statement, then each new event's command in order under its event's correlation
id — and a run of commands whose handler the service also registered as a *batch handler* (`batch_handlers`:
for work that may be done together, such as stats' order-tolerant projections) in one call. A batch costs a few
round trips to the database, not a few per event. If anything fails, nothing of the batch is kept, and the
consumer handles its events one by one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from itertools import groupby
from typing import Any
from uuid import UUID

from contracts import Envelope, IntegrationEvent
from kit.logging import correlation_id_var
from kit.messaging import Subscription
from kit.unit_of_work import UnitOfWork

Handler = Callable[[Any, UnitOfWork], Awaitable[Any]]
BatchHandler = Callable[[list[Any], UnitOfWork], Awaitable[Any]]
EventTable = Mapping[type[IntegrationEvent], Callable[[Envelope], Any]]
"""Event type → a function that turns the received envelope into a command (or None: nothing to do)."""


class MessageBus:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], handlers: Mapping[type, Handler], *,
                 consumer: str, batch_handlers: Mapping[type, BatchHandler] | None = None):
        self._uow_factory = uow_factory
        self._handlers = dict(handlers)
        self._batch_handlers = dict(batch_handlers or {})
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

    async def handle_events(self, caused: Sequence[tuple[Any, UUID, str]]) -> None:
        """The commands a batch of events caused, as (command or None, event id, correlation id), in one unit of
        work: every id claimed in the inbox at once (an event seen before, or twice in the batch, is done once),
        then the commands in order, each under its event's correlation id (so what it raises carries it); a run
        of commands with one batch handler and one correlation id (a history import's events) goes to it in one
        call. None: the event is only claimed (the service has nothing to do for it)."""
        async with self._uow_factory() as uow:
            new = await uow.claim_events(self.consumer, [event_id for _, event_id, _ in caused])
            todo = []
            for cmd, event_id, correlation_id in caused:
                if event_id in new:
                    new.discard(event_id)
                    if cmd is not None:
                        todo.append((cmd, correlation_id))
            runs = groupby(todo, key=lambda c: (self._batch_handlers.get(type(c[0])), c[1]))
            for (batch_handler, correlation_id), run in runs:
                token = correlation_id_var.set(correlation_id)
                try:
                    if batch_handler is not None:
                        await batch_handler([cmd for cmd, _ in run], uow)
                        uow.stage_events()
                    else:
                        for cmd, _ in run:
                            await self._handlers[type(cmd)](cmd, uow)
                            uow.stage_events()  # its events wrapped now, in order, under its correlation id
                finally:
                    correlation_id_var.reset(token)
            await uow.commit()

    async def acknowledge(self, event_id: UUID) -> None:
        """An event this service receives but has nothing to do for: claimed in the inbox all the same, so
        that every event a consumer subscribes to has exactly one record of being handled (`botilbud verify`)."""
        async with self._uow_factory() as uow:
            if await uow.claim_event(self.consumer, event_id):
                await uow.commit()


def subscriptions(table: EventTable, bus: MessageBus) -> list[Subscription]:
    """The service's subscriptions from its event table: each event's command goes through the bus with the
    event's id, so the inbox claim and the transaction wrap every handler once — and a batch of them through
    `handle_events`, the inbox claim and the transaction wrapping the whole batch once."""
    by_topic: dict[str, dict[type[IntegrationEvent], Callable[[Envelope], Awaitable[None]]]] = defaultdict(dict)
    for event_type, to_command in table.items():
        async def on_event(envelope: Envelope, to_command=to_command) -> None:
            cmd = to_command(envelope)
            if cmd is None:
                await bus.acknowledge(envelope.id)
            else:
                await bus.handle(cmd, event_id=envelope.id)
        by_topic[event_type.topic.value][event_type] = on_event

    async def on_events(envelopes: list[Envelope]) -> None:
        await bus.handle_events([(table[type(e.data)](e), e.id, e.correlation_id) for e in envelopes])

    return [Subscription(topic, handlers, on_events) for topic, handlers in by_topic.items()]
