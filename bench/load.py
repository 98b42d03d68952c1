"""Load test of the embedded stack (`botilbud run`: all four services in one process, embedded PostgreSQL and
Tansu): the offices' traffic of tests/faults/traffic.py — applications, decisions (with approvals), placements,
extensions, move-outs, now and then an invoice — at a target rate of state changes per second for a while,
then `botilbud verify` on the result.

Measured: the state changes per second achieved; latency percentiles per kind of call; consumer lag
(botilbud_consumer_lag_seconds scraped every second, the age of the last event each consumer handled, the
highest sample of all services and topics) and the freshness of stats (from placement's 201 to the stay's row
in stats' projection, for every placement); resident memory of the system process, PostgreSQL and the broker
(peak). The invariants are checked at the end.

    python -m bench.load [--rate 50] [--seconds 600] [--concurrency 24]

Prints a Markdown summary (for bench/RESULTS.md and docs/reliability.md); exits 1 if an invariant is broken."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx
import psutil
from prometheus_client.parser import text_string_to_metric_families

from botilbud.settings import Settings
from botilbud.verify import operator_token, resolve, verify_until
from tests.faults.traffic import Traffic


def percentiles(samples: list[float]) -> dict[str, float]:
    if len(samples) < 2:
        return {"n": len(samples), "p50": samples[0] if samples else 0, "p95": 0, "p99": 0, "max": max(samples or [0])}
    q = statistics.quantiles(sorted(samples), n=100, method="inclusive")
    return {"n": len(samples), "p50": q[49], "p95": q[94], "p99": q[98], "max": max(samples)}


def event_ages(metrics_text: str) -> dict[tuple[str, float], float]:
    """botilbud_event_age_seconds: events handled within each bucket's bound, per consumer ← topic and in all
    (under "all")."""
    within: dict[tuple[str, float], float] = {}
    for family in text_string_to_metric_families(metrics_text):
        if family.name == "botilbud_event_age_seconds":
            for sample in family.samples:
                if sample.name.endswith("_bucket"):
                    bound = float(sample.labels["le"])
                    series = f"{sample.labels['service']} ← {sample.labels['topic'].rsplit('.', 3)[-3]}"
                    for key in ((series, bound), ("all", bound)):
                        within[key] = within.get(key, 0.0) + sample.value
    return within


def slow(ages: dict[tuple[str, float], float]) -> float:
    return ages.get(("all", float("inf")), 0.0) - ages.get(("all", 1.0), 0.0)


def over_one_second(ages: dict[tuple[str, float], float]) -> str:
    series = sorted({s for s, _ in ages if s != "all"})
    slow = {s: ages.get((s, float("inf")), 0) - ages.get((s, 1.0), 0) for s in series}
    return ", ".join(f"{s} {n:.0f}" for s, n in slow.items() if n) or "none"


def per_minute(measured: dict, started: float) -> dict[int, float]:
    out: dict[int, float] = {}
    for at, lag in zip(measured["lag_at"], measured["lag"], strict=True):
        minute = int((at - started) // 60)
        out[minute] = max(out.get(minute, 0.0), lag)
    return out


LAG = re.compile(r'^botilbud_consumer_lag_seconds\{service="([^"]+)",topic="([^"]+)"\} ([0-9.e+-]+)$', re.M)


class Limiter:
    """Starts a journey only while the state changes made so far are below the target rate × time elapsed:
    the rate holds whatever share of journeys is cut short (a place taken by another worker first)."""

    def __init__(self, traffic: Traffic, per_second: float):
        self.traffic = traffic
        self.per_second = per_second
        self.started = time.monotonic()

    async def __call__(self) -> None:
        while self.traffic.state_changes >= self.per_second * (time.monotonic() - self.started):
            await asyncio.sleep(0.01)


async def sample(url: str, proc: psutil.Process, stop: asyncio.Event, out: dict) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        while not stop.is_set():
            try:
                text = (await client.get(f"{url}/metrics")).text
                fresh = []
                for service, topic, value in LAG.findall(text):
                    key = f"{service} ← {topic.rsplit('.', 3)[-3] if '.' in topic else topic}"
                    if out["last"].get(key) != value:  # a new event was handled since the last scrape
                        out["last"][key] = value
                        fresh.append(float(value))
                        out["per_series"][key] = max(out["per_series"].get(key, 0.0), float(value))
                if fresh:
                    out["lag"].append(max(fresh))
                    out["lag_at"].append(time.monotonic())
            except httpx.HTTPError:
                out["scrape_errors"] += 1
            try:
                tree = [proc, *proc.children(recursive=True)]
                out["rss_system"] = max(out["rss_system"], proc.memory_info().rss)
                out["rss_all"] = max(out["rss_all"], sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            await asyncio.sleep(1)


async def freshness(stats_url: str, traffic: Traffic, stop: asyncio.Event, out: list[float]) -> None:
    """For every placement: seconds from placement's 201 to the stay's row in stats' projection."""
    seen: set[str] = set()
    conn = await asyncpg.connect(stats_url)
    try:
        while not stop.is_set() or len(seen) < len(traffic.placed_at):
            waiting = [s for s in traffic.placed_at if s not in seen]
            if waiting:
                rows = await conn.fetch("SELECT stay_id::text FROM stays WHERE stay_id = ANY($1::uuid[])", waiting)
                now = time.time()
                for r in rows:
                    seen.add(r[0])
                    out.append(now - traffic.placed_at[r[0]])
            if stop.is_set() and not waiting:
                break
            await asyncio.sleep(0.05)
    finally:
        await conn.close()


