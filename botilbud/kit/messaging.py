"""Kafka consumption with the kit's error policy.

Every subscriber commits an event's offset only after it was handled (ack_policy NACK_ON_ERROR: an
unexpected failure seeks back and the event is read again; the inbox makes that harmless). A message that
cannot be parsed goes straight to the service's dead-letter topic; a handler that keeps failing is retried
a bounded number of times with backoff and then dead-lettered — unless the failure is an outage of the
database (unreachable, restarting): then it is retried until the database is back, never dead-lettered.
Either way the consumer keeps going."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from botilbud.kit.logging import correlation_id_var, get_logger
from botilbud.kit.metrics import CONSUMER_LAG_SECONDS, DEAD_LETTERS, EVENT_HANDLING_SECONDS, EVENTS_HANDLED
from botilbud.kit.settings import Settings
from contracts import ALL_TOPICS, Envelope, EnvelopeError, IntegrationEvent, event_class
from contracts.topics import dead_letter_topic

log = get_logger(__name__)

EventHandler = Callable[[Envelope], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """One topic a service consumes, and the handler for each event type on it it cares about.
    Event types on the topic that are not listed are skipped (acknowledged, counted as `ignored`)."""

    topic: str
    handlers: dict[type[IntegrationEvent], EventHandler] = field(default_factory=dict)


def is_outage(exc: BaseException) -> bool:
    """A failure of the infrastructure (database unreachable, restarting, connection cut), not of the event."""
    return isinstance(exc, (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
                            asyncpg.exceptions.OperatorInterventionError))


def register(broker: KafkaBroker, service: str, subscriptions: list[Subscription], settings: Settings) -> None:
    """Register a service's subscriptions on the broker: the one place its consumers are wired.

    A service reads all its topics with one consumer in its own consumer group: one group join at start-up
    (joins are slow on some brokers) and one place where its error policy applies."""
    if not subscriptions:
        return
    topics = {sub.topic: sub for sub in subscriptions}
    handlers = {(sub.topic, cls.event_type): handler for sub in subscriptions for cls, handler in sub.handlers.items()}
    wire_topic = {settings.topic(name): name for name in topics}
    dlt = settings.topic(dead_letter_topic(service))

    async def dead_letter(msg: KafkaMessage, topic: str, reason: str, detail: str) -> None:
        record = msg.raw_message
        headers = {k: v for k, v in msg.headers.items() if isinstance(v, str)}
        headers.update({
            "dlt_reason": reason, "dlt_detail": detail[:1000], "dlt_service": service,
            "dlt_topic": record.topic, "dlt_partition": str(record.partition),
            "dlt_offset": str(record.offset), "dlt_time": datetime.now(UTC).isoformat(),
        })
        await broker.publish(msg.body, topic=dlt, key=record.key, headers=headers)
        DEAD_LETTERS.labels(service, topic, reason).inc()
        EVENTS_HANDLED.labels(service, topic, "dead_lettered").inc()
        log.error("event_dead_lettered", service=service, topic=record.topic, partition=record.partition,
                  offset=record.offset, reason=reason, detail=detail[:300])

    async def consume(msg: KafkaMessage) -> None:
        started = time.perf_counter()
        topic = wire_topic.get(msg.raw_message.topic, msg.raw_message.topic)
        headers = {k: v for k, v in msg.headers.items() if isinstance(v, str)}
        handler = handlers.get((topic, headers.get("ce_type", "")))
        if handler is None and event_class(headers.get("ce_type", "")) is not None:
            EVENTS_HANDLED.labels(service, topic, "ignored").inc()
            return
        try:
            envelope = Envelope.parse(headers, msg.body, msg.raw_message.key)
        except EnvelopeError as exc:
            await dead_letter(msg, topic, exc.reason, exc.detail)
            return
        token = correlation_id_var.set(envelope.correlation_id)
        try:
            delay = settings.consumer_retry_backoff_seconds
            failures = 0  # of the handler itself; an outage of the database is no fault of the event
            while True:
                try:
                    await handler(envelope)
                    break
                except Exception as exc:
                    outage = is_outage(exc)
                    failures += not outage
                    log.warning("event_handler_failed", service=service, event_id=str(envelope.id),
                                event_type=envelope.type, attempt=failures, outage=outage, error=repr(exc)[:300])
                    if outage:
                        # The database is down or restarting: the event is not dead-lettered; the consumer
                        # waits on it (keeping the order) until the database is back.
                        await asyncio.sleep(min(delay, 5.0))
                        delay *= 2
                        continue
                    if failures >= settings.consumer_retries:
                        await dead_letter(msg, topic, "handler_failed", repr(exc))
                        return
                    await asyncio.sleep(delay)
                    delay *= 2
            EVENTS_HANDLED.labels(service, topic, "handled").inc()
            CONSUMER_LAG_SECONDS.labels(service, topic).set(
                max(0.0, (datetime.now(UTC) - envelope.time).total_seconds()))
        finally:
            correlation_id_var.reset(token)
            EVENT_HANDLING_SECONDS.labels(service, topic).observe(time.perf_counter() - started)

    consume.__name__ = f"{service}_consumer"
    broker.subscriber(
        *wire_topic,
        group_id=settings.group_id(service),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        title=f"{service}",
    )(consume)


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
