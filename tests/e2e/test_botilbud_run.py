"""`botilbud run` as a user starts it: one command, one address with every service's health, readiness and
metrics and the login page; Ctrl-C stops everything, the database and the broker too. Killed outright, it
starts again with its records — and with its dead letters, though the broker it starts is a fresh one."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import httpx
import psutil
import pytest
from aiokafka import AIOKafkaProducer

from contracts import Envelope, HouseholdMovedOut, Topic

# It starts its own embedded broker and database, so the Apache Kafka lane leaves it out.
pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.embedded_stack]


def wait_for_run_file(path: Path, process: subprocess.Popen, within: float = 60.0) -> dict:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"botilbud run exited early with {process.returncode}")
        if path.exists():
            return json.loads(path.read_text())
        time.sleep(0.2)
    raise AssertionError(f"botilbud run did not come up within {within} s")


def test_botilbud_run_serves_everything_and_stops_on_ctrl_c(tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "BOTILBUD_HOME": str(home), "BOTILBUD_HTTP_PORT": "0"}
    env.pop("BOTILBUD_TEST_KAFKA_BOOTSTRAP", None)
    started = time.monotonic()
    # Output to files, not pipes: an unread pipe fills up and blocks the server's logging.
    out_file, err_file = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out_file.open("w") as out, err_file.open("w") as err:
        process = subprocess.Popen([sys.executable, "-m", "botilbud.cli", "run"], env=env, stdout=out, stderr=err)
    try:
        run = wait_for_run_file(home / "run.json", process)
        assert time.monotonic() - started < 60
        url = run["url"]
        assert url.startswith("http://127.0.0.1:")
        assert run["services"] == ["intake", "placement", "billing", "stats"]
        assert httpx.get(f"{url}/healthz", timeout=30).json() == {"status": "ok"}
        ready = httpx.get(f"{url}/readyz", timeout=30)
        assert ready.status_code == 200, ready.text
        assert {"database:intake", "database:stats", "broker:placement"} <= set(ready.json()["checks"])
        metrics = httpx.get(f"{url}/metrics", timeout=30).text
        assert 'botilbud_outbox_backlog{service="placement"}' in metrics  # the demo providers went out
        login_page = httpx.get(f"{url}/login", timeout=30)
        assert login_page.status_code == 200 and "Logg inn" in login_page.text
        assert httpx.get(f"{url}/intake/", follow_redirects=False, timeout=30).status_code == 303  # pages need a login
        # Other commands find the running system without flags.
        status = subprocess.run([sys.executable, "-m", "botilbud.cli", "status"], env=env, capture_output=True,
                                text=True, timeout=30)
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["url"] == url
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    assert process.returncode == 0, err_file.read_text()[-2000:]
    assert f"Botilbud kjører på {url}" in out_file.read_text()
    assert not (home / "run.json").exists()
    assert not (home / "pgdata" / "postmaster.pid").exists()  # PostgreSQL was stopped
    gone = subprocess.run([sys.executable, "-m", "botilbud.cli", "status"], env=env, capture_output=True,
                          text=True, timeout=30)
    assert gone.returncode != 0 and "No running system found" in gone.stderr


ROOT = Path(__file__).resolve().parents[2]


def send_orphan_move_out(bootstrap: str) -> str:
    """A move-out of a stay nobody placed: billing's handler fails on it, and it is dead-lettered."""
    orphan = Envelope.wrap(HouseholdMovedOut(stay_id=uuid.uuid4(), household_id=uuid.uuid4(),
                                             check_out=date(2025, 3, 1), destination="unknown"),
                           source="/test/killed", correlation_id="test-killed")

    async def send():
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(Topic.STAY.value, orphan.body(), key=orphan.key.encode(),
                                         headers=[(k, v.encode()) for k, v in orphan.headers().items()])
        finally:
            await producer.stop()
    asyncio.run(send())
    return str(orphan.id)


