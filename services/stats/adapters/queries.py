"""Stats' reads for pages, APIs and gauges: query functions over the live projections, returning plain typed
rows (never database records). A stay's nights are never counted ahead of `today` (a move-out dated ahead
is not one yet)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

import asyncpg

from services.stats.adapters.projections import PROJECTION_TABLES
from services.stats.domain.kostra import KostraRules, StayFacts
from services.stats.domain.weekly import UnitBeds


class CountRow(NamedTuple):
    """A group (destination, outcome …; None = not registered, or all of them) and its counts."""

    group: str | None
    count: int
    households: int


class OccupancyRow(NamedTuple):
    provider: str
    agreement_kind: str
    accommodation: str
    units: int
    beds: int
    occupied: int


class SpendRow(NamedTuple):
    provider: str
    agreement_kind: str
    invoices: int
    amount: Decimal


class GroupCount(NamedTuple):
    municipality: str
    group: str
    households: int


class PlacesRow(NamedTuple):
    municipality: str
    beds: int
    occupied: int


class RebuildRow(NamedTuple):
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    events_read: int | None
    events_in_log: int | None
    events_applied: int | None
    message: str | None


def _stay_facts(r) -> StayFacts:
    return StayFacts(r["household_id"], r["accommodation"], r["check_in"], r["check_out"], r["applicant_birth_date"],
                     tuple(r["children_birth_dates"] or ()), r["adults"] or 1, r["agreement_kind"], r["destination"],
                     r["office_id"], r["provider_name"], bool(r["justified"]), r["unit_id"])


class StatsQueries:
    def __init__(self, pool: asyncpg.Pool):
        self.pool = pool

    async def _fetch(self, sql: str, *args) -> list:
        async with self.pool.acquire() as conn:
            return await conn.fetch(sql, *args)

    async def stays_in_period(self, municipality: str, district: str | None, start: date,
                              end: date) -> list[StayFacts]:
        """Stays with at least one possible night in [start, end)."""
        rows = await self._fetch(
            "SELECT household_id, accommodation, check_in, check_out, applicant_birth_date, children_birth_dates, "
            "adults, agreement_kind, destination, office_id, provider_name, justified, unit_id FROM stays WHERE "
            "municipality = $1 AND ($2::text IS NULL OR district = $2) "
            "AND check_in IS NOT NULL AND check_in < $4 AND (check_out IS NULL OR check_out > $3)",
            municipality, district, start, end)
        return [_stay_facts(r) for r in rows]

    async def unit_beds(self, municipality: str, district: str | None) -> list[UnitBeds]:
        """Each temporary accommodation unit of the area's providers with its beds over time (the date in Norway
        each state took effect)."""
        rows = await self._fetch(
            "SELECT b.unit_id, array_agg((b.at AT TIME ZONE 'Europe/Oslo')::date ORDER BY b.at, b.event_id), "
            "array_agg(b.beds ORDER BY b.at, b.event_id) FROM unit_beds b "
            "JOIN providers p ON p.provider_id = b.provider_id WHERE p.municipality = $1 "
            "AND ($2::text IS NULL OR p.district = $2) AND p.accommodation = 'temporary' GROUP BY b.unit_id",
            municipality, district)
        return [UnitBeds(r[0], tuple(zip(r[1], r[2], strict=True))) for r in rows]

    async def stays_in_units(self, unit_ids: list, start: date, end: date) -> tuple[list[StayFacts], dict]:
        """The stays in these units with a night in [start, end), and each unit's first check-in ever."""
        rows = await self._fetch(
            "SELECT household_id, accommodation, check_in, check_out, applicant_birth_date, children_birth_dates, "
            "adults, agreement_kind, destination, office_id, provider_name, justified, unit_id FROM stays "
            "WHERE unit_id = ANY($1::uuid[]) AND check_in IS NOT NULL AND check_in < $3 "
            "AND (check_out IS NULL OR check_out > $2)", unit_ids, start, end)
        firsts = await self._fetch("SELECT unit_id, min(check_in) FROM stays WHERE unit_id = ANY($1::uuid[]) "
                                   "AND check_in IS NOT NULL GROUP BY unit_id", unit_ids)
        return [_stay_facts(r) for r in rows], {r[0]: r[1] for r in firsts}

    async def office_names(self) -> dict[str, str]:
        return {r[0]: r[1] for r in await self._fetch("SELECT office_id, name FROM offices")}

    async def stays_for_kostra(self, municipality: str, district: str | None, year: int) -> list[StayFacts]:
        """Only what KOSTRA reads, for the stays with a possible night in the year."""
        rows = await self._fetch(
            "SELECT household_id, accommodation, check_in, check_out, applicant_birth_date, "
            "CASE WHEN cardinality(children_birth_dates) > 0 THEN children_birth_dates END FROM stays WHERE "
            "municipality = $1 AND ($2::text IS NULL OR district = $2) "
            "AND check_in IS NOT NULL AND check_in < $4 AND (check_out IS NULL OR check_out > $3)",
            municipality, district, date(year, 1, 1), date(year + 1, 1, 1))
        return [StayFacts(r[0], r[1], r[2], r[3], r[4], tuple(r[5]) if r[5] else ()) for r in rows]

    async def exits(self, municipality: str, district: str | None, year: int, today: date) -> list[CountRow]:
        """Stays ended in the year by destination; a move-out dated after today has not happened yet."""
        rows = await self._fetch(
            "SELECT destination, count(*), count(DISTINCT household_id) FROM stays WHERE "
            "municipality = $1 AND ($2::text IS NULL OR district = $2) "
            "AND check_in IS NOT NULL AND check_out >= $3 AND check_out < $4 AND check_out <= $5 "
            "GROUP BY destination ORDER BY count(*) DESC, destination",
            municipality, district, date(year, 1, 1), date(year + 1, 1, 1), today)
        return [CountRow(*r) for r in rows]

    async def decisions(self, municipality: str, district: str | None, year: int) -> list[CountRow]:
        rows = await self._fetch(
            "SELECT outcome, count(*), count(DISTINCT household_id) FROM decisions WHERE "
            "municipality = $1 AND ($2::text IS NULL OR district = $2) "
            "AND decided_at >= $3 AND decided_at < $4 GROUP BY ROLLUP (outcome) "
            "ORDER BY outcome NULLS LAST",
            municipality, district, date(year, 1, 1), date(year + 1, 1, 1))
        return [CountRow(*r) for r in rows]

    async def occupancy(self, municipality: str, district: str | None) -> list[OccupancyRow]:
        """Places and occupied places per provider now: the latest CapacityChanged of each unit, or the unit's
        registered beds (none occupied) when no capacity change was seen yet."""
        rows = await self._fetch(
            "SELECT p.name, p.agreement_kind, p.accommodation, count(u.unit_id), "
            "coalesce(sum(coalesce(k.beds, u.beds)), 0), coalesce(sum(k.occupied), 0) "
            "FROM providers p LEFT JOIN units u ON u.provider_id = p.provider_id "
            "LEFT JOIN capacity k ON k.unit_id = u.unit_id "
            "WHERE p.municipality = $1 AND ($2::text IS NULL OR p.district = $2) "
            "GROUP BY p.provider_id, p.name, p.agreement_kind, p.accommodation ORDER BY p.name",
            municipality, district)
        return [OccupancyRow(*r) for r in rows]

    async def spend(self, municipality: str, district: str | None, year: int) -> list[SpendRow]:
        """Approved amounts per provider in the year; a provider is found by id, else by organisation number."""
        rows = await self._fetch(
            "SELECT coalesce(p.name, 'Org.nr ' || i.supplier_orgnr), "
            "coalesce(i.agreement_kind, p.agreement_kind, 'none'), count(*), sum(i.approved_amount) FROM invoices i "
            "LEFT JOIN LATERAL (SELECT * FROM providers p WHERE p.provider_id = i.provider_id "
            "   OR (i.provider_id IS NULL AND p.orgnr = i.supplier_orgnr) ORDER BY p.provider_id = i.provider_id DESC "
            "   LIMIT 1) p ON true "
            "WHERE i.approved_at >= $3 AND i.approved_at < $4 AND p.municipality = $1 "
            "AND ($2::text IS NULL OR p.district = $2) GROUP BY 1, 2 ORDER BY sum(i.approved_amount) DESC, 1",
            municipality, district, date(year, 1, 1), date(year + 1, 1, 1))
        return [SpendRow(*r) for r in rows]

    async def districts(self, municipality: str) -> list[str]:
        """The districts of the municipality's offices (from intake's office events): the names stays carry."""
        rows = await self._fetch("SELECT DISTINCT district FROM offices WHERE municipality = $1 "
                                 "AND district IS NOT NULL ORDER BY district", municipality)
        return [r[0] for r in rows]

    async def municipalities(self) -> list[str]:
        rows = await self._fetch("SELECT DISTINCT municipality FROM stays WHERE municipality IS NOT NULL")
        return sorted(r[0] for r in rows)

    async def open_stays_over(self, rules: KostraRules, today: date) -> list[GroupCount]:
        """Households in temporary accommodation tonight (open, or moving out after today) with more than
        `rules.over_days` nights in the stay, by municipality and group (family: a child under 18 today;
        young: applicant 18–24 today; else other)."""
        rows = await self._fetch(
            "SELECT municipality, CASE "
            "  WHEN EXISTS (SELECT 1 FROM unnest(children_birth_dates) c WHERE age($2::date, c) < make_interval("
            "    years => $3 + 1)) THEN 'family' "
            "  WHEN age($2::date, applicant_birth_date) >= make_interval(years => $4) "
            "   AND age($2::date, applicant_birth_date) < make_interval(years => $5 + 1) THEN 'young' "
            "  ELSE 'other' END, count(DISTINCT household_id) "
            "FROM stays WHERE (check_out IS NULL OR check_out > $2) AND check_in IS NOT NULL "
            "AND accommodation = 'temporary' AND municipality IS NOT NULL AND $2::date - check_in > $1 GROUP BY 1, 2",
            rules.over_days, today, rules.child_max_age, rules.young_min_age, rules.young_max_age)
        return [GroupCount(*r) for r in rows]

    async def households_now(self, today: date) -> list[GroupCount]:
        """Households in a stay tonight (open, or moving out after today) per municipality and accommodation."""
        rows = await self._fetch(
            "SELECT municipality, coalesce(accommodation, 'unknown'), count(DISTINCT household_id) FROM stays "
            "WHERE check_in IS NOT NULL AND check_in <= $1 AND (check_out IS NULL OR check_out > $1) "
            "AND municipality IS NOT NULL GROUP BY 1, 2", today)
        return [GroupCount(*r) for r in rows]

    async def places(self) -> list[PlacesRow]:
        rows = await self._fetch("SELECT municipality, coalesce(sum(beds), 0), coalesce(sum(occupied), 0) "
                                 "FROM capacity GROUP BY 1")
        return [PlacesRow(*r) for r in rows]

    async def rebuilds(self, limit: int = 10) -> list[RebuildRow]:
        rows = await self._fetch(
            "SELECT started_at, finished_at, outcome, events_read, events_in_log, events_applied, message "
            "FROM rebuilds ORDER BY started_at DESC LIMIT $1", limit)
        return [RebuildRow(*r) for r in rows]

    async def snapshot(self) -> dict[str, list[dict]]:
        """Every projection row, in a stable order: what the rebuild tests compare."""
        keys = {"stays": "stay_id", "applications": "application_id", "decisions": "decision_id",
                "providers": "provider_id", "units": "unit_id", "capacity": "unit_id",
                "requisitions": "requisition_id", "invoices": "invoice_id", "offices": "office_id",
                "unit_beds": "unit_id, event_id"}
        # The table names are the module's constants, never input.
        return {table: [dict(r) for r in await self._fetch(f"SELECT * FROM {table} ORDER BY {keys[table]}")]  # noqa: S608
                for table in PROJECTION_TABLES}
