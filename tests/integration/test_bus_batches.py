"""The kit's consumer with the message bus, on a real database and broker: a tiny service — one event type, one
command, one handler that writes a row and raises an event — consumes a batch in one transaction, the bus
claiming the batch's events in the inbox with one statement. A batch with a poison event in it is
rolled back and handled again one event at a time: every good event has its effect once, the repeats in the
batch none, and the poison is dead-lettered — in the service's database and on its dead-letter topic. A clean
batch with repeats in it is handled in one pass."""

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date

import pytest
from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker

from contracts import Envelope, HouseholdMovedOut, Topic
from contracts.topics import dead_letter_topic
from kit.messagebus import MessageBus, subscriptions
from kit.messaging import ensure_topics, register
from kit.settings import Settings
from kit.unit_of_work import UnitOfWork
from tests.conftest import eventually, kit_database
from tests.integration.test_dead_letters import read_all
from tests.integration.test_outbox_relay import create_topic

pytestmark = pytest.mark.integration

SERVICE = "bustest"


@dataclass(frozen=True)
class NoteMoveOut:
    stay_id: uuid.UUID
    household_id: uuid.UUID


def moved_out(correlation_id: str | None = None) -> Envelope:
    """A move-out event; its own correlation id unless one is given (a piece of work with several events)."""
    return Envelope.wrap(HouseholdMovedOut(stay_id=uuid.uuid4(), household_id=uuid.uuid4(),
                                           check_out=date(2025, 5, 1), destination="private_rental"),
                         source="/test/bus", correlation_id=correlation_id or f"work-{uuid.uuid4().hex[:8]}")


async def raised_correlations(pool) -> dict[str, str]:
    """The outbox's raised events: the household they are keyed by → their correlation id."""
    return {r["key"]: r["headers"]["ce_correlationid"] for r in await pool.fetch("SELECT key, headers FROM outbox")}


async def send(producer: AIOKafkaProducer, topic: str, envelopes: list[Envelope]) -> None:
    for e in envelopes:
        await producer.send(topic, e.body(), key=e.key.encode(),
                            headers=[(k, v.encode()) for k, v in e.headers().items()])
    await producer.flush()


async def test_batches_with_the_bus_keep_one_effect_per_event_and_dead_letter_the_poison(pg_url, kafka_bootstrap):
    import os

    pool = await kit_database(pg_url, "bus")
    await pool.execute("CREATE TABLE notes (stay_id uuid PRIMARY KEY, household_id uuid NOT NULL)")
    settings = Settings(_env_file=None, kafka_bootstrap=kafka_bootstrap, topic_namespace=f"b{uuid.uuid4().hex[:6]}.",
                        kafka_idempotent_producer=bool(os.environ.get("BOTILBUD_TEST_KAFKA_BOOTSTRAP")),
                        consumer_batch_max_records=50, consumer_retries=2, consumer_retry_backoff_seconds=0.01)
    stay_topic = settings.topic(Topic.STAY.value)
    await create_topic(kafka_bootstrap, stay_topic)  # one partition: the whole backlog comes as one batch
    await ensure_topics(kafka_bootstrap, settings, (SERVICE,))

    calls: Counter = Counter()
    poison: set[uuid.UUID] = set()

    async def note_move_out(cmd: NoteMoveOut, uow: UnitOfWork) -> None:
        calls[cmd.stay_id] += 1
        await uow.conn.execute("INSERT INTO notes VALUES ($1, $2)", cmd.stay_id, cmd.household_id)
        uow.emit(HouseholdMovedOut(stay_id=cmd.stay_id, household_id=cmd.household_id, check_out=date(2025, 5, 2),
                                   destination="unknown"))  # an event raised by the effect: into the outbox
        if cmd.stay_id in poison:
            raise RuntimeError("this handler cannot take that event")

    bus = MessageBus(lambda: UnitOfWork(pool, service=SERVICE, translate=lambda e: [e], topic=settings.topic),
                     {NoteMoveOut: note_move_out}, consumer=SERVICE)
    table = {HouseholdMovedOut: lambda v: NoteMoveOut(v.data.stay_id, v.data.household_id)}

    good = [moved_out() for _ in range(12)]
    bad = moved_out()
    poison.add(bad.data.stay_id)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    broker = KafkaBroker(kafka_bootstrap, client_id="botilbud-bustest")
    register(broker, SERVICE, subscriptions(table, bus), settings, pool)
    try:
        # Waiting before the consumer starts: good events, the poison among them, and three repeats.
        await send(producer, stay_topic, good[:6] + [bad] + good[6:] + good[:3])
        await broker.start()

        async def all_noted():
            return await pool.fetchval("SELECT count(*) FROM notes") == len(good) and \
                await pool.fetchval("SELECT count(*) FROM dead_letters") == 1
        await eventually(all_noted, within=60)
        [letter] = await pool.fetch("SELECT service, event_id, reason, detail, body FROM dead_letters")
        assert (letter["service"], letter["event_id"], letter["reason"]) == (SERVICE, bad.id, "handler_failed")
        assert "cannot take that event" in letter["detail"] and letter["body"] == bad.body()
        [on_topic] = await read_all(kafka_bootstrap, settings.topic(dead_letter_topic(SERVICE)), 1)
        assert dict(on_topic.headers)["ce_id"] == str(bad.id).encode()
        # One effect per good event: its row, its inbox claim, its raised event — and nothing of the poison.
        assert await pool.fetchval("SELECT count(*) FROM inbox WHERE consumer = $1", SERVICE) == len(good)
        assert await pool.fetchval("SELECT count(*) FROM outbox") == len(good)
        assert await pool.fetchval("SELECT count(*) FROM notes WHERE stay_id = $1", bad.data.stay_id) == 0
        # The batch was rolled back at the poison and handled again one by one: the events before it ran twice.
        assert [calls[e.data.stay_id] for e in good[:6]] == [2] * 6
        assert calls[bad.data.stay_id] == 1 + settings.consumer_retries
        # What each event's handler raised carries that event's correlation id.
        assert await raised_correlations(pool) == {str(e.data.household_id): e.correlation_id for e in good}

        # A clean batch with repeats in it: one pass, each repeat dropped by the inbox inside the batch.
        clean = [moved_out() for _ in range(5)]
        await send(producer, stay_topic, clean + clean[:2] + good[3:5])

        async def clean_noted():
            return await pool.fetchval("SELECT count(*) FROM notes") == len(good) + len(clean)
        await eventually(clean_noted, within=60)
        assert [calls[e.data.stay_id] for e in clean] == [1] * 5
        assert await pool.fetchval("SELECT count(*) FROM outbox") == len(good) + len(clean)
        assert await pool.fetchval("SELECT count(*) FROM dead_letters") == 1
        assert await raised_correlations(pool) == {str(e.data.household_id): e.correlation_id
                                                   for e in good + clean}
    finally:
        await broker.stop()
        await producer.stop()
        await pool.close()


