"""Apache Kafka stopped and started again, and killed outright and started again, under steady traffic: the
outbox relays hold their events until the broker is back, the consumers rejoin, and every invariant holds.
Apache Kafka lane only (see conftest.py): this test runs its own broker, so it can restart it."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import httpx
import pytest

from botilbud.embedded import free_port_pair
from botilbud.stack import definitions
from botilbud.verify import operator_token, verify_until
from kit.auth import UserDirectory
from kit.runtime import Runtime
from tests.faults.traffic import Traffic

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.kafka_restart]

KAFKA_SH = Path(__file__).resolve().parents[2] / "deploy" / "apache-kafka" / "kafka.sh"


def kafka(*args) -> str:
    done = subprocess.run(["bash", str(KAFKA_SH), *map(str, args)], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


@pytest.fixture
def own_kafka(tmp_path):
    folder = tmp_path / "kafka"
    bootstrap = kafka("start", free_port_pair(), folder)
    yield bootstrap, folder
    kafka("stop", folder)


async def test_apache_kafka_restarted_and_killed_under_traffic(settings, own_kafka):
    bootstrap, folder = own_kafka
    settings = settings.model_copy(update={"kafka_bootstrap": bootstrap, "kafka_idempotent_producer": True})
    runtime = Runtime(settings, definitions("all"), bootstrap=bootstrap, users=UserDirectory.load(settings.users_file),
                      secret=settings.secret_key.get_secret_value())
    await runtime.start()
    try:
        async with httpx.AsyncClient(base_url=runtime.url, timeout=20) as client:
            traffic = Traffic(client, concurrency=3)
            stop = asyncio.Event()
            running = asyncio.create_task(traffic.run(stop))
            try:
                await asyncio.sleep(3)
                await asyncio.to_thread(kafka, "restart", folder)  # orderly
                await asyncio.sleep(5)
                await asyncio.to_thread(kafka, "kill", folder)  # a crash
                await asyncio.to_thread(kafka, "restart", folder)
                await asyncio.sleep(5)
            finally:
                stop.set()
                await running
        report = await verify_until(settings, 120, interval=2, address=runtime.url, token=operator_token(settings),
                                    bootstrap=bootstrap, grace_seconds=1)
        assert report.ok, report.text() + f"\ntraffic: {dict(traffic.counts)}"
        assert report.dead_letters == []
        assert traffic.counts["changed:placement"] > 0 and traffic.counts["changed:move_out"] > 0, dict(traffic.counts)
    finally:
        await runtime.stop()
