"""The outbox as the durable log behind the broker, on a real database and broker: a republish sends every row
again — published or not — in id order, and only then the rows written after it was asked for, so each key's
order holds and nothing new overtakes the old; a relay that stops in the middle of a republish goes on where it
was; the original publication times stay; the backlog gauge counts what the republish has left."""

import uuid
from datetime import date

import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import REGISTRY

from contracts import HouseholdMovedOut, Topic
from kit.outbox import OutboxRelay, request_republish
from kit.unit_of_work import UnitOfWork
from tests.conftest import kit_database
from tests.integration.test_dead_letters import read_all
from tests.integration.test_outbox_relay import create_topic

pytestmark = pytest.mark.integration

SERVICE = "republishtest"


def republished() -> float:
    return REGISTRY.get_sample_value("botilbud_outbox_republished_total", {"service": SERVICE}) or 0.0


async def publish_all(relay: OutboxRelay) -> None:
    while await relay.publish_pending() >= relay.batch_size:
        pass


async def test_a_republish_sends_every_row_again_in_order_before_the_new_ones(pg_url, kafka_bootstrap):
    pool = await kit_database(pg_url, "republish")
    namespace = f"r{uuid.uuid4().hex[:6]}."
    topic = namespace + Topic.STAY.value
    await create_topic(kafka_bootstrap, topic)  # one partition: the order of everything shows
    households = [uuid.uuid4() for _ in range(3)]

    async def commit(household: uuid.UUID) -> uuid.UUID:
        async with UnitOfWork(pool, service=SERVICE, translate=lambda e: [e], topic=lambda n: namespace + n) as u:
            u.emit(HouseholdMovedOut(stay_id=uuid.uuid4(), household_id=household, check_out=date(2025, 5, 1),
                                     destination="private_rental"))
            [envelope] = await u.commit()
            return envelope.id

    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        first = [await commit(households[i % 3]) for i in range(5)]
        await publish_all(OutboxRelay(pool, producer, SERVICE, batch_size=2))
        published_at = dict(await pool.fetch("SELECT event_id, published_at FROM outbox"))

        async with pool.acquire() as conn:
            assert await request_republish(conn, SERVICE, "test: the broker lost its topics") == 5
        later = [await commit(households[0]), await commit(households[2])]  # written after the request
        before = republished()

        relay = OutboxRelay(pool, producer, SERVICE, batch_size=2)
        assert await relay.publish_pending() == 2  # the first two rows again
        assert REGISTRY.get_sample_value("botilbud_outbox_backlog", {"service": SERVICE}) == 5
        assert await pool.fetchval("SELECT position FROM outbox_republish") > 0
        # The relay stops here (a crash, a restart); the next one goes on from where this one was.
        await publish_all(OutboxRelay(pool, producer, SERVICE, batch_size=2))

        assert await pool.fetchval("SELECT count(*) FROM outbox_republish") == 0  # done
        assert republished() - before == 5  # the five old rows; the two new ones are plain publications
        assert REGISTRY.get_sample_value("botilbud_outbox_backlog", {"service": SERVICE}) == 0
        assert await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
        after = dict(await pool.fetch("SELECT event_id, published_at FROM outbox WHERE event_id = ANY($1)", first))
        assert after == published_at  # republishing does not rewrite when an event was first published

        records = await read_all(kafka_bootstrap, topic, 12)
        sent = [uuid.UUID(dict(r.headers)["ce_id"].decode()) for r in records]
        assert sent == first + first + later  # old before new, each key's order kept
        assert await relay.publish_pending() == 0  # nothing more to send
    finally:
        await producer.stop()
        await pool.close()
