"""Stats' test helpers: the stats service alone on a real broker and PostgreSQL, and publishing events as
the other services' outbox relays do."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer

from tests.conftest import running
from tests.stats import workload


@pytest.fixture
async def stats_only(settings):
    """Only the stats service: every event on the topics is one the test published."""
    async with running(settings, "stats") as runtime:
        yield runtime


async def publish(settings, envelopes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, linger_ms=5)
    await producer.start()
    try:
        futures = [await producer.send(**workload.record(settings, e)) for e in envelopes]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def inbox_count(runtime) -> int:
    async with runtime.pools["stats"].acquire() as conn:
        return await conn.fetchval("SELECT count(*) FROM inbox WHERE consumer = 'stats'")
