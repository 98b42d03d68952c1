"""Stats benchmark: replay ~100,000 events (a national year, roughly) into stats' projections through a real
broker and PostgreSQL — the rebuild path: read from offset 0, parse the CloudEvents envelope, translate,
claim in the inbox and upsert in batches — beside the raw consume rate of the same topics with a bare
aiokafka consumer in the same run; then time KOSTRA over that data.

    .venv/bin/python -m bench.stats_replay [--events 100000] [--batch 2000]

Uses the embedded PostgreSQL and Tansu broker unless BOTILBUD_BENCH_KAFKA / BOTILBUD_BENCH_PG name others."""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import tempfile
import time
import uuid
from datetime import date
from functools import partial
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from botilbud.embedded import EmbeddedKafka, EmbeddedPostgres
from botilbud.settings import Settings
from kit.db import create_pool, ensure_database
from kit.logging import configure_logging
from kit.messaging import ensure_topics
from kit.migrations import upgrade
from services.stats.adapters import events as stats_events
from services.stats.adapters.queries import StatsQueries
from services.stats.adapters.repository import rebuild_lock
from services.stats.bootstrap import message_bus
from services.stats.domain.kostra import KostraRules
from services.stats.entrypoints import kafka
from services.stats.service_layer.rebuild import rebuild
from services.stats.service_layer.unit_of_work import StatsUnitOfWork
from services.stats.service_layer.views import Area, StatsViews
from tests.stats import workload

MIGRATIONS = Path(__file__).resolve().parents[1] / "services" / "stats" / "adapters" / "migrations" / "versions"


async def produce(settings: Settings, bootstrap: str, envelopes) -> float:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, max_batch_size=512 * 1024)
    await producer.start()
    started = time.perf_counter()
    try:
        pending = []
        for e in envelopes:
            pending.append(await producer.send(**workload.record(settings, e)))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return time.perf_counter() - started


async def raw_consume(settings: Settings, bootstrap: str, expected: int) -> float:
    """A bare aiokafka consumer reading the same topics from the beginning: records only, no parsing."""
    consumer = AIOKafkaConsumer(*[settings.topic(t) for t in kafka.TOPICS], bootstrap_servers=bootstrap,
                                group_id=f"bench-raw-{uuid.uuid4().hex[:6]}", auto_offset_reset="earliest",
                                enable_auto_commit=False, max_partition_fetch_bytes=8 * 1024 * 1024,
                                fetch_max_bytes=32 * 1024 * 1024)
    await consumer.start()
    try:
        seen, started = 0, None
        while seen < expected:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            if started is None and batch:
                started = time.perf_counter()
            seen += sum(len(v) for v in batch.values())
        return time.perf_counter() - started
    finally:
        await consumer.stop()


async def main(n: int, batch: int) -> None:
    configure_logging("WARNING", json=False)
    tmp = Path(tempfile.mkdtemp(prefix="stats-bench-"))
    pg = kafka_proc = None
    pg_url = os.environ.get("BOTILBUD_BENCH_PG")
    bootstrap = os.environ.get("BOTILBUD_BENCH_KAFKA")
    if not pg_url:
        pg = EmbeddedPostgres(tmp / "pg")
        pg_url = await asyncio.to_thread(pg.start)
    if not bootstrap:
        kafka_proc = EmbeddedKafka(tmp / "kafka.log")
        bootstrap = kafka_proc.start()
    ns = f"bench{uuid.uuid4().hex[:6]}."
    settings = Settings(_env_file=None, kafka_bootstrap=bootstrap, topic_namespace=ns, database_url=pg_url)
    try:
        await ensure_topics(bootstrap, settings, ("stats",))
        t = time.perf_counter()
        envelopes = workload.events(n, year=2025, seed=42)
        print(f"generated {len(envelopes)} events in {time.perf_counter() - t:.1f} s")
        produced = await produce(settings, bootstrap, envelopes)
        total = len(envelopes)
        print(f"produced in {produced:.1f} s ({total / produced:,.0f} events/s)")
        del envelopes  # the generator's 100,000 objects would otherwise make the GC pauses measured below
        gc.collect()

        raw = await raw_consume(settings, bootstrap, total)
        print(f"raw consume (bare aiokafka): {raw:.2f} s = {total / raw:,.0f} events/s")

        url = f"{pg_url}/{ns.rstrip('.')}_stats"
        await ensure_database(url)
        await upgrade(url, MIGRATIONS)
        pool = await create_pool(url, max_size=4)
        uow_factory = partial(StatsUnitOfWork, pool, service="stats", translate=stats_events.translate)
        topics = [settings.topic(t) for t in kafka.TOPICS]
        t = time.perf_counter()
        # The rebuild path: into projections built aside, analysed and swapped in.
        outcome = await rebuild(message_bus(uow_factory), partial(kafka.replay, bootstrap, topics, batch_size=batch,
                                                                  idle_ms=300), partial(rebuild_lock, pool))
        read = outcome.tally.events_read
        replay = time.perf_counter() - t - 0.3  # the final idle fetch is waiting, not work
        print(f"replay into projections: {read} events in {replay:.2f} s = {read / replay:,.0f} events/s "
              f"(ratio to raw consume: {(read / replay) / (total / raw):.2f})")

        async with pool.acquire() as conn:
            counts = {tbl: await conn.fetchval(f"SELECT count(*) FROM {tbl}")  # noqa: S608 - constant names
                      for tbl in ("stays", "decisions", "invoices", "inbox")}
        print("rows:", counts)
        views = StatsViews(StatsQueries(pool), KostraRules(), today=lambda: date(2026, 2, 1))
        for municipality, district in (("0301", None), ("0301", "Grünerløkka"), ("5001", None)):
            times = []
            for _ in range(30):
                t = time.perf_counter()
                report = await views.kostra(Area(2025, municipality, district))
                times.append((time.perf_counter() - t) * 1000)
            first = times[:3]
            times.sort()
            print(f"KOSTRA {municipality} {district or ''}: median {statistics.median(times):.1f} ms, "
                  f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, max {times[-1]:.1f} ms "
                  f"({report['households']} households; first three calls {', '.join(f'{x:.0f}' for x in first)} ms)")
        await pool.close()
    finally:
        if kafka_proc:
            kafka_proc.stop()
        if pg:
            await asyncio.to_thread(pg.stop, "immediate")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main(args.events, args.batch))
