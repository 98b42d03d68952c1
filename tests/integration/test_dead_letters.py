"""The consumer error policy on a real broker: poison messages go to the service's dead-letter topic with the
reason in headers, counted in a metric, and the consumer keeps processing what comes after them. Each dead
letter is also kept in the consuming service's database — the original message (body, key, headers), the
reason and where it was read — since a broker may forget its topics."""

import json
import uuid
from datetime import date

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from prometheus_client import REGISTRY

from contracts import Envelope, HouseholdFacts, HouseholdMovedOut, HouseholdPlaced, Topic
from contracts.topics import dead_letter_topic
from kit.dead_letters import decode_headers
from tests.conftest import eventually, login

pytestmark = pytest.mark.integration


async def read_all(bootstrap: str, topic: str, expected: int, within: float = 20.0) -> list:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                group_id=f"test-{uuid.uuid4()}", enable_auto_commit=False)
    await consumer.start()
    records = []
    try:
        async def enough():
            batch = await consumer.getmany(timeout_ms=200)
            for recs in batch.values():
                records.extend(recs)
            return len(records) >= expected
        await eventually(enough, within=within)
    finally:
        await consumer.stop()
    return records


def a_placement() -> HouseholdPlaced:
    return HouseholdPlaced(
        stay_id=uuid.uuid4(), household_id=uuid.uuid4(), decision_id=uuid.uuid4(), office_id="nav-bodo",
        municipality="1804", provider_id=uuid.uuid4(), provider_name="Bolig Nu", provider_orgnr="974760673",
        unit_id=uuid.uuid4(), accommodation="temporary", agreement_kind="framework", price_per_night=850,
        check_in=date(2025, 3, 1), authorised_to=date(2025, 3, 31),
        household=HouseholdFacts(applicant_birth_date=date(1980, 1, 1)))


def dead_letters(service: str, reason: str) -> float:
    return REGISTRY.get_sample_value("botilbud_dead_letters_total",
                                     {"service": service, "topic": Topic.STAY.value, "reason": reason}) or 0.0


