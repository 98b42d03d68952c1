"""Kafka consumption with the kit's error policy.

Every subscriber commits an event's offset only after it was handled (ack_policy NACK_ON_ERROR: an
unexpected failure seeks back and the event is read again; the inbox makes that harmless). A message that
cannot be parsed goes straight to the service's dead-letter topic; a handler that keeps failing is retried
a bounded number of times with backoff and then dead-lettered — unless the failure is an outage of the
database (unreachable, restarting): then it is retried until the database is back, never dead-lettered.
Either way the consumer keeps going. A dead letter is kept in the service's database first (`kit.dead_letters`:
the record that survives a broker which forgets its topics), then sent to the dead-letter topic."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import asyncpg
from aiokafka import ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from contracts import ALL_TOPICS, Envelope, EnvelopeError, IntegrationEvent, event_class
from contracts.topics import dead_letter_topic
from kit import dead_letters
from kit.logging import correlation_id_var, get_logger
from kit.metrics import (
    CONSUMER_LAG_SECONDS,
    DEAD_LETTERS,
    EVENT_AGE_SECONDS,
    EVENT_HANDLING_SECONDS,
    EVENTS_HANDLED,
)
from kit.settings import Settings
from kit.unit_of_work import shared_transaction

log = get_logger(__name__)

EventHandler = Callable[[Envelope], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """One topic a service consumes, and the handler for each event type on it it cares about.
    Event types on the topic that are not listed are skipped (acknowledged, counted as `ignored`)."""

    topic: str
    handlers: dict[type[IntegrationEvent], EventHandler] = field(default_factory=dict)
    batch: Callable[[list[Envelope]], Awaitable[None]] | None = None
    """Several of these events at once, in one transaction (kit.messagebus); None: one at a time."""


def is_outage(exc: BaseException) -> bool:
    """A failure of the infrastructure (database unreachable, restarting, connection cut), not of the event."""
    return isinstance(exc, (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
                            asyncpg.exceptions.OperatorInterventionError))


def register(broker: KafkaBroker, service: str, subscriptions: list[Subscription], settings: Settings,
             pool: asyncpg.Pool | None = None) -> None:
    """Register a service's subscriptions on the broker: the one place its consumers are wired.

    A service reads all its topics with one consumer in its own consumer group: one group join at start-up
    (joins are slow on some brokers) and one place where its error policy applies. The consumer takes what
    has arrived in batches (up to `consumer_batch_max_records`); a batch's events are handled in one shared
    transaction and their offsets committed once. If any event of a batch fails, the batch is rolled back and
    its events are handled again one at a time, each in its own transaction, under the full error policy —
    so a poison event costs its batch a second pass, never a lost or doubled effect (the inbox sees to it).
    With `pool` (the service's database), dead letters are also kept there."""
    if not subscriptions:
        return
    topics = {sub.topic: sub for sub in subscriptions}
    handlers = {(sub.topic, cls.event_type): handler for sub in subscriptions for cls, handler in sub.handlers.items()}
    batches = {sub.topic: sub.batch for sub in subscriptions}
    wire_topic = {settings.topic(name): name for name in topics}
    dlt = settings.topic(dead_letter_topic(service))

    async def dead_letter(record: ConsumerRecord, topic: str, headers: dict[str, str], reason: str,
                          detail: str) -> None:
        if pool is not None:  # the record first: a failure here leaves the event unacknowledged, to come again
            await dead_letters.record(pool, service, record, headers, reason, detail)
        headers = {**headers, "dlt_reason": reason, "dlt_detail": detail[:1000], "dlt_service": service,
                   "dlt_topic": record.topic, "dlt_partition": str(record.partition),
                   "dlt_offset": str(record.offset), "dlt_time": datetime.now(UTC).isoformat()}
        await broker.publish(record.value or b"", topic=dlt, key=record.key, headers=headers)
        DEAD_LETTERS.labels(service, topic, reason).inc()
        EVENTS_HANDLED.labels(service, topic, "dead_lettered").inc()
        log.error("event_dead_lettered", service=service, topic=record.topic, partition=record.partition,
                  offset=record.offset, reason=reason, detail=detail[:300])

    async def admit(record: ConsumerRecord) -> Delivery | None:
        """The event to handle, or None when it is skipped (a type this service does not handle) or
        dead-lettered (it cannot be parsed)."""
        topic = wire_topic.get(record.topic, record.topic)
        headers = {k: v.decode("utf-8", "replace") for k, v in record.headers or ()}
        handler = handlers.get((topic, headers.get("ce_type", "")))
        if handler is None and event_class(headers.get("ce_type", "")) is not None:
            EVENTS_HANDLED.labels(service, topic, "ignored").inc()
            return None
        try:
            envelope = Envelope.parse(headers, record.value or b"", record.key)
        except EnvelopeError as exc:
            await dead_letter(record, topic, headers, exc.reason, exc.detail)
            return None
        return Delivery(record, topic, headers, envelope, handler, batches.get(topic))

    def handled(d: Delivery, started: float) -> None:
        EVENTS_HANDLED.labels(service, d.topic, "handled").inc()
        age = max(0.0, (datetime.now(UTC) - d.envelope.time).total_seconds())
        CONSUMER_LAG_SECONDS.labels(service, d.topic).set(age)
        EVENT_AGE_SECONDS.labels(service, d.topic).observe(age)
        EVENT_HANDLING_SECONDS.labels(service, d.topic).observe(time.perf_counter() - started)

    async def handle_one(d: Delivery) -> None:
        """One event in its own transaction, with bounded retries, dead letters, and waiting out outages."""
        started = time.perf_counter()
        token = correlation_id_var.set(d.envelope.correlation_id)
        try:
            delay = settings.consumer_retry_backoff_seconds
            failures = 0  # of the handler itself; an outage of the database is no fault of the event
            while True:
                try:
                    await d.handler(d.envelope)
                    break
                except Exception as exc:
                    outage = is_outage(exc)
                    failures += not outage
                    log.warning("event_handler_failed", service=service, event_id=str(d.envelope.id),
                                event_type=d.envelope.type, attempt=failures, outage=outage, error=repr(exc)[:300])
                    if outage:
                        # The database is down or restarting: the event is not dead-lettered; the consumer
                        # waits on it (keeping the order) until the database is back.
                        await asyncio.sleep(min(delay, 5.0))
                        delay *= 2
                        continue
                    if failures >= settings.consumer_retries:
                        await dead_letter(d.record, d.topic, d.headers, "handler_failed", repr(exc))
                        EVENT_HANDLING_SECONDS.labels(service, d.topic).observe(time.perf_counter() - started)
                        return
                    await asyncio.sleep(delay)
                    delay *= 2
            handled(d, started)
        finally:
            correlation_id_var.reset(token)

    async def handle_together(batch: list[Delivery]) -> bool:
        """All events of the batch in one transaction — through their subscriptions' batch entry when they share
        one, else each in a savepoint of a shared transaction; False (nothing kept) if any of them failed."""
        began: list[float] = []
        together = {d.batch for d in batch}
        try:
            if len(together) == 1 and None not in together:
                began = [time.perf_counter()] * len(batch)
                await batch[0].batch([d.envelope for d in batch])
            else:
                await _in_savepoints(batch, began)
        except Exception as exc:
            log.warning("event_batch_rolled_back", service=service, events=len(batch), error=repr(exc)[:300])
            return False
        # Each event's handling time runs from its own start to the batch's commit, when its effect is kept.
        for d, started in zip(batch, began, strict=True):
            handled(d, started)
        return True

    async def _in_savepoints(batch: list[Delivery], began: list[float]) -> None:
        async with shared_transaction():
            for d in batch:
                began.append(time.perf_counter())
                token = correlation_id_var.set(d.envelope.correlation_id)
                try:
                    await d.handler(d.envelope)
                finally:
                    correlation_id_var.reset(token)

    async def consume(msg: KafkaMessage) -> None:
        records = msg.raw_message if isinstance(msg.raw_message, tuple) else (msg.raw_message,)
        batch = [d for d in [await admit(record) for record in records] if d is not None]
        if len(batch) > 1 and await handle_together(batch):
            return
        for d in batch:
            await handle_one(d)

    consume.__name__ = f"{service}_consumer"
    broker.subscriber(
        *wire_topic,
        group_id=settings.group_id(service),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
        batch=True,
        max_records=settings.consumer_batch_max_records,
        batch_timeout_ms=settings.kafka_fetch_max_wait_ms,
        parser=_parse_tolerating_headers,
        decoder=_leave_undecoded,
        title=f"{service}",
    )(consume)


async def _parse_tolerating_headers(records: tuple[ConsumerRecord, ...], parse) -> KafkaMessage:
    """FastStream decodes every header as UTF-8 and would fail (and redeliver, forever) a whole batch on one
    that is not; then it gets copies with the bad bytes replaced, and the consumer dead-letters that event."""
    try:
        return await parse(records)
    except UnicodeDecodeError:
        return await parse(tuple(
            replace(r, headers=[(k, v.decode("utf-8", "replace").encode()) for k, v in r.headers or ()])
            for r in records))


def _leave_undecoded(_msg: KafkaMessage) -> None:
    """The consumer parses each envelope itself (Envelope.parse): FastStream's decoding would be wasted."""
    return None


@dataclass(frozen=True)
class Delivery:
    """One event as this consumer received it: the record, its logical topic, headers, envelope and handler."""

    record: ConsumerRecord
    topic: str
    headers: dict[str, str]
    envelope: Envelope
    handler: EventHandler
    batch: Callable[[list[Envelope]], Awaitable[None]] | None = None


async def ensure_topics(bootstrap: str, settings: Settings, services: tuple[str, ...],
                        partitions: int = 3) -> None:
    """Create the event topics and the dead-letter topics if they are missing."""
    names = [settings.topic(t.value) for t in ALL_TOPICS]
    names += [settings.topic(dead_letter_topic(s)) for s in services]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(n, partitions, 1) for n in names if n not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()
