"""Placement's tables, through asyncpg on the unit of work's connection."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import asyncpg

from services.placement.domain.matching import Candidate
from services.placement.domain.model import (
    Agreement,
    GrantedDecision,
    HouseholdFacts,
    Inspection,
    Limits,
    Provider,
    Stay,
    Unit,
)

_LATEST_INSPECTION = """
    LEFT JOIN LATERAL (SELECT i.inspected_on, i.result, i.next_due, i.checklist FROM inspections i
                       WHERE i.provider_id = p.id ORDER BY i.inspected_on DESC, i.recorded_at DESC LIMIT 1) ins
    ON true"""
_PROVIDER_SELECT = ("SELECT p.*, ins.inspected_on, ins.result, ins.next_due, ins.checklist "
                    f"FROM providers p {_LATEST_INSPECTION}")


def address_key(address: str) -> str:
    return " ".join(address.lower().split())


class PlacementRepository:
    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    # --- providers, units, inspections -----------------------------------------------------------------------

    async def add_provider(self, p: Provider) -> None:
        a, lim = p.agreement, p.limits
        await self.conn.execute(
            "INSERT INTO providers (id, name, orgnr, kind, municipality, district, accommodation, agreement_kind, "
            "price_per_night, fixed_places, slug, address, agreement_valid_from, agreement_valid_to, target_groups, "
            "limit_sex, limit_min_age, limit_max_age, substance_free) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)",
            p.id, p.name, p.orgnr, p.kind, p.municipality, p.district, p.accommodation, a.kind, a.price_per_night,
            a.fixed_places, p.slug, p.address, a.valid_from, a.valid_to, list(a.target_groups), lim.sex,
            lim.min_age, lim.max_age, lim.substance_free)

    async def save_provider(self, p: Provider) -> None:
        a, lim = p.agreement, p.limits
        await self.conn.execute(
            "UPDATE providers SET name=$2, orgnr=$3, kind=$4, municipality=$5, district=$6, accommodation=$7, "
            "agreement_kind=$8, price_per_night=$9, fixed_places=$10, address=$11, agreement_valid_from=$12, "
            "agreement_valid_to=$13, target_groups=$14, limit_sex=$15, limit_min_age=$16, limit_max_age=$17, "
            "substance_free=$18, changed_at=now() WHERE id=$1",
            p.id, p.name, p.orgnr, p.kind, p.municipality, p.district, p.accommodation, a.kind, a.price_per_night,
            a.fixed_places, p.address, a.valid_from, a.valid_to, list(a.target_groups), lim.sex, lim.min_age,
            lim.max_age, lim.substance_free)

    async def orgnr_taken(self, orgnr: str, other_than: UUID | None = None) -> bool:
        return await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM providers WHERE orgnr = $1 AND id IS DISTINCT FROM $2)", orgnr, other_than)

    async def add_unit(self, u: Unit) -> None:
        await self.conn.execute(
            "INSERT INTO units (id, provider_id, name, beds, address, facilities, slug) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7)", u.id, u.provider_id, u.name, u.beds, u.address, u.facilities, u.slug)

    async def save_unit(self, u: Unit) -> None:
        await self.conn.execute("UPDATE units SET name=$2, beds=$3, address=$4, facilities=$5 WHERE id=$1",
                                u.id, u.name, u.beds, u.address, u.facilities)

    async def add_inspection(self, provider_id: UUID, i: Inspection) -> None:
        await self.conn.execute(
            "INSERT INTO inspections (id, provider_id, inspected_on, result, next_due, checklist) "
            "VALUES ($1,$2,$3,$4,$5,$6)", uuid4(), provider_id, i.inspected_on, i.result, i.next_due, i.checklist)

    async def provider(self, provider_id: UUID, *, for_update: bool = False) -> Provider | None:
        if for_update:
            await self.conn.execute("SELECT 1 FROM providers WHERE id = $1 FOR UPDATE", provider_id)
        row = await self.conn.fetchrow(f"{_PROVIDER_SELECT} WHERE p.id = $1", provider_id)
        return _provider(row) if row else None

    async def providers(self) -> list[Provider]:
        return [_provider(r) for r in await self.conn.fetch(f"{_PROVIDER_SELECT} ORDER BY p.municipality, p.name")]

    async def units_of(self, provider_id: UUID) -> list[Unit]:
        return [_unit(r) for r in await self.conn.fetch(
            "SELECT * FROM units WHERE provider_id = $1 ORDER BY name", provider_id)]

    async def unit(self, unit_id: UUID) -> Unit | None:
        row = await self.conn.fetchrow("SELECT * FROM units WHERE id = $1", unit_id)
        return _unit(row) if row else None

    async def unit_for_update(self, unit_id: UUID) -> Unit | None:
        """Locks the unit row: concurrent placements into one unit take turns, so capacity holds."""
        row = await self.conn.fetchrow("SELECT * FROM units WHERE id = $1 FOR UPDATE", unit_id)
        return _unit(row) if row else None

    async def lock_address(self, address: str) -> None:
        """Serialises placements at one address, so the co-location rule holds under concurrency too."""
        await self.conn.execute("SELECT pg_advisory_xact_lock(hashtext('placement-address:' || $1))",
                                address_key(address))

    async def count_providers(self) -> int:
        return await self.conn.fetchval("SELECT count(*) FROM providers")

    # --- matching --------------------------------------------------------------------------------------------

    async def candidates(self, unit_id: UUID | None = None) -> list[Candidate]:
        """Every unit (or one) with its open stays and who lives at its address now."""
        providers = {p.id: p for p in await self.providers()}
        rows = await self.conn.fetch(
            "SELECT u.*, (SELECT count(*) FROM stays s WHERE s.unit_id = u.id AND s.check_out IS NULL) AS households "
            "FROM units u WHERE ($1::uuid IS NULL OR u.id = $1) ORDER BY u.name", unit_id)
        groups = {r["key"]: (r["substance"], r["others"]) for r in await self.conn.fetch(
            "SELECT lower(btrim(regexp_replace(u.address, '\\s+', ' ', 'g'))) AS key, "
            "bool_or(s.substance_group) AS substance, bool_or(NOT s.substance_group) AS others "
            "FROM stays s JOIN units u ON u.id = s.unit_id "
            "WHERE s.check_out IS NULL GROUP BY 1")}
        out = []
        for r in rows:
            substance, others = groups.get(address_key(r["address"]), (False, False))
            out.append(Candidate(providers[r["provider_id"]], _unit(r), r["households"], bool(substance),
                                 bool(others)))
        return out

    async def occupied(self, unit_id: UUID) -> int:
        return await self.conn.fetchval(
            "SELECT count(*) FROM stays WHERE unit_id = $1 AND check_out IS NULL", unit_id)

    # --- decisions -------------------------------------------------------------------------------------------

    async def upsert_decision(self, d: GrantedDecision) -> None:
        await self.conn.execute(
            "INSERT INTO decisions (decision_id, household_id, office_id, municipality, district, outcome, "
            "period_from, period_to, household, extends_decision_id, conditions) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (decision_id) DO NOTHING",
            d.decision_id, d.household_id, d.office_id, d.municipality, d.district, d.outcome, d.period_from,
            d.period_to, _facts_json(d.household), d.extends_decision_id, list(d.conditions))

    async def decision(self, decision_id: UUID) -> GrantedDecision | None:
        row = await self.conn.fetchrow("SELECT * FROM decisions WHERE decision_id = $1", decision_id)
        return _decision(row) if row else None

    async def decisions_of(self, household_id: UUID) -> list[GrantedDecision]:
        return [_decision(r) for r in await self.conn.fetch(
            "SELECT * FROM decisions WHERE household_id = $1 ORDER BY period_from NULLS FIRST, recorded_at",
            household_id)]

    async def granted_decisions_awaiting_place(self, office_id: str | None, today: date) -> list[asyncpg.Record]:
        return await self.conn.fetch(
            "SELECT d.* FROM decisions d WHERE d.outcome = 'granted' AND d.period_to >= $2 AND NOT d.imported "
            "AND ($1::text IS NULL OR d.office_id = $1) "
            "AND NOT EXISTS (SELECT 1 FROM stays s WHERE s.household_id = d.household_id AND s.check_out IS NULL) "
            "AND NOT EXISTS (SELECT 1 FROM stays s WHERE s.decision_id = d.decision_id) "
            "AND NOT EXISTS (SELECT 1 FROM stay_extensions e WHERE e.decision_id = d.decision_id) "
            "ORDER BY d.period_from", office_id, today)

    # --- stays -----------------------------------------------------------------------------------------------

    async def has_open_stay(self, household_id: UUID) -> bool:
        return await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM stays WHERE household_id = $1 AND check_out IS NULL)", household_id)

    async def open_stay_of(self, household_id: UUID, *, for_update: bool = False) -> Stay | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM stays WHERE household_id = $1 AND check_out IS NULL"
            + (" FOR UPDATE" if for_update else ""), household_id)
        return _stay(row) if row else None

    async def earlier_nights(self, household_id: UUID, *, excluding: UUID | None = None) -> int:
        """Nights in earlier (closed) temporary-accommodation stays of the household."""
        return await self.conn.fetchval(
            "SELECT coalesce(sum(s.check_out - s.check_in), 0) FROM stays s JOIN providers p ON p.id = s.provider_id "
            "WHERE s.household_id = $1 AND s.check_out IS NOT NULL AND p.accommodation = 'temporary' "
            "AND s.id IS DISTINCT FROM $2", household_id, excluding)

    async def add_stay(self, s: Stay) -> None:
        await self.conn.execute(
            "INSERT INTO stays (id, household_id, decision_id, unit_id, provider_id, check_in, authorised_to, "
            "justification, office_id, municipality, substance_group, moved_from_stay_id, warnings) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)",
            s.id, s.household_id, s.decision_id, s.unit_id, s.provider_id, s.check_in, s.authorised_to,
            s.justification, s.office_id, s.municipality, s.substance_group, s.moved_from_stay_id, list(s.warnings))

    async def stay(self, stay_id: UUID, *, for_update: bool = False) -> Stay | None:
        row = await self.conn.fetchrow("SELECT * FROM stays WHERE id = $1" + (" FOR UPDATE" if for_update else ""),
                                       stay_id)
        return _stay(row) if row else None

    async def stay_for_update(self, stay_id: UUID) -> Stay | None:
        return await self.stay(stay_id, for_update=True)

    async def save_move_out(self, s: Stay) -> None:
        await self.conn.execute("UPDATE stays SET check_out = $2, destination = $3 WHERE id = $1",
                                s.id, s.check_out, s.destination)

    async def save_extension(self, s: Stay, previous_authorised_to: date, at) -> None:
        await self.conn.execute("UPDATE stays SET decision_id = $2, authorised_to = $3, warnings = $4 WHERE id = $1",
                                s.id, s.decision_id, s.authorised_to, list(s.warnings))
        await self.conn.execute(
            "INSERT INTO stay_extensions (id, stay_id, decision_id, previous_authorised_to, authorised_to, "
            "extended_at) VALUES ($1,$2,$3,$4,$5,$6)", uuid4(), s.id, s.decision_id, previous_authorised_to,
            s.authorised_to, at)

    async def extensions_of(self, stay_id: UUID) -> list[asyncpg.Record]:
        return await self.conn.fetch("SELECT * FROM stay_extensions WHERE stay_id = $1 ORDER BY extended_at",
                                     stay_id)

    # --- imported history ------------------------------------------------------------------------------------

    async def units_with_households(self) -> list[tuple[Unit, int]]:
        """Every unit with the households in it now (0 or 1), by provider and name."""
        rows = await self.conn.fetch(
            "SELECT u.*, (SELECT count(*) FROM stays s WHERE s.unit_id = u.id AND s.check_out IS NULL) AS households "
            "FROM units u ORDER BY u.provider_id, u.name, u.id")
        return [(_unit(r), r["households"]) for r in rows]

    async def existing_stay_ids(self, ids: list[UUID]) -> set[UUID]:
        return {r["id"] for r in await self.conn.fetch("SELECT id FROM stays WHERE id = ANY($1::uuid[])", ids)}

    async def stay_spans(self, household_ids: list[UUID]) -> dict[UUID, list[tuple[UUID, date, date | None]]]:
        out: dict[UUID, list[tuple[UUID, date, date | None]]] = {}
        for r in await self.conn.fetch("SELECT id, household_id, check_in, check_out FROM stays "
                                       "WHERE household_id = ANY($1::uuid[])", household_ids):
            out.setdefault(r["household_id"], []).append((r["id"], r["check_in"], r["check_out"]))
        return out

    async def lock_imports(self) -> None:
        """One import at a time: two uploads of one file cannot both write it."""
        await self.conn.execute("SELECT pg_advisory_xact_lock(hashtext('placement-import-stays'))")

    async def add_imported_stay(self, s: Stay, d: GrantedDecision) -> None:
        await self.conn.execute(
            "INSERT INTO decisions (decision_id, household_id, office_id, municipality, district, outcome, "
            "period_from, period_to, household, imported) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,true) "
            "ON CONFLICT (decision_id) DO NOTHING",
            d.decision_id, d.household_id, d.office_id, d.municipality, d.district, d.outcome, d.period_from,
            d.period_to, _facts_json(d.household))
        await self.add_stay(s)
        await self.conn.execute("UPDATE stays SET imported = true, check_out = $2, destination = $3 WHERE id = $1",
                                s.id, s.check_out, s.destination)

    # --- live views (read placement's own tables, which change in the event's transaction) --------------------

    async def capacity(self, municipality: str | None) -> list[asyncpg.Record]:
        return await self.conn.fetch(
            "SELECT p.id AS provider_id, p.name AS provider, p.municipality, p.district, p.accommodation, "
            "p.agreement_kind, u.id AS unit_id, u.name AS unit, u.beds, u.address, u.facilities, "
            "(SELECT count(*) FROM stays s WHERE s.unit_id = u.id AND s.check_out IS NULL) AS occupied "
            "FROM units u JOIN providers p ON p.id = u.provider_id "
            "WHERE ($1::text IS NULL OR p.municipality = $1) ORDER BY p.municipality, p.name, u.name",
            municipality)

    async def open_stays(self, office_id: str | None) -> list[asyncpg.Record]:
        """Open stays with their household facts, provider and the household's nights so far (all stays)."""
        return await self.conn.fetch(
            "SELECT s.*, d.household, d.period_to, p.name AS provider, p.agreement_kind, p.accommodation, "
            "p.municipality AS provider_municipality, u.name AS unit, "
            "(SELECT coalesce(sum(coalesce(o.check_out, current_date) - o.check_in), 0) FROM stays o "
            " JOIN providers op ON op.id = o.provider_id WHERE o.household_id = s.household_id "
            " AND op.accommodation = 'temporary') AS nights "
            "FROM stays s JOIN decisions d ON d.decision_id = s.decision_id JOIN providers p ON p.id = s.provider_id "
            "JOIN units u ON u.id = s.unit_id WHERE s.check_out IS NULL AND ($1::text IS NULL OR s.office_id = $1) "
            "ORDER BY s.check_in", office_id)

    async def stays_of_office(self, office_id: str | None, limit: int = 200) -> list[asyncpg.Record]:
        return await self.conn.fetch(
            "SELECT s.*, p.name AS provider, u.name AS unit FROM stays s JOIN providers p ON p.id = s.provider_id "
            "JOIN units u ON u.id = s.unit_id WHERE ($1::text IS NULL OR s.office_id = $1) "
            "ORDER BY s.check_out IS NOT NULL, s.check_in DESC LIMIT $2", office_id, limit)

    async def inspections_due(self, today: date, within_days: int) -> list[asyncpg.Record]:
        return await self.conn.fetch(
            f"SELECT p.id AS provider_id, p.name, p.municipality, ins.inspected_on, ins.result, ins.next_due, "
            f"(SELECT count(*) FROM stays s WHERE s.provider_id = p.id AND s.check_out IS NULL) AS households "
            f"FROM providers p {_LATEST_INSPECTION} WHERE p.agreement_kind = 'none' "
            f"AND (ins.next_due IS NULL OR ins.next_due <= $1::date + $2::int OR ins.result = 'failed') "
            f"ORDER BY ins.next_due NULLS FIRST, p.name", today, within_days)