def dead_letters(env: dict) -> list[dict]:
    """billing's dead letters as the runbook's tool lists them next to `botilbud run` (no settings needed)."""
    listed = subprocess.run([sys.executable, "deploy/replay_dead_letters.py", "billing"], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    return [json.loads(line) for line in listed.stdout.splitlines()]


def test_a_killed_stack_starts_again_with_its_records(tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "BOTILBUD_HOME": str(home), "BOTILBUD_HTTP_PORT": "0"}
    env.pop("BOTILBUD_TEST_KAFKA_BOOTSTRAP", None)
    command = [sys.executable, "-m", "botilbud.cli", "run"]
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = wait_for_run_file(home / "run.json", first)["url"]
        token = httpx.post(f"{url}/api/token", data={"username": "veileder-asker", "password": "demo"}).json()
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        created = httpx.post(f"{url}/intake/api/applications", headers=auth, json={
            "identity_number": "15108695088", "name": "Kari Nordmann", "office_id": "nav-asker"})
        assert created.status_code == 201, created.text
        broker_pid = int((home / "kafka.pid").read_text())
        poison = send_orphan_move_out(wait_for_run_file(home / "run.json", first)["kafka_bootstrap"])
        deadline = time.monotonic() + 60
        while not [d for d in dead_letters(env) if d["event_id"] == poison] and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        first.kill()  # SIGKILL: no clean-up at all
        first.wait()
    (home / "run.json").unlink()  # left behind by the killed process

    second = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = wait_for_run_file(home / "run.json", second)["url"]
        token = httpx.post(f"{url}/api/token", data={"username": "veileder-asker", "password": "demo"}).json()
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        cases = httpx.get(f"{url}/intake/api/applications", headers=auth,
                          params={"page_size": 200}).json()["items"]
        assert created.json()["application_id"] in [c["id"] for c in cases]
        assert not psutil.pid_exists(broker_pid) or psutil.Process(broker_pid).status() == psutil.STATUS_ZOMBIE
        # The dead letter from before the kill is still there, and `botilbud verify` reports it.
        assert [(d["event_id"], d["reason"]) for d in dead_letters(env)] == [(poison, "handler_failed")]
        verified = subprocess.run([sys.executable, "-m", "botilbud.cli", "verify", "--within", "60"], env=env,
                                  capture_output=True, text=True, timeout=180)
        assert "dead letters: billing:handler_failed 1" in verified.stdout, verified.stdout + verified.stderr
    finally:
        second.send_signal(signal.SIGINT)
        second.communicate(timeout=60)
    assert second.returncode == 0


async def counts(home: Path) -> dict[str, int]:
    """Rows of what a municipality brings (offices, providers, households, stays) in each service's database."""
    import asyncpg

    from botilbud.settings import Settings
    from botilbud.verify import with_databases

    settings = with_databases(Settings(_env_file=None, home=home))
    out = {}
    for service, tables in {"intake": ("offices", "households", "applications"),
                            "placement": ("offices", "providers", "units", "decisions", "stays"),
                            "billing": ("offices", "requisitions"), "stats": ("offices", "providers", "stays")}.items():
        conn = await asyncpg.connect(settings.service_database_url(service))
        try:
            for table in tables:
                out[f"{service}.{table}"] = await conn.fetchval(f"SELECT count(*) FROM {table}")
        finally:
            await conn.close()
    return out


def test_an_empty_start_has_nothing_but_one_administrator_whose_password_is_shown_once(tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "BOTILBUD_HOME": str(home), "BOTILBUD_HTTP_PORT": "0", "BOTILBUD_DEMO_DATA": "false"}
    env.pop("BOTILBUD_TEST_KAFKA_BOOTSTRAP", None)
    outputs, urls = [], []
    for start in range(2):
        out_file = tmp_path / f"stdout-{start}.txt"
        with out_file.open("w") as out:
            process = subprocess.Popen([sys.executable, "-m", "botilbud.cli", "run"], env=env, stdout=out,
                                       stderr=subprocess.DEVNULL)
        try:
            url = wait_for_run_file(home / "run.json", process)["url"]
            urls.append(url)
            stored = home / "admin-password"
            assert stored.stat().st_mode & 0o777 == 0o600
            password = stored.read_text().strip()
            token = httpx.post(f"{url}/api/token", data={"username": "admin", "password": password}, timeout=30)
            assert token.status_code == 200, token.text
            admin = {"Authorization": f"Bearer {token.json()['access_token']}"}
            assert httpx.get(f"{url}/intake/api/offices", headers=admin, timeout=30).json() == []
            assert httpx.get(f"{url}/placement/api/providers", headers=admin, timeout=30).json()["items"] == []
            for demo_user in ("veileder-grunerlokka", "okonomi", "drift", "stab-oslo"):
                refused = httpx.post(f"{url}/api/token", data={"username": demo_user, "password": "demo"}, timeout=30)
                assert refused.status_code == 401, demo_user
            assert set(asyncio.run(counts(home)).values()) == {0}
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)
        assert process.returncode == 0
        outputs.append(out_file.read_text())
    first, second = outputs
    assert first.count(password) == 1 and password not in second  # shown once, at the first start
    assert first.index(password) < first.index(f"Botilbud kjører på {urls[0]}")  # the address comes last
    assert "Demobrukere" not in first


def test_an_empty_start_with_an_identity_provider_makes_no_local_administrator(tmp_path):
    """With an identity provider the first administrator is the provider's (docs/operations.md): the embedded
    stack then makes no `admin` with a password, and no password logs in. The provider need not answer for that:
    the stack starts and says so in its log."""
    home = tmp_path / "home"
    env = {**os.environ, "BOTILBUD_HOME": str(home), "BOTILBUD_HTTP_PORT": "0", "BOTILBUD_DEMO_DATA": "false",
           "BOTILBUD_OIDC_ISSUER": "http://127.0.0.1:9/realms/botilbud"}
    env.pop("BOTILBUD_TEST_KAFKA_BOOTSTRAP", None)
    out_file = tmp_path / "stdout.txt"
    with out_file.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "botilbud.cli", "run"], env=env, stdout=out,
                                   stderr=subprocess.DEVNULL)
    try:
        url = wait_for_run_file(home / "run.json", process)["url"]
        assert not (home / "admin-password").exists()
        assert not (home / "users.json").exists()
        refused = httpx.post(f"{url}/api/token", data={"username": "admin", "password": "demo"}, timeout=30)
        assert refused.status_code == 400 and "passord er slått av" in refused.json()["detail"], refused.text
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    assert process.returncode == 0
    console = out_file.read_text()
    assert "admin-password" not in console and f"Botilbud kjører på {url}" in console