async def test_poison_messages_are_dead_lettered_and_the_consumer_keeps_going(stack, settings):
    before_parse = dead_letters("stats", "schema_violation")
    before_handler = dead_letters("billing", "handler_failed")
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap)
    await producer.start()
    stay_topic = settings.topic(Topic.STAY.value)
    try:
        # 1. Not JSON at all, though it claims to be a v1 event.
        await producer.send_and_wait(stay_topic, b"\x00not json{", key=b"h1", headers=[
            ("ce_id", str(uuid.uuid4()).encode()), ("ce_type", HouseholdMovedOut.event_type.encode()),
            ("ce_source", b"/test"), ("ce_specversion", b"1.0")])
        # 2. Valid JSON that breaks the schema (a date that does not exist).
        bad = {"stay_id": str(uuid.uuid4()), "household_id": str(uuid.uuid4()), "check_out": "2025-02-30",
               "destination": "unknown"}
        await producer.send_and_wait(stay_topic, json.dumps(bad).encode(), key=b"h2", headers=[
            ("ce_id", str(uuid.uuid4()).encode()), ("ce_type", HouseholdMovedOut.event_type.encode()),
            ("ce_source", b"/test")])
        # 3. A well-formed move-out of a stay billing never saw: billing's handler fails every retry.
        orphan = Envelope.wrap(HouseholdMovedOut(stay_id=uuid.uuid4(), household_id=uuid.uuid4(),
                                                 check_out=date(2025, 3, 1), destination="unknown"),
                               source="/test", correlation_id="test-orphan")
        await producer.send_and_wait(stay_topic, orphan.body(), key=orphan.key.encode(),
                                     headers=[(k, v.encode()) for k, v in orphan.headers().items()])
        # 4. A header that is not UTF-8 at all (an event id of raw bytes): it must not stall the batch it is in.
        garbled = Envelope.wrap(a_placement(), source="/test", correlation_id="test-garbled")
        await producer.send_and_wait(stay_topic, garbled.body(), key=garbled.key.encode(), headers=[
            *((k, v.encode()) for k, v in garbled.headers().items() if k != "ce_id"), ("ce_id", b"\xff\xfe\x00")])
        # 5. After the poison, an ordinary placement: both consumers must still handle it.
        placed = Envelope.wrap(a_placement(), source="/test", correlation_id="test-after-poison")
        await producer.send_and_wait(stay_topic, placed.body(), key=placed.key.encode(),
                                     headers=[(k, v.encode()) for k, v in placed.headers().items()])
    finally:
        await producer.stop()

    stats_dlt = await read_all(stack.bootstrap, settings.topic(dead_letter_topic("stats")), 3)
    reasons = sorted(dict(r.headers)["dlt_reason"].decode() for r in stats_dlt)
    assert reasons == ["bad_headers", "schema_violation", "schema_violation"]
    detail = [dict(r.headers)["dlt_detail"].decode() for r in stats_dlt]
    assert any("check_out" in d for d in detail), detail  # the reason names the field at fault
    assert all(dict(r.headers)["dlt_topic"].decode() == stay_topic for r in stats_dlt)
    assert next(r for r in stats_dlt if dict(r.headers)["dlt_reason"] == b"bad_headers").value == garbled.body()

    billing_dlt = await read_all(stack.bootstrap, settings.topic(dead_letter_topic("billing")), 4)
    by_reason = {dict(r.headers)["dlt_reason"].decode() for r in billing_dlt}
    assert by_reason == {"schema_violation", "handler_failed", "bad_headers"}
    failed = next(r for r in billing_dlt if dict(r.headers)["dlt_reason"] == b"handler_failed")
    assert failed.value == orphan.body()  # the original message, untouched, ready to replay

    async with httpx.AsyncClient(base_url=stack.url) as client:
        leader = await login(client, "leder-bodo")

        async def counted():
            r = await client.get("/stats/api/kostra?year=2025&municipality=1804", headers=leader)
            return r.json()["households"] == 1
        await eventually(counted)
        finance = await login(client, "okonomi")

        async def requisition_issued():
            r = await client.get("/billing/api/requisitions", headers=finance, params={"page_size": 200})
            return [q for q in r.json()["items"] if q["stay_id"] == str(placed.data.stay_id)]
        await eventually(requisition_issued)

    assert dead_letters("stats", "schema_violation") == before_parse + 2
    assert dead_letters("billing", "handler_failed") == before_handler + 1

    # The same dead letters, kept in each consuming service's own database.
    for service, on_topic in (("stats", stats_dlt), ("billing", billing_dlt)):
        conn = await asyncpg.connect(settings.service_database_url(service))
        try:
            kept = await conn.fetch("SELECT * FROM dead_letters ORDER BY id")
        finally:
            await conn.close()
        assert sorted(r["reason"] for r in kept) == sorted(dict(r.headers)["dlt_reason"].decode() for r in on_topic)
        assert all(r["service"] == service and r["topic"] == stay_topic for r in kept)
        for r in on_topic:  # the original message, as it was read
            row = next(k for k in kept if (k["partition"], k["offset"]) == (
                int(dict(r.headers)["dlt_partition"]), int(dict(r.headers)["dlt_offset"])))
            assert (row["body"], row["key"]) == (r.value, r.key)
            kept_headers = dict(decode_headers(json.loads(row["headers"])))
            on_topic_headers = {k for k, _ in r.headers if not k.startswith("dlt_")}
            # The topic's copy may carry FastStream's own headers besides the original ones.
            assert set(kept_headers) <= on_topic_headers and on_topic_headers - set(kept_headers) <= {
                "content-type", "correlation_id"}
            if row["reason"] == "bad_headers":  # the bytes that are not UTF-8 replaced, the NUL kept
                assert kept_headers["ce_id"] == "\ufffd\ufffd\x00".encode() and row["event_id"] is None
    orphan_row = await _dead_letter_of(settings, "billing", orphan.id)
    assert (orphan_row["reason"], orphan_row["event_type"]) == ("handler_failed", HouseholdMovedOut.event_type)
    assert "no requisition" in orphan_row["detail"]


async def _dead_letter_of(settings, service: str, event_id: uuid.UUID):
    conn = await asyncpg.connect(settings.service_database_url(service))
    try:
        return await conn.fetchrow("SELECT * FROM dead_letters WHERE event_id = $1", event_id)
    finally:
        await conn.close()
