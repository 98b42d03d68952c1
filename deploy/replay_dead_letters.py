"""List a service's dead letters, and publish chosen ones back to the topic they came from.

    python deploy/replay_dead_letters.py billing                    # list: record, reason, detail, …
    python deploy/replay_dead_letters.py billing --record 3         # replay one (repeat --record for more)
    python deploy/replay_dead_letters.py billing --all              # replay every one not replayed yet
    python deploy/replay_dead_letters.py billing --from-topic       # the dead-letter topic instead

The dead letters are read from the service's own database, where the consumer keeps each one (the record that
survives a broker which forgets its topics, like the embedded one): a `record` is its row there. The database
is BOTILBUD_<SERVICE>_DATABASE_URL or BOTILBUD_DATABASE_URL (next to `botilbud run`: its embedded PostgreSQL).
`--from-topic` reads the dead-letter topic instead (records `partition:offset`), for letters from before the
databases kept them. The broker comes from BOTILBUD_KAFKA_BOOTSTRAP (or --bootstrap, or the embedded stack's run
file), the topic prefix from BOTILBUD_TOPIC_NAMESPACE. A replayed message is the original body, key and
headers (without the `dlt_*` ones), sent to the topic it was read from; the consumer's inbox makes a replay of
an event it already handled harmless. Replay only after fixing the cause (docs/operations.md, "Replay a dead
letter")."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from contracts.topics import dead_letter_topic
from kit.dead_letters import decode_headers, mark_replayed, stored


@dataclass
class Letter:
    record: str
    topic: str  # where it was read from, and where a replay sends it
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]
    listed: dict
    row_id: int | None = None  # in the service's database

    @property
    def replayed(self) -> bool:
        return bool(self.listed.get("replayed"))


async def read_topic(bootstrap: str, topic: str) -> list[Letter]:
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
                break
    finally:
        await consumer.stop()
    letters = []
    for r in records:
        h = {k: v.decode(errors="replace") for k, v in r.headers}
        letters.append(Letter(
            f"{r.partition}:{r.offset}", h.get("dlt_topic", ""), r.key, r.value,
            [(k, v) for k, v in r.headers if not k.startswith("dlt_")],
            {"record": f"{r.partition}:{r.offset}", "reason": h.get("dlt_reason"), "detail": h.get("dlt_detail"),
             "from": h.get("dlt_topic"), "type": h.get("ce_type"), "event_id": h.get("ce_id"),
             "time": h.get("dlt_time")}))
    return letters


async def read_database(url: str, service: str) -> list[Letter]:
    conn = await asyncpg.connect(url)
    try:
        rows = await stored(conn, service)
    finally:
        await conn.close()
    letters = []
    for r in rows:
        headers = json.loads(r["headers"]) if isinstance(r["headers"], str) else r["headers"]
        listed = {"record": str(r["id"]), "reason": r["reason"], "detail": r["detail"], "from": r["topic"],
                  "type": r["event_type"], "event_id": str(r["event_id"]) if r["event_id"] else None,
                  "time": r["dead_lettered_at"].isoformat(),
                  "replayed": r["replayed_at"].isoformat() if r["replayed_at"] else None}
        letters.append(Letter(str(r["id"]), r["topic"], r["key"], r["body"], decode_headers(headers), listed,
                              r["id"]))
    return letters


def database_url(service: str, given: str | None) -> str | None:
    """The service's database: given, in the settings, or the embedded stack's running next to this."""
    from botilbud.settings import Settings
    from botilbud.verify import with_databases
    from kit.db import plain_url

    settings = Settings()
    try:
        if given or getattr(settings, f"{service}_database_url") or settings.database_url:
            return plain_url(given or settings.service_database_url(service))
        return plain_url(with_databases(settings).service_database_url(service))
    except SystemExit:
        return None


def embedded_bootstrap() -> str | None:
    """The broker of `botilbud run` in this BOTILBUD_HOME, from its run file."""
    from botilbud.settings import Settings

    run = Settings().home / "run.json"
    return json.loads(run.read_text()).get("kafka_bootstrap") if run.exists() else None


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("service", choices=["placement", "billing", "stats"])
    parser.add_argument("--record", action="append", default=[], metavar="RECORD",
                        help="A dead letter to replay, as listed (repeatable).")
    parser.add_argument("--all", action="store_true", help="Replay every dead letter not replayed yet.")
    parser.add_argument("--from-topic", action="store_true", help="Read the dead-letter topic, not the database.")
    parser.add_argument("--database-url", default=None, help="The service's database (default: the settings').")
    parser.add_argument("--bootstrap", default=os.environ.get("BOTILBUD_KAFKA_BOOTSTRAP"))
    parser.add_argument("--namespace", default=os.environ.get("BOTILBUD_TOPIC_NAMESPACE", ""))
    args = parser.parse_args(argv)
    bootstrap = args.bootstrap or embedded_bootstrap()

    if args.from_topic:
        if not bootstrap:
            parser.error("set BOTILBUD_KAFKA_BOOTSTRAP or give --bootstrap")
        letters = await read_topic(bootstrap, f"{args.namespace}{dead_letter_topic(args.service)}")
    else:
        url = database_url(args.service, args.database_url)
        if url is None:
            parser.error(f"no database for {args.service}: set BOTILBUD_DATABASE_URL or give --database-url "
                         "(or --from-topic)")
        letters = await read_database(url, args.service)
    if not args.record and not args.all:
        for letter in letters:
            print(json.dumps(letter.listed, ensure_ascii=False))
        return 0

    by_record = {letter.record: letter for letter in letters}
    unknown = [r for r in args.record if r not in by_record]
    if unknown:
        print(f"No such dead letter(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    chosen = [letter for letter in letters if not letter.replayed] if args.all else [by_record[r] for r in args.record]
    if not bootstrap:
        parser.error("set BOTILBUD_KAFKA_BOOTSTRAP or give --bootstrap")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    replayed = []
    try:
        for letter in chosen:
            if not letter.topic:
                print(f"{letter.record} does not say which topic it came from; skipped", file=sys.stderr)
                continue
            await producer.send_and_wait(letter.topic, letter.value, key=letter.key,
                                         headers=[(k, v) for k, v in letter.headers if not k.startswith("dlt_")])
            replayed.append(letter)
            print(json.dumps({**letter.listed, "replayed_to": letter.topic}, ensure_ascii=False))
    finally:
        await producer.stop()
    if not args.from_topic and replayed:
        conn = await asyncpg.connect(url)
        try:
            await mark_replayed(conn, [letter.row_id for letter in replayed])
        finally:
            await conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
