"""What placement's pages and APIs read, as plain dataclasses and domain objects (never database records).

The live views read placement's own tables, which change in the same transaction as the event they emit or
consume: there is no separate projection that could lag. "Today" is always given (the one clock)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg

from kit import clock
from kit.paging import Page, Paging, Sorting, fetch_page, natural
from services.placement.adapters import rows, unit_list
from services.placement.domain.history import Office
from services.placement.domain.leader_queue import LatestExtension, QueueItem, items_of
from services.placement.domain.matching import Candidate
from services.placement.domain.model import GrantedDecision, HouseholdFacts, Provider, Stay, StayAction, Unit


@dataclass(frozen=True)
class CapacityRow:
    provider_id: UUID
    provider: str
    municipality: str
    district: str | None
    accommodation: str
    agreement_kind: str
    unit_id: UUID
    unit: str
    beds: int
    address: str
    facilities: dict
    occupied: int  # households in the unit now (0 or 1)
    planned_check_out: date | None = None  # the household living there has a planned move-out (BRIEF §4)
    planned_destination: str | None = None


@dataclass(frozen=True)
class StayRow:
    """A stay with its provider's and unit's names (the office's list)."""

    stay: Stay
    provider: str
    unit: str
    created_at: datetime
    imported: bool


@dataclass(frozen=True)
class OpenStayRow:
    stay: Stay
    household: HouseholdFacts
    provider: str
    unit: str
    accommodation: str
    agreement_kind: str
    nights: int  # the household's nights in temporary accommodation up to today, over all its stays


@dataclass(frozen=True)
class StayHistoryRow:
    """A stay of a household with where it was and what was done to it, oldest action first."""

    stay: Stay
    provider: str
    unit: str
    imported: bool
    actions: tuple[StayAction, ...]


@dataclass(frozen=True)
class ExtensionRow:
    id: UUID
    stay_id: UUID
    decision_id: UUID
    previous_authorised_to: date
    authorised_to: date
    extended_at: datetime


@dataclass(frozen=True)
class QueueRow:
    item: QueueItem
    provider: str
    unit: str


@dataclass(frozen=True)
class InspectionDueRow:
    provider_id: UUID
    name: str
    municipality: str
    inspected_on: date | None
    result: str | None
    next_due: date | None
    households: int  # living there now


@dataclass(frozen=True)
class ImportRunRow:
    id: UUID
    office_id: str | None
    file_name: str
    rows: int
    to_write: int
    written: int
    already_imported: int
    rejected_count: int
    rejected: list
    status: str  # running | done | failed
    error: str | None
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class ProviderFilters:
    """What narrows the providers list; None matches everything."""

    municipality: str | None = None
    target_group: str | None = None
    name: str | None = None  # a part of the name, any case
    agreement_in_force: bool | None = None  # an agreement (not «uten avtale») in force today


@dataclass(frozen=True)
class StayFilters:
    status: str | None = None  # ongoing (moved in, not out) | planned (moves in later) | ended (moved out)
    provider_id: UUID | None = None


PROVIDER_SORTING = Sorting({"municipality": ("p.municipality", "p.name"), "name": "p.name",
                            "accommodation": "p.accommodation", "agreement": "p.agreement_kind",
                            "next_inspection": "ins.next_due"},
                           "municipality", "p.id")
STAY_SORTING = Sorting({"open": ("s.check_out IS NOT NULL", "-s.check_in"), "check_in": "s.check_in",
                        "check_out": "s.check_out", "provider": ("p.name", *natural("u.name")),
                        "authorised_to": "s.authorised_to"}, "open", "s.id")
"""By default the open stays first, each part newest check-in first (as the list read before it had pages)."""
UNIT_NAME_ORDER = ", ".join(natural("u.name"))


class PlacementQueries:
    def __init__(self, pool: asyncpg.Pool):
        self._pool = pool

    async def _fetch(self, sql: str, *args) -> list:
        async with self._pool.acquire() as conn:
            return await conn.fetch(sql, *args)

    async def _fetchrow(self, sql: str, *args):
        async with self._pool.acquire() as conn:
            return await conn.fetchrow(sql, *args)

    async def providers(self) -> list[Provider]:
        return [rows.provider(r) for r in await self._fetch(f"{rows.PROVIDER_SELECT} ORDER BY p.municipality, p.name")]

    async def provider_page(self, paging: Paging = Paging(), filters: ProviderFilters = ProviderFilters(),
                            today: date | None = None) -> Page[Provider]:
        """One page of the providers, narrowed by the filters, in SQL."""
        async with self._pool.acquire() as conn:
            found, total = await fetch_page(
                conn, "p.*, ins.inspected_on, ins.result, ins.next_due, ins.checklist",
                f"FROM providers p {rows.LATEST_INSPECTION} "
                "WHERE ($1::text IS NULL OR p.municipality = $1) AND ($2::text IS NULL OR $2 = ANY(p.target_groups)) "
                "AND ($3::text IS NULL OR strpos(lower(p.name), lower($3)) > 0) "
                "AND ($4::bool IS NULL OR (p.agreement_kind <> 'none' AND coalesce(p.agreement_valid_from <= $5, true) "
                "  AND coalesce($5 <= p.agreement_valid_to, true)) = $4)",
                [filters.municipality, filters.target_group, filters.name, filters.agreement_in_force,
                 today or clock.today()],
                PROVIDER_SORTING.sql(paging.sort), paging)
        return Page([rows.provider(r) for r in found], total, paging.page, paging.page_size)

    async def unit_page(self, paging: Paging, filters: unit_list.UnitFilters, today: date) -> Page[unit_list.UnitRow]:
        """One page of every provider's units, narrowed by the filters, in SQL (adapters/unit_list.py)."""
        async with self._pool.acquire() as conn:
            return await unit_list.unit_page(conn, paging, filters, today)

    async def municipalities_of_providers(self) -> list[str]:
        return [r["municipality"] for r in await self._fetch(
            "SELECT DISTINCT municipality FROM providers ORDER BY municipality")]

    async def offices(self) -> dict[str, dict]:
        """The offices placement knows (from intake's events) that are open: id → name, municipality, district."""
        return {r["id"]: {"name": r["name"], "municipality": r["municipality"], "district": r["district"]}
                for r in await self._fetch("SELECT id, name, municipality, district FROM offices WHERE NOT closed "
                                           "ORDER BY municipality, name")}

    async def office_names(self) -> dict[str, str]:
        """The name of every office placement knows, closed ones too, by its id (the page header's)."""
        return {r["id"]: r["name"] for r in await self._fetch("SELECT id, name FROM offices")}

    async def office(self, office_id: str) -> Office | None:
        """An office as placement knows it (closed ones too): where its households' matching starts."""
        r = await self._fetchrow("SELECT id, name, municipality, district FROM offices WHERE id = $1", office_id)
        return Office(r["id"], r["name"], r["municipality"], r["district"]) if r else None

    async def provider(self, provider_id: UUID) -> Provider | None:
        row = await self._fetchrow(f"{rows.PROVIDER_SELECT} WHERE p.id = $1", provider_id)
        return rows.provider(row) if row else None

    async def unit(self, unit_id: UUID) -> Unit | None:
        row = await self._fetchrow("SELECT * FROM units WHERE id = $1", unit_id)
        return rows.unit(row) if row else None

    async def candidates(self) -> list[Candidate]:
        async with self._pool.acquire() as conn:
            return await rows.candidates(conn)

    async def capacity(self, municipality: str | None) -> list[CapacityRow]:
        found = await self._fetch(  # the order by is a constant
            "SELECT p.id AS provider_id, p.name AS provider, p.municipality, p.district, p.accommodation, "  # noqa: S608
            "p.agreement_kind, u.id AS unit_id, u.name AS unit, u.beds, u.address, u.facilities, "
            "o.occupied, o.planned_check_out, o.planned_destination "
            "FROM units u JOIN providers p ON p.id = u.provider_id "
            # a unit takes one household: its open stay's plan, if it has one
            "CROSS JOIN LATERAL (SELECT count(*) AS occupied, max(s.planned_check_out) AS planned_check_out, "
            "  max(s.planned_destination) AS planned_destination FROM stays s "
            "  WHERE s.unit_id = u.id AND s.check_out IS NULL) o "
            f"WHERE ($1::text IS NULL OR p.municipality = $1) ORDER BY p.municipality, p.name, {UNIT_NAME_ORDER}",
            municipality)
        return [CapacityRow(**dict(r)) for r in found]

    async def decision(self, decision_id: UUID) -> GrantedDecision | None:
        row = await self._fetchrow("SELECT * FROM decisions WHERE decision_id = $1", decision_id)
        return rows.decision(row) if row else None

    async def decisions_of(self, household_id: UUID) -> list[GrantedDecision]:
        return [rows.decision(r) for r in await self._fetch(
            "SELECT * FROM decisions WHERE household_id = $1 ORDER BY period_from NULLS FIRST, recorded_at",
            household_id)]

    async def awaiting_place(self, office_id: str | None, today: date) -> list[GrantedDecision]:
        """Granted decisions still running whose household lives nowhere and that no stay follows yet."""
        return [rows.decision(r) for r in await self._fetch(
            "SELECT d.* FROM decisions d WHERE d.outcome = 'granted' AND d.period_to >= $2 AND NOT d.imported "
            "AND ($1::text IS NULL OR d.office_id = $1) "
            "AND NOT EXISTS (SELECT 1 FROM stays s WHERE s.household_id = d.household_id AND s.check_out IS NULL) "
            "AND NOT EXISTS (SELECT 1 FROM stays s WHERE s.decision_id = d.decision_id) "
            "AND NOT EXISTS (SELECT 1 FROM stay_extensions e WHERE e.decision_id = d.decision_id) "
            "ORDER BY d.period_from", office_id, today)]

    async def stay(self, stay_id: UUID) -> Stay | None:
        row = await self._fetchrow("SELECT * FROM stays WHERE id = $1", stay_id)
        return rows.stay(row) if row else None

    async def moved_to(self, stay_id: UUID) -> Stay | None:
        """The stay a move from this stay began (None: the stay did not end in a move)."""
        row = await self._fetchrow("SELECT * FROM stays WHERE moved_from_stay_id = $1", stay_id)
        return rows.stay(row) if row else None

    async def household_offices(self, household_id: UUID) -> set[str]:
        """The offices that decided on or placed the household, as placement knows them (empty: unknown)."""
        return {r["office_id"] for r in await self._fetch(
            "SELECT office_id FROM decisions WHERE household_id = $1 UNION "
            "SELECT office_id FROM stays WHERE household_id = $1", household_id)}

    async def household_stays(self, household_id: UUID, office_ids: set[str] | None) -> list[StayHistoryRow]:
        """The household's stays at these offices (None: at every office), oldest first, with their history."""
        found = await self._fetch(
            "SELECT s.*, p.name AS provider_name, u.name AS unit_name FROM stays s "
            "JOIN providers p ON p.id = s.provider_id JOIN units u ON u.id = s.unit_id "
            "WHERE s.household_id = $1 AND ($2::text[] IS NULL OR s.office_id = ANY($2)) "
            "ORDER BY s.check_in, s.created_at", household_id, sorted(office_ids) if office_ids is not None else None)
        actions: dict[UUID, list[StayAction]] = {}
        for a in await self._fetch(
                "SELECT stay_id, action, at, on_date, destination, by_username, by_name FROM stay_actions "
                "WHERE stay_id = ANY($1::uuid[]) ORDER BY id", [r["id"] for r in found]):
            actions.setdefault(a["stay_id"], []).append(StayAction(
                a["stay_id"], a["action"], a["at"], a["on_date"], a["destination"], a["by_username"], a["by_name"]))
        return [StayHistoryRow(rows.stay(r), r["provider_name"], r["unit_name"], r["imported"],
                               tuple(actions.get(r["id"], ()))) for r in found]

    async def extensions_of(self, stay_id: UUID) -> list[ExtensionRow]:
        return [ExtensionRow(**dict(r)) for r in await self._fetch(
            "SELECT id, stay_id, decision_id, previous_authorised_to, authorised_to, extended_at "
            "FROM stay_extensions WHERE stay_id = $1 ORDER BY extended_at", stay_id)]

    async def stays_of_office(self, office_id: str | None, paging: Paging = Paging(),
                              filters: StayFilters = StayFilters(), today: date | None = None) -> Page[StayRow]:
        """The office's stays (`office_id` None: every office's), filtered, one page; open ones first."""
        async with self._pool.acquire() as conn:
            found, total = await fetch_page(
                conn, "s.*, p.name AS provider_name, u.name AS unit_name",
                "FROM stays s JOIN providers p ON p.id = s.provider_id JOIN units u ON u.id = s.unit_id "
                "WHERE ($1::text IS NULL OR s.office_id = $1) AND ($2::uuid IS NULL OR s.provider_id = $2) "
                "AND ($3::text IS NULL OR CASE WHEN s.check_out IS NOT NULL THEN 'ended' "
                "  WHEN s.check_in > $4 THEN 'planned' ELSE 'ongoing' END = $3)",
                [office_id, filters.provider_id, filters.status, today or clock.today()],
                STAY_SORTING.sql(paging.sort), paging)
        return Page([StayRow(rows.stay(r), r["provider_name"], r["unit_name"], r["created_at"], r["imported"])
                     for r in found], total, paging.page, paging.page_size)

    async def open_stays(self, office_id: str | None, today: date) -> list[OpenStayRow]:
        """Open stays with their household facts, provider and the household's nights so far (all stays)."""
        found = await self._fetch(
            "SELECT s.*, d.household, p.name AS provider_name, p.agreement_kind, p.accommodation, "
            "u.name AS unit_name, "
            "(SELECT coalesce(sum(least(coalesce(o.check_out, $2), $2) - o.check_in), 0) FROM stays o "
            " JOIN providers op ON op.id = o.provider_id WHERE o.household_id = s.household_id "
            " AND op.accommodation = 'temporary' AND o.check_in < $2) AS nights "
            "FROM stays s JOIN decisions d ON d.decision_id = s.decision_id JOIN providers p ON p.id = s.provider_id "
            "JOIN units u ON u.id = s.unit_id WHERE s.check_out IS NULL AND ($1::text IS NULL OR s.office_id = $1) "
            "ORDER BY s.check_in", office_id, today)
        return [OpenStayRow(rows.stay(r), rows.facts_from_json(r["household"]), r["provider_name"], r["unit_name"],
                            r["accommodation"], r["agreement_kind"], r["nights"]) for r in found]

    async def inspections_due(self, today: date, within_days: int) -> list[InspectionDueRow]:
        """Providers without agreement whose inspection falls due within `within_days` (negative: is past due),
        is missing or failed, with the households living there now."""
        found = await self._fetch(
            f"SELECT p.id AS provider_id, p.name, p.municipality, ins.inspected_on, ins.result, ins.next_due, "  # noqa: S608
            f"(SELECT count(*) FROM stays s WHERE s.provider_id = p.id AND s.check_out IS NULL) AS households "
            f"FROM providers p {rows.LATEST_INSPECTION} WHERE p.agreement_kind = 'none' "
            f"AND (ins.next_due IS NULL OR ins.next_due <= $1::date + $2::int OR ins.result = 'failed') "
            f"ORDER BY ins.next_due NULLS FIRST, p.name", today, within_days)
        return [InspectionDueRow(**dict(r)) for r in found]

    async def import_run(self, run_id: UUID) -> ImportRunRow | None:
        row = await self._fetchrow("SELECT * FROM import_runs WHERE id = $1", run_id)
        return ImportRunRow(**dict(row)) if row else None

    async def import_runs(self, office_id: str | None, limit: int = 10) -> list[ImportRunRow]:
        """The latest runs (an office leader's: their office's)."""
        return [ImportRunRow(**dict(r)) for r in await self._fetch(
            "SELECT * FROM import_runs WHERE ($1::text IS NULL OR office_id = $1) ORDER BY started_at DESC LIMIT $2",
            office_id, limit)]

    async def leader_queue(self, office_id: str) -> list[QueueRow]:
        """The office's placements and extensions a leader should see and no leader has marked as seen
        (domain/leader_queue.py), oldest first. Only stays with a justification or two warnings or more (a
        family past three months has both) can have items: the rest are not read."""
        found = await self._fetch(
            "SELECT s.*, p.name AS provider_name, u.name AS unit_name, e.id AS extension_id, "
            "e.extended_at AS extended_at, array(SELECT l.item_id FROM leader_seen l WHERE l.stay_id = s.id) AS seen "
            "FROM stays s JOIN providers p ON p.id = s.provider_id JOIN units u ON u.id = s.unit_id "
            "LEFT JOIN LATERAL (SELECT x.id, x.extended_at FROM stay_extensions x WHERE x.stay_id = s.id "
            "  ORDER BY x.extended_at DESC LIMIT 1) e ON true "
            "WHERE s.office_id = $1 AND NOT s.imported "
            "AND (s.justification IS NOT NULL OR jsonb_array_length(s.warnings) >= 2) ORDER BY s.check_in",
            office_id)
        out = []
        for r in found:
            latest = (LatestExtension(r["extension_id"], clock.today(r["extended_at"]))
                      if r["extension_id"] else None)
            seen = set(r["seen"])
            out += [QueueRow(item, r["provider_name"], r["unit_name"])
                    for item in items_of(rows.stay(r), latest) if item.item_id not in seen]
        return sorted(out, key=lambda q: q.item.at)

    async def planned_move_outs_due(self, today: date) -> list[UUID]:
        return [r["id"] for r in await self._fetch(
            "SELECT id FROM stays WHERE check_out IS NULL AND planned_check_out <= $1 ORDER BY planned_check_out",
            today)]
