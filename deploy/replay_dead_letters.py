"""List a service's dead letters, and publish chosen ones back to the topic they came from.

    python deploy/replay_dead_letters.py billing                    # list: partition:offset, reason, detail
    python deploy/replay_dead_letters.py billing --record 0:3       # replay one (repeat --record for more)
    python deploy/replay_dead_letters.py billing --all              # replay every dead letter of billing

The broker comes from BOTILBUD_KAFKA_BOOTSTRAP (or --bootstrap), the topic prefix from
BOTILBUD_TOPIC_NAMESPACE. A replayed message is the original body, key and `ce_*` headers, sent to the topic
named in its `dlt_topic` header; the consumer's inbox makes a replay of an event it already handled harmless.
Replay only after fixing the cause (docs/operations.md, "Replay a dead letter")."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from contracts.topics import dead_letter_topic


async def read_dead_letters(bootstrap: str, topic: str) -> list:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:  # describing a missing topic could create it where the broker auto-creates topics
        description = (await admin.describe_topics([topic]))[0] if topic in await admin.list_topics() else {}
    finally:
        await admin.close()
    partitions = [TopicPartition(topic, p["partition"]) for p in description.get("partitions") or ()]
    if description.get("error_code") or not partitions:
        # A service creates its dead-letter topic at start; none (yet) = no dead letters.
        print(f"No topic {topic} on {bootstrap} (yet): no dead letters", file=sys.stderr)
        return []
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        records = []
        while True:
            # Up to the end offsets, then on until a fetch comes back empty (some brokers, like the embedded
            # Tansu, report end offsets below the log's true end).
            batch = await consumer.getmany(timeout_ms=1000)
            for recs in batch.values():
                records.extend(recs)
            if not batch and all([await consumer.position(tp) >= end[tp] for tp in partitions]):
                return records
    finally:
        await consumer.stop()


def describe(record) -> dict:
    headers = {k: v.decode(errors="replace") for k, v in record.headers}
    return {"record": f"{record.partition}:{record.offset}", "reason": headers.get("dlt_reason"),
            "detail": headers.get("dlt_detail"), "from": headers.get("dlt_topic"),
            "type": headers.get("ce_type"), "event_id": headers.get("ce_id"), "time": headers.get("dlt_time")}


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("service", choices=["placement", "billing", "stats"])
    parser.add_argument("--record", action="append", default=[], metavar="PARTITION:OFFSET",
                        help="A dead letter to replay, as listed (repeatable).")
    parser.add_argument("--all", action="store_true", help="Replay every dead letter of the service.")
    parser.add_argument("--bootstrap", default=os.environ.get("BOTILBUD_KAFKA_BOOTSTRAP"))
    parser.add_argument("--namespace", default=os.environ.get("BOTILBUD_TOPIC_NAMESPACE", ""))
    args = parser.parse_args(argv)
    if not args.bootstrap:
        parser.error("set BOTILBUD_KAFKA_BOOTSTRAP or give --bootstrap")

    records = await read_dead_letters(args.bootstrap, f"{args.namespace}{dead_letter_topic(args.service)}")
    if not args.record and not args.all:
        for record in records:
            print(json.dumps(describe(record), ensure_ascii=False))
        return 0

    by_id = {f"{r.partition}:{r.offset}": r for r in records}
    unknown = [r for r in args.record if r not in by_id]
    if unknown:
        print(f"No such dead letter(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    chosen = records if args.all else [by_id[r] for r in args.record]
    producer = AIOKafkaProducer(bootstrap_servers=args.bootstrap)
    await producer.start()
    try:
        for record in chosen:
            headers = [(k, v) for k, v in record.headers if not k.startswith("dlt_")]
            origin = dict(record.headers).get("dlt_topic")
            if origin is None:
                print(f"{record.partition}:{record.offset} has no dlt_topic header; skipped", file=sys.stderr)
                continue
            await producer.send_and_wait(origin.decode(), record.value, key=record.key, headers=headers)
            print(json.dumps({**describe(record), "replayed_to": origin.decode()}, ensure_ascii=False))
    finally:
        await producer.stop()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
