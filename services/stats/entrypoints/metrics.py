"""Stats' Prometheus gauges: what is true now, per municipality (a bounded label: Norway has 357
municipalities). Refreshed from the projections every few seconds by a background task; consumer lag per
topic is the kit's `botilbud_consumer_lag_seconds`."""

from __future__ import annotations

import asyncio

from prometheus_client import Gauge

from botilbud.kit.logging import get_logger
from services.stats.service_layer import handlers

log = get_logger(__name__)

HOUSEHOLDS_NOW = Gauge("botilbud_stats_households_now",
                       "Households in temporary accommodation or a night shelter now (open stays).",
                       ["municipality", "accommodation"])
BEDS = Gauge("botilbud_stats_places", "Places (beds) in units with known capacity.", ["municipality"])
OCCUPIED = Gauge("botilbud_stats_places_occupied", "Occupied places.", ["municipality"])
OCCUPANCY = Gauge("botilbud_stats_occupancy_ratio", "Occupied places / places (0–1).", ["municipality"])


async def refresh(uow_factory) -> None:
    households, beds = await handlers.now_by_municipality(uow_factory)
    seen = set()
    for r in households:
        HOUSEHOLDS_NOW.labels(r["municipality"], r["accommodation"] or "unknown").set(r["households"])
        seen.add((r["municipality"], r["accommodation"] or "unknown"))
    # A municipality with places but nobody in them, or with nobody left, shows zero.
    known = set(HOUSEHOLDS_NOW._metrics) | {(r["municipality"], "temporary") for r in beds}
    for labels in known - seen:
        HOUSEHOLDS_NOW.labels(*labels).set(0)
    for r in beds:
        total, occupied = int(r["beds"] or 0), int(r["occupied"] or 0)
        BEDS.labels(r["municipality"]).set(total)
        OCCUPIED.labels(r["municipality"]).set(occupied)
        OCCUPANCY.labels(r["municipality"]).set(occupied / total if total else 0)


def refresher(uow_factory, pool, every_seconds: float = 5.0):
    """An on_started job: starts the refresh loop, which ends when the pool closes."""

    async def loop() -> None:
        while not pool.is_closing():
            try:
                await refresh(uow_factory)
            except Exception as exc:  # the gauges wait for the next round; the service goes on
                if pool.is_closing():
                    return
                log.warning("stats_gauges_failed", error=repr(exc)[:200])
            await asyncio.sleep(every_seconds)

    async def start() -> None:
        task = asyncio.create_task(loop(), name="stats-gauges")
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)

    return start


_tasks: set[asyncio.Task] = set()