async def test_a_batch_handler_takes_each_run_of_one_piece_of_work_together(pg_url, kafka_bootstrap):
    """A service's batch handler gets the batch's commands in runs of one correlation id (an import's events
    together, live events one by one), in order; every event has its effect once, and what each run raised
    carries its correlation id."""
    import os

    pool = await kit_database(pg_url, "busrun")
    await pool.execute("CREATE TABLE notes (stay_id uuid PRIMARY KEY, household_id uuid NOT NULL)")
    settings = Settings(_env_file=None, kafka_bootstrap=kafka_bootstrap, topic_namespace=f"r{uuid.uuid4().hex[:6]}.",
                        kafka_idempotent_producer=bool(os.environ.get("BOTILBUD_TEST_KAFKA_BOOTSTRAP")),
                        consumer_batch_max_records=50, consumer_retries=2, consumer_retry_backoff_seconds=0.01)
    stay_topic = settings.topic(Topic.STAY.value)
    await create_topic(kafka_bootstrap, stay_topic)  # one partition: the whole backlog comes as one batch
    await ensure_topics(kafka_bootstrap, settings, (SERVICE,))
    runs: list[list[uuid.UUID]] = []

    async def note_many(cmds: list[NoteMoveOut], uow: UnitOfWork) -> None:
        runs.append([c.stay_id for c in cmds])
        await uow.conn.executemany("INSERT INTO notes VALUES ($1, $2)", [(c.stay_id, c.household_id) for c in cmds])
        for c in cmds:
            uow.emit(HouseholdMovedOut(stay_id=c.stay_id, household_id=c.household_id, check_out=date(2025, 5, 2),
                                       destination="unknown"))

    async def note_one(cmd: NoteMoveOut, uow: UnitOfWork) -> None:
        await note_many([cmd], uow)

    bus = MessageBus(lambda: UnitOfWork(pool, service=SERVICE, translate=lambda e: [e], topic=settings.topic),
                     {NoteMoveOut: note_one}, consumer=SERVICE, batch_handlers={NoteMoveOut: note_many})
    table = {HouseholdMovedOut: lambda v: NoteMoveOut(v.data.stay_id, v.data.household_id)}
    imported = [moved_out("import-1") for _ in range(7)]
    live = [moved_out(), moved_out()]
    sent = imported[:4] + live + imported[4:] + imported[:2]  # the last two: repeats, done once
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    broker = KafkaBroker(kafka_bootstrap, client_id="botilbud-busruns")
    register(broker, SERVICE, subscriptions(table, bus), settings, pool)
    try:
        await send(producer, stay_topic, sent)
        await broker.start()

        async def all_noted():
            return await pool.fetchval("SELECT count(*) FROM notes") == len(imported) + len(live)
        await eventually(all_noted, within=60)
        assert runs == [[e.data.stay_id for e in part] for part in (imported[:4], live[:1], live[1:], imported[4:])]
        assert await pool.fetchval("SELECT count(*) FROM inbox WHERE consumer = $1", SERVICE) == 9
        assert await raised_correlations(pool) == {str(e.data.household_id): e.correlation_id
                                                   for e in imported + live}
    finally:
        await broker.stop()
        await producer.stop()
        await pool.close()
