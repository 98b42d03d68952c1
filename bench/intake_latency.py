"""Intake's latency on the embedded stack (intake alone, in one process): registering an application,
deciding it, looking a household up by identity number (keyed hash + decrypt + audit), and the one-off demo
data load.

    .venv/bin/python bench/intake_latency.py [--count 200]

Prints a Markdown table (numbers go in docs/intake.md)."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from botilbud.embedded import EmbeddedKafka, EmbeddedPostgres  # noqa: E402
from botilbud.settings import SERVICES, Settings  # noqa: E402
from botilbud.stack import DEMO_PASSWORD, definitions, demo_users  # noqa: E402
from kit import clock
from kit.auth import UserDirectory  # noqa: E402
from kit.logging import configure_logging  # noqa: E402
from kit.runtime import Runtime  # noqa: E402
from services.intake.bootstrap import bus_for, uow_factory_for  # noqa: E402
from services.intake.domain.identity import synthetic_identity_number  # noqa: E402
from services.intake.service_layer import demo  # noqa: E402


def synthetic_numbers(count: int) -> list[str]:
    return [synthetic_identity_number(date(1960, 1, 2) + timedelta(days=i), 100) for i in range(count)]


def summary(samples: list[float]) -> str:
    q = statistics.quantiles(sorted(samples), n=100, method="inclusive")
    return f"{len(samples)} | {q[49] * 1000:.1f} | {q[94] * 1000:.1f} | {max(samples) * 1000:.1f}"


async def main(count: int) -> None:
    configure_logging("WARNING", json=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pg = EmbeddedPostgres(tmp / "pg")
        kafka = EmbeddedKafka(tmp / "kafka.log")
        pg_url = await asyncio.to_thread(pg.start)
        bootstrap = kafka.start()
        users = tmp / "users.json"
        UserDirectory.write(users, [(u, DEMO_PASSWORD) for u in demo_users()])
        ns = f"b{uuid.uuid4().hex[:8]}"
        settings = Settings(
            _env_file=None, home=tmp / "home", kafka_bootstrap=bootstrap, topic_namespace=f"{ns}.",
            database_url=pg_url, **{f"{s}_database_url": f"{pg_url}/{ns}_{s}" for s in SERVICES}, http_port=0,
            secret_key=SecretStr(secrets.token_urlsafe(32)), encryption_keys=SecretStr(Fernet.generate_key().decode()),
            identity_hash_key=SecretStr(secrets.token_urlsafe(32)), users_file=users, demo_data=False)
        runtime = Runtime(settings, definitions("intake"), bootstrap=bootstrap, users=UserDirectory.load(users),
                          secret=settings.secret_key.get_secret_value())
        await runtime.start()
        try:
            factory = uow_factory_for(runtime.pools["intake"], settings)
            started = time.perf_counter()
            households = await demo.load_demo_data(bus_for(runtime.pools["intake"], settings), factory)
            demo_seconds = time.perf_counter() - started
            register, decide, lookup = [], [], []
            today = clock.today()
            async with httpx.AsyncClient(base_url=runtime.url, timeout=30) as client:
                token = (await client.post("/api/token", data={"username": "veileder-bodo",
                                                               "password": DEMO_PASSWORD})).json()["access_token"]
                auth = {"Authorization": f"Bearer {token}"}
                for number in synthetic_numbers(count):
                    t = time.perf_counter()
                    r = await client.post("/intake/api/applications", headers=auth, json={
                        "identity_number": number, "name": "Bench Person", "office_id": "nav-bodo", "urgent": True})
                    register.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    await client.post(f"/intake/api/applications/{r.json()['application_id']}/decision",
                                      headers=auth, json={"outcome": "granted", "period_from": str(today),
                                                          "period_to": str(today + timedelta(days=30))})
                    decide.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    await client.post("/intake/api/households/lookup", headers=auth,
                                      json={"identity_number": number, "purpose": "bench"})
                    lookup.append(time.perf_counter() - t)
        finally:
            await runtime.stop()
            kafka.stop()
            await asyncio.to_thread(pg.stop)
    print("Intake alone on the embedded stack, sequential requests over HTTP.")
    print()
    print("| operation | n | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|")
    print(f"| register application | {summary(register)} |")
    print(f"| decide (granted, takes effect, event to outbox) | {summary(decide)} |")
    print(f"| lookup by identity number (hash, decrypt, audit) | {summary(lookup)} |")
    print()
    print(f"Demo data: {households} households with their decisions loaded in {demo_seconds:.2f} s.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    asyncio.run(main(parser.parse_args().count))
