"""Placement numbers: matching over the whole demo data set (pure), and placements under contention against the
embedded stack (real PostgreSQL and broker). Run: .venv/bin/python -m bench.placement_bench"""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from pydantic import SecretStr

from botilbud.embedded import EmbeddedKafka, EmbeddedPostgres
from botilbud.settings import SERVICES, Settings
from botilbud.stack import DEMO_PASSWORD, definitions, demo_users
from kit import clock
from kit.auth import UserDirectory
from kit.runtime import Runtime
from services.placement.domain import matching, model, reference

REFERENCE = Path(__file__).resolve().parents[1] / "demo" / "reference.json"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def bench_matching() -> dict:
    found = reference.providers(json.loads(REFERENCE.read_text()))  # the demo data as placement loads it
    candidates = [matching.Candidate(r.provider, u) for r in found for u in r.units]
    today = date(2026, 11, 26)
    family = model.GrantedDecision(uuid.uuid4(), uuid.uuid4(), "nav-grunerlokka", "0301", None, "granted", today,
                                   today + timedelta(days=30),
                                   model.HouseholdFacts(date(1990, 1, 1), (date(2019, 1, 1),), 2, {}))
    runs = []
    for _ in range(200):
        started = time.perf_counter()
        fits, _left = matching.match(family, candidates, check_in=today, today=today)
        runs.append((time.perf_counter() - started) * 1000)
    return {"units": len(candidates), "fits": len(fits), "p50_ms": round(statistics.median(runs), 2),
            "p95_ms": round(pct(runs, 95), 2)}


async def bench_contention(households: int = 40, units: int = 10) -> dict:
    home = Path(tempfile.mkdtemp(prefix="placement-bench-"))
    pg = EmbeddedPostgres(home / "pg")
    pg_url = pg.start()
    broker = EmbeddedKafka(home / "tansu.log")
    bootstrap = broker.start()
    users_file = home / "users.json"
    UserDirectory.write(users_file, [(u, DEMO_PASSWORD) for u in demo_users()])
    settings = Settings(
        _env_file=None, home=home / "home", kafka_bootstrap=bootstrap, topic_namespace="bench.",
        database_url=pg_url, **{f"{s}_database_url": f"{pg_url}/bench_{s}" for s in SERVICES}, http_port=0,
        secret_key=SecretStr(secrets.token_urlsafe(32)), encryption_keys=SecretStr(Fernet.generate_key().decode()),
        identity_hash_key=SecretStr(secrets.token_urlsafe(32)), users_file=users_file, outbox_poll_seconds=0.5,
        demo_data=True)
    runtime = Runtime(settings, definitions("all"), bootstrap=bootstrap, users=UserDirectory.load(users_file),
                      secret=settings.secret_key.get_secret_value())
    await runtime.start()
    try:
        from tests.placement.helpers import grant, orgnr

        today = clock.today()
        async with httpx.AsyncClient(base_url=runtime.url, timeout=60) as client:
            token = (await client.post("/api/token", data={"username": "veileder-grunerlokka",
                                                           "password": DEMO_PASSWORD})).json()["access_token"]
            worker = {"Authorization": f"Bearer {token}"}
            token = (await client.post("/api/token", data={"username": "admin", "password": DEMO_PASSWORD})).json()
            admin = {"Authorization": f"Bearer {token['access_token']}"}
            p = (await client.post("/placement/api/providers", headers=admin, json={
                "name": "Benkhuset", "orgnr": orgnr(), "kind": "private", "municipality": "0301",
                "address": "Benkveien 1", "agreement": {"kind": "framework", "price_per_night": 700,
                                                        "target_groups": ["singles_couples"]}})).json()
            unit_ids = [(await client.post(f"/placement/api/providers/{p['provider_id']}/units", headers=admin,
                                           json={"name": f"Rom {i}", "beds": 1, "facilities": {
                                               "own_bath": True, "kitchen": "own", "laundry": True,
                                               "visits_allowed": True}})).json()["unit_id"] for i in range(units)]
            decisions = [await grant(client, worker, period_from=today, period_to=today + timedelta(days=10),
                                     birth=date(1980, 1, 1) + timedelta(days=i)) for i in range(households)]
            match_ms = []
            for d in decisions[:10]:
                started = time.perf_counter()
                r = await client.get(f"/placement/api/decisions/{d['decision_id']}/matches", headers=worker)
                match_ms.append((time.perf_counter() - started) * 1000)
                assert r.status_code == 200

            async def place(i, d):
                started = time.perf_counter()
                r = await client.post("/placement/api/stays", headers=worker, json={
                    "decision_id": d["decision_id"], "unit_id": unit_ids[i % units], "check_in": str(today)})
                return r.status_code, (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            results = await asyncio.gather(*(place(i, d) for i, d in enumerate(decisions)))
            wall = time.perf_counter() - started
        codes = [c for c, _ in results]
        ms = [m for _, m in results]
        return {"households": households, "units": units, "created": codes.count(201), "conflicts": codes.count(409),
                "other": len(codes) - codes.count(201) - codes.count(409), "wall_s": round(wall, 2),
                "place_p50_ms": round(statistics.median(ms), 1), "place_p95_ms": round(pct(ms, 95), 1),
                "matches_p50_ms": round(statistics.median(match_ms), 1)}
    finally:
        await runtime.stop()
        broker.stop()
        pg.stop("immediate")
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps({"matching": bench_matching(), "contention": asyncio.run(bench_contention())}, indent=2))
