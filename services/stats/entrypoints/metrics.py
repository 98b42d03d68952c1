"""Stats' Prometheus metrics: what is true now, per municipality (a bounded label: Norway has 357
municipalities), refreshed from the projections by background jobs (every 5 s; the KOSTRA counters every 30 s);
and the rebuilds by outcome. Consumer lag per topic is the kit's `botilbud_consumer_lag_seconds`."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from kit.metrics import set_all
from services.stats.service_layer.views import StatsViews

HOUSEHOLDS_NOW = Gauge("botilbud_stats_households_now",
                       "Households in temporary accommodation or a night shelter now (open stays).",
                       ["municipality", "accommodation"])
BEDS = Gauge("botilbud_stats_places", "Places (beds) in units with known capacity.", ["municipality"])
OCCUPIED = Gauge("botilbud_stats_places_occupied", "Occupied places.", ["municipality"])
OCCUPANCY = Gauge("botilbud_stats_occupancy_ratio", "Occupied places / places (0–1).", ["municipality"])
OVER_THREE_MONTHS = Gauge(
    "botilbud_stats_households_over_three_months",
    "Households in an open stay in temporary accommodation with more than BOTILBUD_KOSTRA_OVER_DAYS nights, by "
    "group: family (a child under 18), young (applicant 18–24) or other.", ["municipality", "group"])
GROUPS = ("family", "young", "other")
KOSTRA = Gauge("botilbud_stats_kostra_households", "This year's KOSTRA counters so far (BRIEF §5).",
               ["municipality", "counter"])
REBUILDS = Counter("botilbud_stats_rebuilds_total",
                   "Rebuilds of stats' projections by outcome: swapped (in use), refused (the log lacked events "
                   "stats had applied; the numbers stayed), failed.", ["outcome"])
for _outcome in ("swapped", "refused", "failed"):
    REBUILDS.labels(_outcome)


def rebuild_finished(outcome: str) -> None:
    REBUILDS.labels(outcome).inc()


async def refresh_kostra(views: StatsViews) -> None:
    set_all(KOSTRA, await views.this_years_kostra())


async def refresh(views: StatsViews) -> None:
    over = {(m, group): 0 for m in await views.municipalities() for group in GROUPS}
    over |= {(r.municipality, r.group): r.households for r in await views.over_three_months_now()}
    set_all(OVER_THREE_MONTHS, over)
    places = await views.places()
    now = {(r.municipality, "temporary"): 0 for r in places}  # places but nobody in them: zero, not absent
    now |= {(r.municipality, r.group): r.households for r in await views.households_now()}
    set_all(HOUSEHOLDS_NOW, now)
    for r in places:
        total, occupied = int(r.beds or 0), int(r.occupied or 0)
        BEDS.labels(r.municipality).set(total)
        OCCUPIED.labels(r.municipality).set(occupied)
        OCCUPANCY.labels(r.municipality).set(occupied / total if total else 0)
