"""The runbook's dead-letter replay against the real broker: a move-out that reached billing before its
placement is dead-lettered; once the placement is there, `deploy/replay_dead_letters.py` lists it — from
billing's database, where the consumer keeps its dead letters, and from the dead-letter topic — puts it back
on its topic, and billing closes the requisition. The list says which letters were replayed, and `--all`
replays only those that were not."""

import asyncio
import json
import os
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from contracts import Envelope, HouseholdFacts, HouseholdMovedOut, HouseholdPlaced, Topic
from tests.conftest import eventually, login

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


async def replay_tool(settings, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOTILBUD_")}
    env.update({"BOTILBUD_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
                "BOTILBUD_TOPIC_NAMESPACE": settings.topic_namespace, "BOTILBUD_HOME": str(settings.home),
                "BOTILBUD_BILLING_DATABASE_URL": settings.service_database_url("billing"),
                "BOTILBUD_STATS_DATABASE_URL": settings.service_database_url("stats"),
                "BOTILBUD_PLACEMENT_DATABASE_URL": settings.service_database_url("placement")})
    return await asyncio.to_thread(subprocess.run, [sys.executable, "deploy/replay_dead_letters.py", *args],
                                   env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


async def send(producer: AIOKafkaProducer, topic: str, event) -> Envelope:
    envelope = Envelope.wrap(event, source="/test/replay", correlation_id="test-replay")
    await producer.send_and_wait(topic, envelope.body(), key=envelope.key.encode(),
                                 headers=[(k, v.encode()) for k, v in envelope.headers().items()])
    return envelope


async def test_a_dead_letter_is_listed_and_replayed_once_its_cause_is_fixed(stack, settings):
    stay_id, household_id = uuid.uuid4(), uuid.uuid4()
    topic = settings.topic(Topic.STAY.value)
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap)
    await producer.start()
    try:
        moved_out = await send(producer, topic, HouseholdMovedOut(
            stay_id=stay_id, household_id=household_id, check_out=date(2025, 3, 10), destination="unknown"))

        async def dead_lettered():
            listed = await replay_tool(settings, "billing")
            assert listed.returncode == 0, listed.stderr
            return [json.loads(line) for line in listed.stdout.splitlines()]
        [letter] = await eventually(dead_lettered, within=30, interval=0.5)
        assert letter["reason"] == "handler_failed" and "no requisition" in letter["detail"]
        assert (letter["from"], letter["event_id"], letter["replayed"]) == (topic, str(moved_out.id), None)
        on_topic = await replay_tool(settings, "billing", "--from-topic")  # the topic's copy: the same letter
        [copy] = [json.loads(line) for line in on_topic.stdout.splitlines()]
        assert (copy["event_id"], copy["reason"], copy["from"]) == (str(moved_out.id), "handler_failed", topic)

        # The cause: the placement had not arrived. It does now.
        await send(producer, topic, HouseholdPlaced(
            stay_id=stay_id, household_id=household_id, decision_id=uuid.uuid4(), office_id="nav-bodo",
            municipality="1804", provider_id=uuid.uuid4(), provider_name="Bolig Nu", provider_orgnr="974760673",
            unit_id=uuid.uuid4(), accommodation="temporary", agreement_kind="framework", price_per_night=850,
            check_in=date(2025, 3, 1), authorised_to=date(2025, 3, 31),
            household=HouseholdFacts(applicant_birth_date=date(1980, 1, 1))))
    finally:
        await producer.stop()

    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        finance = await login(client, "okonomi")

        async def requisition():
            r = await client.get("/billing/api/requisitions", headers=finance, params={"page_size": 200})
            return next((q for q in r.json()["items"] if q["stay_id"] == str(stay_id)), None)
        assert (await eventually(requisition))["status"] == "open"

        unknown = await replay_tool(settings, "billing", "--record", "999999")
        assert unknown.returncode == 2 and "No such dead letter" in unknown.stderr
        replayed = await replay_tool(settings, "billing", "--record", letter["record"])
        assert replayed.returncode == 0, replayed.stderr
        assert json.loads(replayed.stdout)["replayed_to"] == topic

        async def closed():
            q = await requisition()
            return q if q["status"] != "open" else None
        await eventually(closed)
    # Nothing new was dead-lettered; the letter is kept, marked replayed, and `--all` leaves it alone now.
    [after] = [json.loads(line) for line in (await replay_tool(settings, "billing")).stdout.splitlines()]
    assert after["record"] == letter["record"] and after["replayed"] is not None
    again = await replay_tool(settings, "billing", "--all")
    assert again.returncode == 0 and again.stdout == "", again.stderr
    assert len((await replay_tool(settings, "billing", "--from-topic")).stdout.splitlines()) == 1
