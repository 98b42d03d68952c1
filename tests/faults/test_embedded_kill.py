"""The all-in-one embedded stack — `botilbud run`: the four services in one process, the embedded PostgreSQL
and the in-memory Tansu broker — killed with SIGKILL three times under steady traffic and started again each
time. Every start meets a fresh, empty broker: the outboxes refill it, the inboxes drop what was handled
already, and the dead letters are kept in the services' databases. Afterwards `botilbud verify` finds nothing
lost and nothing doubled, and the dead letters recorded before the first kill are still reported."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from botilbud.embedded import EmbeddedPostgres, free_port
from botilbud.settings import SERVICES, Settings
from botilbud.verify import operator_token, resolve, verify, verify_until
from contracts import Envelope, HouseholdMovedOut, Topic
from tests.conftest import eventually
from tests.faults.traffic import Traffic

# It starts its own embedded broker and database, so the Apache Kafka lane leaves it out.
pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.embedded_stack]

KILLS = 3


class EmbeddedRun:
    """`botilbud run` in a BOTILBUD_HOME of its own, on one fixed HTTP port across restarts."""

    def __init__(self, home: Path, log: Path):
        self.home = home
        self.log = log
        self.port = free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("BOTILBUD_")}
        self.env.update({"BOTILBUD_HOME": str(home), "BOTILBUD_HTTP_PORT": str(self.port),
                         "BOTILBUD_LOG_JSON": "true", "BOTILBUD_OUTBOX_POLL_SECONDS": "0.5",
                         "BOTILBUD_CONSUMER_RETRY_BACKOFF_SECONDS": "0.05"})
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        (self.home / "run.json").unlink(missing_ok=True)  # a killed process leaves its run file behind
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "botilbud.cli", "run"], env=self.env, stdout=out,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.starts += 1

    async def ready(self, within: float = 180.0) -> dict:
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(timeout=5) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"botilbud run exited with {self.process.returncode}; see {self.log}")
                run_file = self.home / "run.json"
                with contextlib.suppress(ValueError, KeyError, OSError, httpx.HTTPError):
                    run = json.loads(run_file.read_text())
                    if run["pid"] == self.process.pid and (await client.get(f"{self.url}/readyz")).status_code == 200:
                        return run
                await asyncio.sleep(0.2)
        raise TimeoutError(f"botilbud run not ready after {within} s; see {self.log}")

    def kill(self) -> None:
        """SIGKILL: no shutdown at all. The embedded PostgreSQL lives on; the broker is stopped by the next start."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()
        EmbeddedPostgres(self.home).stop("immediate")  # whatever a failed run left behind
        with contextlib.suppress(OSError, ValueError):
            os.kill(int((self.home / "kafka.pid").read_text()), signal.SIGTERM)


@pytest.fixture
def embedded(tmp_path):
    run = EmbeddedRun(tmp_path / "home", tmp_path / "botilbud-run.log")
    try:
        yield run
    finally:
        run.stop()


async def send_poison(bootstrap: str) -> dict[tuple[str, str], str]:
    """A move-out of a stay nobody placed (billing's handler fails on it) and a body that breaks the contract
    (billing and stats, who both read the stay topic, refuse it). Returns (service, event id) → reason."""
    orphan = Envelope.wrap(HouseholdMovedOut(stay_id=uuid.uuid4(), household_id=uuid.uuid4(),
                                             check_out=date(2025, 3, 1), destination="unknown"),
                           source="/faults/embedded", correlation_id="faults-embedded-orphan")
    broken = str(uuid.uuid4())
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(Topic.STAY.value, orphan.body(), key=orphan.key.encode(),
                                     headers=[(k, v.encode()) for k, v in orphan.headers().items()])
        await producer.send_and_wait(Topic.STAY.value, b'{"stay_id": "not a uuid"}', key=b"poison", headers=[
            ("ce_id", broken.encode()), ("ce_type", HouseholdMovedOut.event_type.encode()),
            ("ce_source", b"/faults/embedded"), ("ce_specversion", b"1.0")])
    finally:
        await producer.stop()
    return {("billing", str(orphan.id)): "handler_failed", ("billing", broken): "schema_violation",
            ("stats", broken): "schema_violation"}


def republished(url: str) -> int:
    """Events the relays of the running process have published again to its fresh broker (its /metrics)."""
    text = httpx.get(f"{url}/metrics", timeout=10).text
    return int(sum(float(line.split()[-1]) for line in text.splitlines()
                   if line.startswith("botilbud_outbox_republished_total{")))


async def republish_done(settings: Settings) -> bool:
    """No service database has a republish under way (kit/outbox.py)."""
    for service in SERVICES:
        conn = await asyncpg.connect(settings.service_database_url(service))
        try:
            if await conn.fetchval("SELECT count(*) FROM outbox_republish"):
                return False
        finally:
            await conn.close()
    return True


def letters(report) -> dict[tuple[str, str], str]:
    return {(d["service"], d["event_id"]): d["reason"] for d in report.dead_letters}


async def test_the_embedded_stack_killed_three_times_under_traffic_loses_nothing(embedded):
    embedded.start()
    run = await embedded.ready()
    settings, address, _ = resolve(Settings(_env_file=None, home=embedded.home), embedded.url)
    poison = await send_poison(run["kafka_bootstrap"])

    async def recorded():
        report = await verify(settings, address=address, token=operator_token(settings),
                              bootstrap=run["kafka_bootstrap"], grace_seconds=600)
        return letters(report) == poison
    await eventually(recorded, within=60, interval=1)

    async with httpx.AsyncClient(base_url=embedded.url, timeout=15) as client:
        traffic = Traffic(client, concurrency=3)
        stop = asyncio.Event()
        running = asyncio.create_task(traffic.run(stop))
        refilled = []  # events republished by each start after a kill
        try:
            for _ in range(KILLS):
                await asyncio.sleep(6)  # traffic in full flow: events in the outboxes, the broker, the consumers
                embedded.kill()
                embedded.start()
                run = await embedded.ready()
                await eventually(lambda: republish_done(settings), within=120, interval=0.5)
                refilled.append(await asyncio.to_thread(republished, embedded.url))
            await asyncio.sleep(4)  # and on after the last start
        finally:
            stop.set()
            await running

    settings, address, bootstrap = resolve(Settings(_env_file=None, home=embedded.home), embedded.url)
    assert bootstrap == run["kafka_bootstrap"]  # the last start's broker
    report = await verify_until(settings, 180, interval=2, address=address, token=operator_token(settings),
                                bootstrap=bootstrap, grace_seconds=1)
    assert embedded.starts == KILLS + 1
    assert report.ok, report.text() + f"\ntraffic: {dict(traffic.counts)}"
    assert letters(report) == poison, report.dead_letters  # kept across three fresh brokers; nothing else
    assert traffic.counts["changed:placement"] > 0 and traffic.counts["changed:move_out"] > 0, dict(traffic.counts)
    assert all(refilled), refilled  # every start after a kill refilled its fresh broker from the outboxes
    print(f"\nembedded stack killed {KILLS} times; events republished per start {refilled}\n{report.text()}"
          f"\ntraffic: {dict(traffic.counts)}")
