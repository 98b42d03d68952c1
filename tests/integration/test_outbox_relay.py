"""The transactional outbox on a real database and broker: a rolled-back transaction publishes nothing; while
the network to the broker is cut, rows wait (the backlog shows in the gauge) and none is marked published; once
it is back the relay delivers every committed row exactly once, keyed by aggregate id, and marks them."""

import asyncio
import contextlib
import uuid
from datetime import date

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from prometheus_client import REGISTRY

from botilbud.embedded import EmbeddedKafka, free_port
from contracts import HouseholdMovedOut, Topic
from kit.outbox import OutboxRelay
from kit.unit_of_work import UnitOfWork
from tests.conftest import eventually, kit_database
from tests.integration.test_dead_letters import read_all
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.integration


async def create_topic(bootstrap: str, name: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 1, 1)])
    finally:
        await admin.close()


def moved_out(household_id: uuid.UUID) -> HouseholdMovedOut:
    return HouseholdMovedOut(stay_id=uuid.uuid4(), household_id=household_id, check_out=date(2025, 5, 1),
                             destination="private_rental")


async def test_outbox_survives_a_broker_outage_and_delivers_in_order(pg_url, tmp_path):
    pool = await kit_database(pg_url, "outbox")
    namespace = f"o{uuid.uuid4().hex[:6]}."
    topic = lambda name: namespace + name  # noqa: E731

    def uow():
        return UnitOfWork(pool, service="outboxtest", translate=lambda e: [e], topic=topic)

    household = uuid.uuid4()
    async with uow() as u:  # rolled back: must never be published
        u.emit(moved_out(household))
    async with uow() as u:
        for _ in range(3):
            u.emit(moved_out(household))
        await u.commit()

    # The broker advertises the proxy's address, so every client connection goes through the proxy.
    proxy = TcpProxy(free_port(), free_port())
    broker = EmbeddedKafka(tmp_path / "kafka.log", port=proxy.target_port, advertised_port=proxy.listen_port)
    await proxy.start()
    broker.start()
    await create_topic(broker.bootstrap, topic(Topic.STAY.value))
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, acks="all", request_timeout_ms=3000,
                                retry_backoff_ms=100)
    await producer.start()
    relay = OutboxRelay(pool, producer, "outboxtest", poll_seconds=0.2, max_backoff=0.5)
    task = asyncio.create_task(relay.run())
    try:
        async def all_published():
            return await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
        await eventually(all_published)

        await proxy.cut()
        async with uow() as u:
            u.emit(moved_out(household))
            u.emit(moved_out(household))
            await u.commit()
        await asyncio.sleep(2)  # several relay rounds fail meanwhile
        waiting = await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        assert waiting == 2
        assert REGISTRY.get_sample_value("botilbud_outbox_backlog", {"service": "outboxtest"}) >= 2

        await proxy.start()  # the network is back
        await eventually(all_published, within=60)
        records = await read_all(broker.bootstrap, topic(Topic.STAY.value), 5)
        assert {r.key for r in records} == {str(household).encode()}
        # Every committed event arrived. (A send whose acknowledgement was lost may arrive twice: delivery is
        # at-least-once and consumers drop repeats by event id.)
        committed = {str(r["event_id"]) for r in await pool.fetch("SELECT event_id FROM outbox")}
        assert {dict(r.headers)["ce_id"].decode() for r in records} == committed
        assert {dict(r.headers)["ce_type"] for r in records} == {HouseholdMovedOut.event_type.encode()}
        assert REGISTRY.get_sample_value("botilbud_outbox_backlog", {"service": "outboxtest"}) == 0
        assert await pool.fetchval("SELECT count(*) FROM outbox") == 5  # the rolled-back event never existed
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        with contextlib.suppress(Exception):
            await producer.stop()
        await proxy.cut()
        broker.stop()
        await pool.close()


async def test_rows_committed_while_the_relay_publishes_go_out_at_once_not_at_the_next_poll(pg_url, kafka_bootstrap):
    """The relay is woken by NOTIFY; one that arrives in the middle of a round must start another round. (It was
    once lost there, and the rows waited for the next poll: consumer lag stuck just above a second under load.)"""
    pool = await kit_database(pg_url, "notify")
    namespace = f"n{uuid.uuid4().hex[:6]}."
    await create_topic(kafka_bootstrap, namespace + Topic.STAY.value)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    relay = OutboxRelay(pool, producer, "notifytest", poll_seconds=3600)  # only NOTIFY can wake it in time
    task = asyncio.create_task(relay.run())

    async def commit_one():
        async with UnitOfWork(pool, service="notifytest", translate=lambda e: [e],
                              topic=lambda name: namespace + name) as u:
            u.emit(moved_out(uuid.uuid4()))
            await u.commit()

    async def all_published():
        return await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
    try:
        for _ in range(15):  # bursts: the first commit wakes the relay, the others land during its round
            await asyncio.gather(*(commit_one() for _ in range(4)))
            await eventually(all_published, within=10)
        assert await pool.fetchval("SELECT count(*) FROM outbox") == 60
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await producer.stop()
        await pool.close()
