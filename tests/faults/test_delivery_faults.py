"""Faults in delivery, under traffic: every event delivered two and three times, households' events out of
order with each other (a later household's before an earlier one's, each household's own order kept, as
Kafka keeps it per key), old events delivered again long after, and poison — a body that is not JSON, JSON
that breaks the contract, a message with no event type. Afterwards every invariant holds, and the dead-letter
topics hold exactly the poison: each poison message once on each consuming service's topic, nothing else."""

from __future__ import annotations

import asyncio
import json
import uuid
import zlib

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from botilbud.dead_letters import read_dead_letters
from botilbud.verify import operator_token, verify_until
from contracts import DecisionMade, HouseholdMovedOut, Topic
from tests.conftest import eventually
from tests.faults.traffic import Traffic

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def send_rows(producer: AIOKafkaProducer, rows) -> None:
    for row in rows:
        headers = json.loads(row["headers"]) if isinstance(row["headers"], str) else row["headers"]
        await producer.send_and_wait(row["topic"], row["body"], key=row["key"].encode(),
                                     headers=[(k, v.encode()) for k, v in headers.items()])


async def test_duplicates_out_of_order_and_poison_leave_every_invariant_holding(stack, settings):
    placement = await asyncpg.connect(settings.service_database_url("placement"))
    intake = await asyncpg.connect(settings.service_database_url("intake"))
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap, acks="all")
    await producer.start()
    try:
        # Placement's outbox relay is held off (its own advisory lock) while households are placed, extended
        # and moved out: their events wait in the outbox, to be delivered by the test in its own order first.
        await placement.execute("SELECT pg_advisory_lock($1)", zlib.crc32(b"outbox:placement"))
        async with httpx.AsyncClient(base_url=stack.url, timeout=20) as client:
            traffic = Traffic(client, concurrency=2, invoice_share=0.0, extend_share=0.5, move_out_share=0.6)
            stop = asyncio.Event()
            running = asyncio.create_task(traffic.run(stop))
            await eventually(lambda: _true(traffic.counts["changed:placement"] >= 6), within=60)
            stop.set()
            await running
        pending = await placement.fetch("SELECT topic, key, headers, body FROM outbox WHERE published_at IS NULL "
                                        "ORDER BY id")
        households = list(dict.fromkeys(r["key"] for r in pending if r["topic"].endswith(Topic.STAY.value)))
        assert len(households) >= 6
        # Out of order across households: the last household's events first; each one's own order kept.
        by_key = {k: [r for r in pending if r["key"] == k] for k in dict.fromkeys(r["key"] for r in pending)}
        reordered = [r for k in reversed(list(by_key)) for r in by_key[k]]
        await send_rows(producer, reordered)
        await send_rows(producer, reordered)  # and all of it twice

        # Intake's events, long since handled, delivered again newest first.
        old = await intake.fetch("SELECT topic, key, headers, body FROM outbox WHERE published_at IS NOT NULL "
                                 "ORDER BY id DESC")
        await send_rows(producer, old)

        # Poison.
        stay_topic, household_topic = settings.topic(Topic.STAY.value), settings.topic(Topic.HOUSEHOLD.value)
        not_json, breaks_contract, untyped = (str(uuid.uuid4()) for _ in range(3))
        await producer.send_and_wait(stay_topic, b"\x00not json{", key=b"p1", headers=[
            ("ce_id", not_json.encode()), ("ce_type", HouseholdMovedOut.event_type.encode()),
            ("ce_source", b"/faults"), ("ce_specversion", b"1.0")])
        bad = {"decision_id": str(uuid.uuid4()), "household_id": "not a uuid", "period_from": "2026-02-30"}
        await producer.send_and_wait(household_topic, json.dumps(bad).encode(), key=b"p2", headers=[
            ("ce_id", breaks_contract.encode()), ("ce_type", DecisionMade.event_type.encode()),
            ("ce_source", b"/faults"), ("ce_specversion", b"1.0")])
        await producer.send_and_wait(stay_topic, b"{}", key=b"p3", headers=[("ce_id", untyped.encode())])

        # Now the relay goes on: it publishes the same rows a third time, in their own order.
        await placement.execute("SELECT pg_advisory_unlock($1)", zlib.crc32(b"outbox:placement"))
    finally:
        await producer.stop()
        await placement.close()
        await intake.close()

    report = await verify_until(settings, 60, address=stack.url, token=operator_token(settings),
                                bootstrap=stack.bootstrap, grace_seconds=1)
    assert report.ok, report.text() + f"\ntraffic: {dict(traffic.counts)}"

    expected = sorted([("billing", not_json), ("stats", not_json), ("placement", breaks_contract),
                       ("stats", breaks_contract), ("billing", untyped), ("stats", untyped)])

    seen: list = []

    async def all_dead_letters():
        seen[:] = await read_dead_letters(stack.bootstrap, settings)
        return seen if len(seen) >= len(expected) else None
    try:
        dead = await eventually(all_dead_letters, within=30)
    except AssertionError:
        raise AssertionError(f"dead letters: {seen}") from None
    assert sorted((d["service"], d["event_id"]) for d in dead) == expected, dead
    reasons = {d["event_id"]: d["reason"] for d in dead}
    assert reasons == {not_json: "schema_violation", breaks_contract: "schema_violation", untyped: "missing_headers"}


async def _true(value: bool) -> bool:
    return value
