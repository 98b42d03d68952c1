"""Reading Kafka topics back from their beginning to their end, outside any consumer group (so no group's
committed offsets move): stats' rebuild replays the topics with it, `botilbud verify` reads the dead-letter topics."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient


async def partitions(bootstrap: str, topics: Sequence[str]) -> list[TopicPartition]:
    """The topics' partitions, asked of the broker (a consumer's cached metadata holds only the topics it has
    asked about: Apache Kafka answers a metadata request for no topic with none). A topic that does not exist
    has none."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    return [TopicPartition(t["topic"], p["partition"]) for t in described if t["error_code"] == 0
            for p in sorted(t["partitions"], key=lambda p: p["partition"])]


async def read_to_end(bootstrap: str, topics: Sequence[str], *, batch_size: int = 2000, idle_ms: int = 500,
                      tail_seconds: float = 30.0) -> AsyncIterator[list[ConsumerRecord]]:
    """Every record of the topics, from offset 0, in batches of up to `batch_size`.

    It reads up to the end offsets taken at the start, then on until a fetch comes back empty: some brokers
    (the embedded Tansu) report end offsets below the log's true end, so they are a floor, not the stop. Past
    the floor it stops after `tail_seconds` even if records keep coming (steady live traffic)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest", max_partition_fetch_bytes=8 * 1024 * 1024,
                                fetch_max_bytes=32 * 1024 * 1024)
    await consumer.start()
    try:
        parts = await partitions(bootstrap, topics)
        if not parts:
            return
        consumer.assign(parts)
        end = await consumer.end_offsets(parts)
        await consumer.seek_to_beginning(*parts)
        below_floor = {tp for tp in parts if end[tp] > 0}
        clock = asyncio.get_running_loop().time
        tail_until = None
        while True:
            if not below_floor and tail_until is None:
                tail_until = clock() + tail_seconds
            fetched = await consumer.getmany(timeout_ms=1000 if below_floor else idle_ms, max_records=batch_size)
            for tp, records in fetched.items():
                if records and records[-1].offset + 1 >= end[tp]:
                    below_floor.discard(tp)
            if not fetched:
                below_floor = {tp for tp in below_floor if await consumer.position(tp) < end[tp]}
            records = [record for batch in fetched.values() for record in batch]
            if records:
                yield records
            if not below_floor and tail_until is not None and (not fetched or clock() > tail_until):
                return
    finally:
        await consumer.stop()
