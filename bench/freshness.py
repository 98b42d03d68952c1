"""End-to-end freshness and memory of the embedded stack.

Freshness: the time from the placement API's 201 response to the moment stats shows the stay (its row in
stats' projection, which the KOSTRA query reads), at a steady rate of placements, beside the broker's raw
produce→consume round trip measured in the same run at the same rate. Memory: resident set size of the
whole system in one process, of each service in a process of its own, of PostgreSQL and of the broker, idle.

    python -m bench.freshness [--rate 20] [--seconds 10]

Writes a Markdown summary to stdout (pasted into bench/RESULTS.md)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx
import psutil
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from cryptography.fernet import Fernet

from botilbud.embedded import EmbeddedKafka, EmbeddedPostgres
from botilbud.settings import Settings
from botilbud.stack import DEMO_PASSWORD, write_demo_users
from kit import clock
from services.intake.domain.identity import synthetic_identity_number

SERVICES = ("intake", "placement", "billing", "stats")


def synthetic_identity_numbers(count: int) -> list[str]:
    """Synthetic (Tenor) identity numbers for made-up adults: one per birth date from 1970 on."""
    return [synthetic_identity_number(date(1970, 1, 2) + timedelta(days=i)) for i in range(count)]


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"n": len(ordered), "p50": q[49], "p95": q[94], "p99": q[98], "max": ordered[-1]}


def start_process(env: dict, home: Path, target: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "botilbud.cli", "run", "--target", target],
                            env={**env, "BOTILBUD_HOME": str(home)}, stdout=subprocess.DEVNULL,
                            stderr=open(home / f"{target}.log", "w"))  # noqa: SIM115
    run_file = home / "run.json"
    deadline = time.monotonic() + 90
    while not run_file.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{target} did not start; see {home / f'{target}.log'}")
        time.sleep(0.1)
    return proc, json.loads(run_file.read_text())["url"]


def stop_process(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(60)


def rss_mb(pids: list[int]) -> float:
    return sum(psutil.Process(p).memory_info().rss for p in pids if psutil.pid_exists(p)) / 2**20


def postgres_pids(data: Path) -> list[int]:
    postmaster = int((data / "postmaster.pid").read_text().splitlines()[0])
    parent = psutil.Process(postmaster)
    return [postmaster] + [c.pid for c in parent.children()]


async def raw_round_trip(bootstrap: str, rate: float, seconds: float) -> list[float]:
    topic = f"bench.roundtrip.{uuid.uuid4().hex[:6]}"
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=2)
    # Configured as the services' consumers are (BOTILBUD_KAFKA_FETCH_MAX_WAIT_MS), so the two compare.
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"bench-{uuid.uuid4()}",
                                auto_offset_reset="earliest",
                                fetch_max_wait_ms=Settings(_env_file=None).kafka_fetch_max_wait_ms)
    await producer.start()
    await producer.send_and_wait(topic, b"warm-up")
    await consumer.start()
    sent: dict[bytes, float] = {}
    got: list[float] = []

    async def receive():
        async for record in consumer:
            if record.value in sent:
                got.append(time.perf_counter() - sent.pop(record.value))

    receiver = asyncio.create_task(receive())
    await asyncio.sleep(1)
    t0 = time.perf_counter()
    for i in range(int(rate * seconds)):
        key = f"m{i}".encode()
        sent[key] = time.perf_counter()
        await producer.send_and_wait(topic, key, key=key)
        await asyncio.sleep(max(0.0, t0 + (i + 1) / rate - time.perf_counter()))
    deadline = time.perf_counter() + 10
    while sent and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)
    receiver.cancel()
    await producer.stop()
    await consumer.stop()
    return got


async def freshness(url: str, stats_db: str, rate: float, seconds: float) -> tuple[list[float], list[float]]:
    total = int(rate * seconds)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        token = (await client.post("/api/token", data={"username": "veileder-grunerlokka",
                                                        "password": DEMO_PASSWORD})).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        leader_token = (await client.post("/api/token", data={"username": "leder-grunerlokka",
                                                               "password": DEMO_PASSWORD})).json()["access_token"]
        leader = {"Authorization": f"Bearer {leader_token}"}
        today = clock.today()
        decisions = []
        for number in synthetic_identity_numbers(total):
            a = (await client.post("/intake/api/applications", headers=auth, json={
                "identity_number": number, "name": "Bench Person", "office_id": "nav-grunerlokka"})).json()
            d = (await client.post(f"/intake/api/applications/{a['application_id']}/decision", headers=auth,
                                   json={"outcome": "granted", "period_from": str(today - timedelta(days=3)),
                                         "period_to": str(today + timedelta(days=30))})).json()
            # Grünerløkka requires a leader's second approval before a decision takes effect.
            (await client.post(f"/intake/api/decisions/{d['decision_id']}/approval", headers=leader)).raise_for_status()
            decisions.append(d["decision_id"])
        wanted = set(decisions)
        while not wanted <= {d["decision_id"] for d in
                             (await client.get("/placement/api/decisions/awaiting-place", headers=auth)).json()}:
            await asyncio.sleep(0.2)
        # Each household gets the best free place that fits it by placement's matching (a distinct unit each).
        plan, taken = [], set()
        for decision_id in decisions:
            fits = (await client.get(f"/placement/api/decisions/{decision_id}/matches", headers=auth,
                                     params={"check_in": str(today - timedelta(days=1))})).json()["fits"]
            best = next((f for f in fits if f["unit_id"] not in taken), None)
            if best is None:
                break
            taken.add(best["unit_id"])
            plan.append((decision_id, best["unit_id"], "Benchmark." if best["needs_justification"] else None))
        if len(plan) < total:
            raise RuntimeError(f"only {len(plan)} places fit {total} households; lower --seconds")
        conn = await asyncpg.connect(stats_db)
        responded: dict[str, float] = {}
        fresh: list[float] = []
        api_latency: list[float] = []

        async def watch():
            while True:
                if responded:
                    rows = await conn.fetch("SELECT stay_id::text FROM stays WHERE stay_id = ANY($1::uuid[])",
                                            list(responded))
                    now = time.perf_counter()
                    for r in rows:
                        fresh.append(now - responded.pop(r["stay_id"]))
                await asyncio.sleep(0.002)

        watcher = asyncio.create_task(watch())
        t0 = time.perf_counter()
        for i, (decision_id, unit_id, justification) in enumerate(plan):
            sent = time.perf_counter()
            r = await client.post("/placement/api/stays", headers=auth, json={
                "decision_id": decision_id, "unit_id": unit_id, "check_in": str(today - timedelta(days=1)),
                "justification": justification})
            done = time.perf_counter()
            r.raise_for_status()
            api_latency.append(done - sent)
            responded[r.json()["stay_id"]] = done
            await asyncio.sleep(max(0.0, t0 + (i + 1) / rate - time.perf_counter()))
        deadline = time.perf_counter() + 15
        while responded and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        watcher.cancel()
        await conn.close()
        if responded:
            raise RuntimeError(f"{len(responded)} placements never reached stats")
        return fresh, api_latency


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--memory-only", action="store_true", help="only the idle memory of each process")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="botilbud-bench-"))
    pg = EmbeddedPostgres(work / "pg")
    kafka = EmbeddedKafka(work / "kafka.log")
    pg_url = pg.start()
    bootstrap = kafka.start()
    users = work / "users.json"
    write_demo_users(users)
    # Outside the embedded stack nothing is generated and the defaults are production's: the processes share
    # their keys and users, and demo data and synthetic identity numbers are asked for.
    env = {**os.environ, "BOTILBUD_DATABASE_URL": pg_url, "BOTILBUD_KAFKA_BOOTSTRAP": bootstrap,
           "BOTILBUD_HTTP_PORT": "0", "BOTILBUD_LOG_LEVEL": "WARNING",
           "BOTILBUD_SECRET_KEY": secrets.token_urlsafe(32), "BOTILBUD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
           "BOTILBUD_IDENTITY_HASH_KEY": secrets.token_urlsafe(32), "BOTILBUD_USERS_FILE": str(users),
           "BOTILBUD_DEMO_DATA": "true", "BOTILBUD_ALLOW_SYNTHETIC_IDS": "true"}
    report: dict = {"rate": args.rate, "seconds": args.seconds}
    try:
        # Each service alone, idle (also migrates and loads the demo data once).
        per_service = {}
        for name in SERVICES:
            home = work / f"home-{name}"
            home.mkdir()
            proc, _ = start_process(env, home, name)
            await asyncio.sleep(5)
            per_service[name] = rss_mb([proc.pid])
            stop_process(proc)
        report["rss_per_service_mb"] = per_service
        if args.memory_only:
            print(json.dumps(report, indent=2))
            return

        home = work / "home-all"
        home.mkdir()
        proc, url = start_process(env, home, "all")
        await asyncio.sleep(5)
        report["rss_all_in_one_mb"] = rss_mb([proc.pid])
        report["rss_postgres_mb"] = rss_mb(postgres_pids(pg.data))
        report["rss_broker_mb"] = rss_mb([kafka.process.pid])
        report["rss_stack_mb"] = report["rss_all_in_one_mb"] + report["rss_postgres_mb"] + report["rss_broker_mb"]

        fresh, api = await freshness(url, f"{pg_url}/botilbud_stats", args.rate, args.seconds)
        raw = await raw_round_trip(bootstrap, args.rate, args.seconds)
        report["freshness_ms"] = {k: v * 1000 if k != "n" else v for k, v in percentiles(fresh).items()}
        report["placement_api_ms"] = {k: v * 1000 if k != "n" else v for k, v in percentiles(api).items()}
        report["broker_round_trip_ms"] = {k: v * 1000 if k != "n" else v for k, v in percentiles(raw).items()}
        report["rss_all_in_one_after_load_mb"] = rss_mb([proc.pid])
        stop_process(proc)
    finally:
        kafka.stop()
        pg.stop("immediate")
    print(json.dumps(report, indent=2))
    print_markdown(report)


def print_markdown(r: dict) -> None:
    def row(name, p):
        return f"| {name} | {p['n']} | {p['p50']:.1f} | {p['p95']:.1f} | {p['p99']:.1f} | {p['max']:.1f} |"
    print(f"\n{r['rate']:.0f} placements per second for {r['seconds']:.0f} s\n")
    print("| measure | n | p50 ms | p95 ms | p99 ms | max ms |\n|---|---|---|---|---|---|")
    print(row("placement API response → stats shows the stay", r["freshness_ms"]))
    print(row("placement API request → response", r["placement_api_ms"]))
    print(row("broker raw produce → consume (same rate)", r["broker_round_trip_ms"]))
    print("\n| process, idle | RSS MB |\n|---|---|")
    for name, mb in r["rss_per_service_mb"].items():
        print(f"| `botilbud run --target {name}` | {mb:.0f} |")
    print(f"| `botilbud run` (all four) | {r['rss_all_in_one_mb']:.0f} |")
    print(f"| `botilbud run` (all four) after the load | {r['rss_all_in_one_after_load_mb']:.0f} |")
    print(f"| PostgreSQL (all its processes) | {r['rss_postgres_mb']:.0f} |")
    print(f"| Tansu broker | {r['rss_broker_mb']:.0f} |")
    print(f"| whole embedded stack (all four + PostgreSQL + broker) | {r['rss_stack_mb']:.0f} |")


if __name__ == "__main__":
    asyncio.run(main())
