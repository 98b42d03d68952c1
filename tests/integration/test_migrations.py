"""Migrations at start-up, several at once: every process migrates its databases when it starts, and replicas
start together. Processes — and runtimes in one process — migrating the same empty databases at the same time
all succeed, one after the other (an advisory lock per database, and one on the server around creating it),
and every database ends at the head of the kit's chain and of its service's chain, with every table there."""

import asyncio
import os
import subprocess
import sys
import time
import uuid

import asyncpg
import pytest
from alembic.script import ScriptDirectory

from botilbud.settings import SERVICES
from botilbud.stack import definition
from kit.migrations import KIT_VERSION_TABLE, KIT_VERSIONS, alembic_config, migrate

pytestmark = pytest.mark.integration

KIT_TABLES = {"outbox", "inbox", "dead_letters", "outbox_republish", "retention"}


def head(url: str, versions, version_table: str = "alembic_version") -> str:
    return ScriptDirectory.from_config(alembic_config(url, versions, version_table)).get_current_head()


async def assert_migrated(url: str, service: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        assert await conn.fetch("SELECT version_num FROM alembic_version") == [
            (head(url, definition(service).migrations),)]
        assert await conn.fetch(f"SELECT version_num FROM {KIT_VERSION_TABLE}") == [  # noqa: S608
            (head(url, KIT_VERSIONS, KIT_VERSION_TABLE),)]
        tables = {r[0] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        assert KIT_TABLES <= tables
    finally:
        await conn.close()


# A replica starting: its runtime, built and imported first, migrates at the agreed instant — as processes
# started together by an orchestrator reach their migrations together.
REPLICA = """
import asyncio, sys, time
from botilbud.settings import Settings
from botilbud.stack import definitions
from kit.runtime import Runtime

runtime = Runtime(Settings(), definitions("all"), bootstrap="unused", users=None, secret="unused")
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
asyncio.run(runtime.migrate())
"""


async def test_processes_migrating_the_same_empty_databases_at_once_all_succeed(pg_url, tmp_path):
    ns = f"m{uuid.uuid4().hex[:8]}"
    urls = {s: f"{pg_url}/{ns}_{s}" for s in SERVICES}
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOTILBUD_")}
    env.update({"BOTILBUD_DATABASE_URL": pg_url, "BOTILBUD_HOME": str(tmp_path),
                **{f"BOTILBUD_{s.upper()}_DATABASE_URL": url for s, url in urls.items()}})
    at = str(time.time() + 10)  # after every replica has imported everything
    replicas = [subprocess.Popen([sys.executable, "-c", REPLICA, at], env=env,  # noqa: S603, ASYNC220 - at once
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outcomes = [await asyncio.to_thread(p.communicate, timeout=300) for p in replicas]
    for replica, (_, err) in zip(replicas, outcomes, strict=True):
        assert replica.returncode == 0, err[-3000:]
    for service, url in urls.items():
        await assert_migrated(url, service)
    # `botilbud migrate` on the migrated databases: nothing to do.
    again = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "botilbud.cli", "migrate"], env=env,
                                    capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stdout.splitlines() == [f"{s}: migrated" for s in SERVICES]


async def test_runtimes_in_one_process_migrating_one_empty_database_at_once_all_succeed(pg_url):
    url = f"{pg_url}/m{uuid.uuid4().hex[:8]}_placement"
    await asyncio.gather(*(migrate(url, definition("placement").migrations) for _ in range(5)))
    await assert_migrated(url, "placement")
    await migrate(url, definition("placement").migrations)  # and again later: nothing to do, nothing breaks
    await assert_migrated(url, "placement")
