"""Placement's Prometheus gauges, refreshed from its own tables by a background job."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import Gauge

from kit.metrics import set_all
from services.placement.service_layer import handlers

INSPECTIONS_OVERDUE = Gauge(
    "botilbud_placement_inspections_overdue",
    "Providers without agreement where someone lives now whose inspection is overdue (or missing or failed).",
    ["municipality"])


async def refresh(uow_factory) -> None:
    overdue = await handlers.inspections_overdue(uow_factory, datetime.now(UTC).date())
    counts = {(row["municipality"],): 0 for row in overdue}  # overdue where nobody lives: zero, not absent
    for row in overdue:
        if row["households"] > 0:
            counts[(row["municipality"],)] += 1
    set_all(INSPECTIONS_OVERDUE, counts)
