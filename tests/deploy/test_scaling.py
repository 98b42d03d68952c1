"""Scaling out: two processes of one service (stats) in one consumer group, as two containers of a scaled
compose service would be, against the real broker and PostgreSQL. Every event is processed once: both
processes get partitions, each event of a stable group reaches exactly one of them, and the service's
database holds each event's effect once."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from contracts import Envelope, HouseholdFacts, HouseholdPlaced, Topic
from tests.conftest import eventually

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def service_env(settings, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOTILBUD_")}
    env.update({
        "BOTILBUD_HOME": str(home),
        "BOTILBUD_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "BOTILBUD_KAFKA_IDEMPOTENT_PRODUCER": str(settings.kafka_idempotent_producer).lower(),
        "BOTILBUD_KAFKA_SESSION_TIMEOUT_MS": str(settings.kafka_session_timeout_ms),
        "BOTILBUD_KAFKA_HEARTBEAT_INTERVAL_MS": str(settings.kafka_heartbeat_interval_ms),
        "BOTILBUD_DATABASE_URL": settings.database_url,
        "BOTILBUD_STATS_DATABASE_URL": settings.stats_database_url,
        "BOTILBUD_TOPIC_NAMESPACE": settings.topic_namespace,
        "BOTILBUD_HTTP_PORT": "0",
        "BOTILBUD_OUTBOX_POLL_SECONDS": "0.5",
        "BOTILBUD_DEMO_DATA": "false",
        # Outside the embedded stack a process starts only with its secrets.
        "BOTILBUD_SECRET_KEY": settings.secret_key.get_secret_value(),
        "BOTILBUD_USERS_FILE": str(settings.users_file),
    })
    return env


class Instance:
    """One `botilbud run --target stats` process; output to files, never to unread pipes."""

    def __init__(self, settings, folder: Path):
        self.home = folder / "home"
        self.out, self.err = folder / "stdout.txt", folder / "stderr.txt"
        with self.out.open("w") as out, self.err.open("w") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "botilbud.cli", "run", "--target", "stats"],
                env=service_env(settings, self.home), stdout=out, stderr=err, cwd=ROOT)
        self.url: str | None = None

    async def started(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"stats exited with {self.process.returncode}: {self.err.read_text()[-2000:]}")
        run_file = self.home / "run.json"
        if run_file.exists():
            self.url = json.loads(run_file.read_text())["url"]
        return self.url is not None

    async def handled(self) -> float:
        async with httpx.AsyncClient(timeout=10) as client:
            text = (await client.get(f"{self.url}/metrics")).text
        return sum(sample.value for family in text_string_to_metric_families(text)
                   for sample in family.samples
                   if sample.name == "botilbud_events_handled_total"
                   and sample.labels == {"service": "stats", "topic": Topic.STAY.value, "outcome": "handled"})

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def a_placement() -> HouseholdPlaced:
    return HouseholdPlaced(
        stay_id=uuid.uuid4(), household_id=uuid.uuid4(), decision_id=uuid.uuid4(), office_id="nav-bodo",
        municipality="1804", provider_id=uuid.uuid4(), provider_name="Bolig Nu", provider_orgnr="974760673",
        unit_id=uuid.uuid4(), accommodation="temporary", agreement_kind="framework", price_per_night=850,
        check_in=date(2025, 3, 1), authorised_to=date(2025, 3, 31),
        household=HouseholdFacts(applicant_birth_date=date(1980, 1, 1)))


async def publish(producer: AIOKafkaProducer, topic: str, count: int) -> list[uuid.UUID]:
    ids = []
    for _ in range(count):
        envelope = Envelope.wrap(a_placement(), source="/test/scaling", correlation_id="test-scaling")
        await producer.send_and_wait(topic, envelope.body(), key=envelope.key.encode(),
                                     headers=[(k, v.encode()) for k, v in envelope.headers().items()])
        ids.append(envelope.data.stay_id)
    return ids


async def test_two_stats_processes_share_the_partitions_and_handle_each_event_once(settings, tmp_path):
    env = service_env(settings, tmp_path / "migrate-home")
    migrated = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "botilbud.cli", "migrate",
                                                        "--target", "stats"],
                                       env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert migrated.returncode == 0, migrated.stderr[-2000:]

    folders = [tmp_path / "a", tmp_path / "b"]
    for folder in folders:
        folder.mkdir()
    instances = [Instance(settings, folder) for folder in folders]
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    topic = settings.topic(Topic.STAY.value)
    db = None
    try:
        for instance in instances:
            await eventually(instance.started, within=90)
        await producer.start()
        db = await asyncpg.connect(settings.stats_database_url)

        # Warm-up: events in small batches until both processes have handled some, i.e. the group has
        # settled with both as members (the broker holds a JoinGroup for a few seconds).
        published: list[uuid.UUID] = []

        async def both_have_partitions():
            published.extend(await publish(producer, topic, 3))
            return all(await asyncio.gather(*(i.handled() for i in instances)))
        await eventually(both_have_partitions, within=120, interval=0.5)

        async def all_stored(count: int):
            async def check():
                stored = await db.fetchval("SELECT count(*) FROM stays")
                return stored if stored >= count else None
            return await eventually(check, within=60)

        await all_stored(len(published))
        before = await asyncio.gather(*(i.handled() for i in instances))

        # The group is stable now: each event must reach exactly one of the two.
        batch = await publish(producer, topic, 60)
        published += batch
        assert await all_stored(len(published)) == len(published)

        async def handled_once():
            after = await asyncio.gather(*(i.handled() for i in instances))
            deltas = [a - b for a, b in zip(after, before, strict=True)]
            return deltas if sum(deltas) >= len(batch) else None
        deltas = await eventually(handled_once, within=30)
        assert sum(deltas) == len(batch), deltas  # no event handled twice
        assert all(d > 0 for d in deltas), deltas  # both processes own partitions

        # Each event's effect is in the database once, and the inbox saw each event id once.
        stays = {r["stay_id"] for r in await db.fetch("SELECT stay_id FROM stays")}
        assert stays == set(published)
        assert await db.fetchval("SELECT count(*) FROM stays") == len(published)
        assert await db.fetchval("SELECT count(*) FROM inbox") == len(published)
    finally:
        if db is not None:
            await db.close()
        await producer.stop()
        for instance in instances:
            await asyncio.to_thread(instance.stop)
    for instance in instances:
        assert instance.process.returncode == 0, instance.err.read_text()[-2000:]
