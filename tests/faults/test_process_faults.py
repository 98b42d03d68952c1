"""Faults under steady traffic, with the four services as separate OS processes against a PostgreSQL of the
test's own: each service is killed with SIGKILL in the middle of its work and started again, and PostgreSQL is
restarted under the services' feet. Afterwards `botilbud verify` finds every invariant holding: nothing lost,
nothing doubled, every stay billed, stats equal to placement's tables, and no dead letters at all (no poison
was sent)."""

from __future__ import annotations

import asyncio
import secrets
import uuid

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from botilbud.embedded import EmbeddedPostgres
from botilbud.settings import SERVICES, Settings
from botilbud.verify import operator_token, verify_until
from tests.conftest import TANSU_QUICK_JOIN
from tests.faults.cluster import Cluster
from tests.faults.traffic import Traffic

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


@pytest.fixture(scope="module")
def own_postgres(tmp_path_factory):
    """A PostgreSQL the test may restart (the session's is shared with every other test)."""
    pg = EmbeddedPostgres(tmp_path_factory.mktemp("fault-postgres"))
    pg.start()
    yield pg
    pg.stop("immediate")


@pytest.fixture
def fault_settings(own_postgres, kafka_bootstrap, users_file, tmp_path) -> Settings:
    import os

    ns = f"f{uuid.uuid4().hex[:10]}"
    url = own_postgres.url
    return Settings(
        _env_file=None, home=tmp_path / "verify-home", kafka_bootstrap=kafka_bootstrap,
        kafka_idempotent_producer=bool(os.environ.get("BOTILBUD_TEST_KAFKA_BOOTSTRAP")),
        **({} if os.environ.get("BOTILBUD_TEST_KAFKA_BOOTSTRAP") else TANSU_QUICK_JOIN),
        topic_namespace=f"{ns}.", database_url=url, **{f"{s}_database_url": f"{url}/{ns}_{s}" for s in SERVICES},
        http_port=0, secret_key=SecretStr(secrets.token_urlsafe(32)),
        encryption_keys=SecretStr(Fernet.generate_key().decode()),
        identity_hash_key=SecretStr(secrets.token_urlsafe(32)), users_file=users_file,
        outbox_poll_seconds=0.5, consumer_retry_backoff_seconds=0.05)


@pytest.fixture
async def cluster(fault_settings, tmp_path):
    c = Cluster(fault_settings, tmp_path / "procs")
    try:
        await c.start()
        yield c
    finally:
        c.stop()


async def traffic_during(cluster: Cluster, faults) -> Traffic:
    """Run the traffic, inject the faults (an async function) in the middle of it, then stop the traffic."""
    async with cluster.client() as client:
        traffic = Traffic(client, concurrency=3)
        stop = asyncio.Event()
        running = asyncio.create_task(traffic.run(stop))
        try:
            await asyncio.sleep(3)
            await faults()
            await asyncio.sleep(3)  # traffic goes on after the last fault
        finally:
            stop.set()
            await running
    return traffic


async def assert_invariants_hold(cluster: Cluster, settings: Settings, traffic: Traffic) -> None:
    report = await verify_until(settings, 120, interval=2, address=cluster.procs["stats"].url,
                                token=operator_token(settings), bootstrap=settings.kafka_bootstrap, grace_seconds=1)
    assert report.ok, report.text() + f"\ntraffic: {dict(traffic.counts)}"
    assert report.dead_letters == [], report.dead_letters  # no poison was sent: nothing may be dead-lettered
    assert traffic.counts["changed:placement"] > 0 and traffic.counts["changed:move_out"] > 0, dict(traffic.counts)


async def test_each_service_killed_mid_work_and_restarted(cluster, fault_settings):
    async def kill_each():
        # Every service once, then the two whose work is billed twice over if it goes wrong, again.
        for services in (("placement", "billing", "stats", "intake"), ("placement", "billing")):
            for service in services:
                cluster.procs[service].kill()
                await asyncio.sleep(0.5)  # work piles up for it meanwhile (events, or calls refused)
                await cluster.restart(service)
                await asyncio.sleep(1)

    traffic = await traffic_during(cluster, kill_each)
    assert [p.starts for p in cluster.procs.values()] == [2, 3, 3, 2]  # intake, placement, billing, stats
    await assert_invariants_hold(cluster, fault_settings, traffic)


async def test_postgresql_restarted_under_traffic(cluster, fault_settings, own_postgres):
    async def restart_postgres():
        for _ in range(2):
            await asyncio.to_thread(own_postgres.stop, "immediate")  # a crash: no checkpoint, clients cut off
            await asyncio.sleep(1)
            port = own_postgres.port
            await asyncio.to_thread(own_postgres.start)
            assert own_postgres.port == port  # the same address: the services' pools reconnect to it
            await asyncio.sleep(2)

    traffic = await traffic_during(cluster, restart_postgres)
    assert all(p.process.poll() is None for p in cluster.procs.values())  # survived, not restarted
    await assert_invariants_hold(cluster, fault_settings, traffic)
