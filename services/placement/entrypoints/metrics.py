"""Placement's Prometheus gauges, refreshed from its own tables by a background job."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from prometheus_client import Gauge

from kit.metrics import set_all
from services.placement.adapters.queries import PlacementQueries

INSPECTIONS_OVERDUE = Gauge(
    "botilbud_placement_inspections_overdue",
    "Providers without agreement where someone lives now whose inspection is overdue (or missing or failed).",
    ["municipality"])


async def refresh(queries: PlacementQueries, today: Callable[[], date]) -> None:
    overdue = await queries.inspections_due(today(), -1)  # next due before today
    counts = {(row.municipality,): 0 for row in overdue}  # overdue where nobody lives: zero, not absent
    for row in overdue:
        if row.households > 0:
            counts[(row.municipality,)] += 1
    set_all(INSPECTIONS_OVERDUE, counts)