def _facts_json(f: HouseholdFacts) -> dict:
    return {"applicant_birth_date": f.applicant_birth_date.isoformat(),
            "children_birth_dates": [c.isoformat() for c in f.children_birth_dates],
            "adults": f.adults, "needs": f.needs}


def facts_from_json(h: dict) -> HouseholdFacts:
    return HouseholdFacts(date.fromisoformat(h["applicant_birth_date"]),
                          tuple(date.fromisoformat(c) for c in h.get("children_birth_dates", [])),
                          int(h.get("adults", 1)), dict(h.get("needs", {})))


def _provider(row) -> Provider:
    inspection = None
    if row["inspected_on"] is not None:
        inspection = Inspection(row["inspected_on"], row["result"], row["next_due"], dict(row["checklist"] or {}))
    return Provider(
        row["id"], row["name"], row["orgnr"], row["kind"], row["municipality"], row["district"],
        row["accommodation"],
        Agreement(row["agreement_kind"], row["price_per_night"], row["fixed_places"], row["agreement_valid_from"],
                  row["agreement_valid_to"], tuple(row["target_groups"] or ())),
        row["address"], Limits(row["limit_sex"], row["limit_min_age"], row["limit_max_age"], row["substance_free"]),
        inspection, row["slug"])


def _unit(row) -> Unit:
    return Unit(row["id"], row["provider_id"], row["name"], row["beds"], row["address"],
                dict(row["facilities"] or {}), row["slug"])


def _stay(row) -> Stay:
    return Stay(row["id"], row["household_id"], row["decision_id"], row["unit_id"], row["provider_id"],
                row["check_in"], row["authorised_to"], row["check_out"], row["destination"], row["justification"],
                row["office_id"], row["municipality"], row["substance_group"], row["moved_from_stay_id"],
                tuple(row["warnings"] or ()))


def _decision(row) -> GrantedDecision:
    return GrantedDecision(row["decision_id"], row["household_id"], row["office_id"], row["municipality"],
                           row["district"], row["outcome"], row["period_from"], row["period_to"],
                           facts_from_json(row["household"]), row["extends_decision_id"],
                           tuple(row["conditions"] or ()))