async def main(rate: float, seconds: float, concurrency: int) -> int:
    home = Path(tempfile.mkdtemp(prefix="botilbud-load-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOTILBUD_")}
    env.update({"BOTILBUD_HOME": str(home), "BOTILBUD_HTTP_PORT": "0", "BOTILBUD_LOG_LEVEL": "WARNING"})
    with open(home / "botilbud.log", "wb") as log:  # noqa: ASYNC230 - once, before anything runs
        system = subprocess.Popen([sys.executable, "-m", "botilbud.cli", "run"], env=env,  # noqa: ASYNC220
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while not (home / "run.json").exists():
            if system.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"botilbud run did not start; see {home / 'botilbud.log'}")
            await asyncio.sleep(0.2)
        url = json.loads((home / "run.json").read_text())["url"]
        settings, url, bootstrap = resolve(Settings(_env_file=None, home=home), url)
        await asyncio.sleep(5)  # demo data settles

        measured = {"lag": [], "lag_at": [], "last": {}, "per_series": {}, "scrape_errors": 0, "rss_system": 0,
                    "rss_all": 0}
        fresh: list[float] = []
        stop = asyncio.Event()
        async with httpx.AsyncClient(base_url=url, timeout=30,
                                     limits=httpx.Limits(max_connections=concurrency * 2)) as client:
            traffic = Traffic(client, concurrency=concurrency, seed=7, invoice_share=0.05, move_out_share=1.0)
            traffic.before_journey = Limiter(traffic, rate)
            ages_before = event_ages((await client.get("/metrics")).text)  # the demo data's events, at start-up
            started = time.monotonic()
            side = [asyncio.create_task(sample(url, psutil.Process(system.pid), stop, measured)),
                    asyncio.create_task(freshness(settings.service_database_url("stats"), traffic, stop, fresh))]
            running = asyncio.create_task(traffic.run(stop))
            first = min(60.0, seconds)
            await asyncio.sleep(first)
            ages_first_minute = event_ages((await client.get("/metrics")).text)
            await asyncio.sleep(seconds - first)
            stop.set()
            await running
            elapsed = time.monotonic() - started
            await asyncio.wait_for(asyncio.gather(*side), 120)
            ages = {bound: n - ages_before.get(bound, 0.0)
                    for bound, n in event_ages((await client.get("/metrics")).text).items()}
        report = await verify_until(settings, 120, interval=2, address=url, token=operator_token(settings),
                                    bootstrap=bootstrap, grace_seconds=2)
    finally:
        system.terminate()
        try:
            system.wait(60)
        except subprocess.TimeoutExpired:
            system.kill()

    (home / "lag.json").write_text(json.dumps([[round(at - started, 1), lag] for at, lag in
                                               zip(measured["lag_at"], measured["lag"], strict=True)]))
    print(f"lag samples: {home / 'lag.json'}", file=sys.stderr)
    changes = traffic.state_changes
    kinds = ", ".join(f"{k.removeprefix('changed:')} {v}" for k, v in sorted(traffic.counts.items())
                      if k.startswith("changed:"))
    lines = [
        f"Load, embedded stack (`botilbud run`, one process, embedded PostgreSQL + Tansu), "
        f"{psutil.cpu_count()} CPUs shared; target {rate:g} state changes/s for {seconds:g} s, "
        f"{concurrency} workers.",
        "",
        f"- state changes: {changes} in {elapsed:.0f} s = **{changes / elapsed:.1f}/s** "
        f"({kinds})",
        f"- journeys: {traffic.counts['journeys_completed']} completed, {traffic.counts['journeys_interrupted']} "
        f"interrupted, {traffic.counts['no_place_free']} found no free place; "
        f"other: {({k: v for k, v in traffic.counts.items() if k.startswith(('status:', 'error:'))})}",
        *(f"- last refusal of {k}: {v}" for k, v in sorted(traffic.last_error.items())),
        "",
        "| call | n | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|",
    ]
    for kind, samples in sorted(traffic.latencies.items()):
        p = percentiles(samples)
        lines.append(f"| {kind} | {p['n']} | {p['p50'] * 1000:.0f} | {p['p95'] * 1000:.0f} | {p['p99'] * 1000:.0f} "
                     f"| {p['max'] * 1000:.0f} |")
    lag, fr = percentiles(measured["lag"]), percentiles(fresh)
    over = sum(1 for x in measured["lag"] if x > 1.0)
    lines += [
        "",
        f"- consumer lag (botilbud_consumer_lag_seconds scraped each second; per scrape the highest of the "
        f"consumers that handled an event since the last one; {lag['n']} samples): p50 {lag['p50']:.3f} s, "
        f"p95 {lag['p95']:.3f} s, p99 {lag['p99']:.3f} s, max **{lag['max']:.3f} s**; samples above 1 s: {over}",
        f"- every event's age when its effect was committed (botilbud_event_age_seconds, all consumers, the "
        f"run's events only): "
        f"{ages.get(('all', float('inf')), 0):.0f} events; within 0.25 s {ages.get(('all', 0.25), 0):.0f}, "
        f"within 0.5 s {ages.get(('all', 0.5), 0):.0f}, within 1 s {ages.get(('all', 1.0), 0):.0f}, **over 1 s "
        f"{ages.get(('all', float('inf')), 0) - ages.get(('all', 1.0), 0):.0f}** ({over_one_second(ages)})",
        f"- of them in the first minute (from a cold start): "
        f"{slow(ages_first_minute) - slow(ages_before):.0f} over 1 s; after it: "
        f"{slow(ages) + slow(ages_before) - slow(ages_first_minute):.0f}",
        "- highest lag per minute of the run: " + ", ".join(
            f"{m + 1}: {v:.2f} s" for m, v in sorted(per_minute(measured, started).items())),
        "- highest lag per consumer and topic: " + ", ".join(
            f"{k} {v:.2f} s" for k, v in sorted(measured["per_series"].items())),
        f"- placement 201 → stay in stats' projection ({fr['n']} stays): p50 {fr['p50'] * 1000:.0f} ms, "
        f"p95 {fr['p95'] * 1000:.0f} ms, p99 {fr['p99'] * 1000:.0f} ms, max {fr['max'] * 1000:.0f} ms",
        f"- peak resident memory: system process {measured['rss_system'] / 2**20:.0f} MiB; with PostgreSQL and "
        f"the broker {measured['rss_all'] / 2**20:.0f} MiB",
        f"- botilbud verify at the end: {'all invariants hold' if report.ok else 'BROKEN'}",
        "",
        "```", report.text(), "```",
    ]
    print("\n".join(lines))
    return 0 if report.ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=50.0, help="target state changes per second")
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--concurrency", type=int, default=24)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.rate, args.seconds, args.concurrency)))
