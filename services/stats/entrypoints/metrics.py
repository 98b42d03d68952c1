"""Stats' Prometheus gauges: what is true now, per municipality (a bounded label: Norway has 357
municipalities). Refreshed from the projections by background jobs (every 5 s; the KOSTRA counters every 30 s);
consumer lag per topic is the kit's `botilbud_consumer_lag_seconds`."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import Gauge

from kit.metrics import set_all
from services.stats.domain.kostra import KEYS, KostraRules
from services.stats.service_layer import handlers

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


async def refresh_kostra(uow_factory, rules: KostraRules) -> None:
    today = datetime.now(UTC).date()
    values = {}
    for municipality in await handlers.municipalities(uow_factory):
        report = await handlers.kostra_report(uow_factory, year=today.year, municipality=municipality,
                                              district=None, today=today, rules=rules)
        values |= {(municipality, key): report[key] for key in KEYS}
    set_all(KOSTRA, values)


async def refresh(uow_factory, rules: KostraRules) -> None:
    today = datetime.now(UTC).date()
    over = {(m, group): 0 for m in await handlers.municipalities(uow_factory) for group in GROUPS}
    over |= {(r["municipality"], r["group"]): r["households"]
             for r in await handlers.open_stays_over(uow_factory, rules, today)}
    set_all(OVER_THREE_MONTHS, over)
    households, beds = await handlers.now_by_municipality(uow_factory)
    now = {(r["municipality"], "temporary"): 0 for r in beds}  # places but nobody in them: zero, not absent
    now |= {(r["municipality"], r["accommodation"] or "unknown"): r["households"] for r in households}
    set_all(HOUSEHOLDS_NOW, now)
    for r in beds:
        total, occupied = int(r["beds"] or 0), int(r["occupied"] or 0)
        BEDS.labels(r["municipality"]).set(total)
        OCCUPIED.labels(r["municipality"]).set(occupied)
        OCCUPANCY.labels(r["municipality"]).set(occupied / total if total else 0)
