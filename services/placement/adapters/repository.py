"""Placement's tables, through asyncpg on the unit of work's connection."""

from __future__ import annotations

import json
from datetime import date
from uuid import UUID

import asyncpg

from services.placement.domain.model import GrantedDecision, HouseholdFacts, Provider, Stay, Unit


class PlacementRepository:
    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def add_provider(self, p: Provider, extra: dict) -> None:
        await self.conn.execute(
            "INSERT INTO providers (id, name, orgnr, kind, municipality, district, accommodation, "
            "agreement_kind, price_per_night, fixed_places, details) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
            p.id, p.name, p.orgnr, p.kind, p.municipality, p.district, p.accommodation, p.agreement_kind,
            p.price_per_night, p.fixed_places, extra)

    async def add_unit(self, u: Unit) -> None:
        await self.conn.execute(
            "INSERT INTO units (id, provider_id, name, beds, address, facilities) VALUES ($1,$2,$3,$4,$5,$6)",
            u.id, u.provider_id, u.name, u.beds, u.address, u.facilities)

    async def provider(self, provider_id: UUID) -> Provider | None:
        row = await self.conn.fetchrow("SELECT * FROM providers WHERE id = $1", provider_id)
        return _provider(row) if row else None

    async def unit_for_update(self, unit_id: UUID) -> Unit | None:
        """Locks the unit row: concurrent placements into one unit take turns, so capacity holds."""
        row = await self.conn.fetchrow("SELECT * FROM units WHERE id = $1 FOR UPDATE", unit_id)
        return _unit(row) if row else None

    async def occupied(self, unit_id: UUID) -> int:
        return await self.conn.fetchval(
            "SELECT count(*) FROM stays WHERE unit_id = $1 AND check_out IS NULL", unit_id)

    async def has_open_stay(self, household_id: UUID) -> bool:
        return await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM stays WHERE household_id = $1 AND check_out IS NULL)", household_id)

    async def upsert_decision(self, d: GrantedDecision) -> None:
        await self.conn.execute(
            "INSERT INTO decisions (decision_id, household_id, office_id, municipality, district, outcome, "
            "period_from, period_to, household) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) "
            "ON CONFLICT (decision_id) DO NOTHING",
            d.decision_id, d.household_id, d.office_id, d.municipality, d.district, d.outcome, d.period_from,
            d.period_to, _facts_json(d.household))

    async def decision(self, decision_id: UUID) -> GrantedDecision | None:
        row = await self.conn.fetchrow("SELECT * FROM decisions WHERE decision_id = $1", decision_id)
        return _decision(row) if row else None

    async def add_stay(self, s: Stay) -> None:
        await self.conn.execute(
            "INSERT INTO stays (id, household_id, decision_id, unit_id, provider_id, check_in, authorised_to, "
            "justification) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
            s.id, s.household_id, s.decision_id, s.unit_id, s.provider_id, s.check_in, s.authorised_to,
            s.justification)

    async def stay_for_update(self, stay_id: UUID) -> Stay | None:
        row = await self.conn.fetchrow("SELECT * FROM stays WHERE id = $1 FOR UPDATE", stay_id)
        if row is None:
            return None
        return Stay(row["id"], row["household_id"], row["decision_id"], row["unit_id"], row["provider_id"],
                    row["check_in"], row["authorised_to"], row["check_out"], row["destination"],
                    row["justification"])

    async def save_move_out(self, s: Stay) -> None:
        await self.conn.execute("UPDATE stays SET check_out = $2, destination = $3 WHERE id = $1",
                                s.id, s.check_out, s.destination)

    async def count_providers(self) -> int:
        return await self.conn.fetchval("SELECT count(*) FROM providers")

    async def capacity(self, municipality: str | None) -> list[asyncpg.Record]:
        return await self.conn.fetch(
            "SELECT p.id AS provider_id, p.name AS provider, p.municipality, p.accommodation, p.agreement_kind, "
            "u.id AS unit_id, u.name AS unit, u.beds, "
            "(SELECT count(*) FROM stays s WHERE s.unit_id = u.id AND s.check_out IS NULL) AS occupied "
            "FROM units u JOIN providers p ON p.id = u.provider_id "
            "WHERE ($1::text IS NULL OR p.municipality = $1) ORDER BY p.municipality, p.name, u.name",
            municipality)

    async def granted_decisions_awaiting_place(self, office_id: str | None, today: date) -> list[asyncpg.Record]:
        return await self.conn.fetch(
            "SELECT d.* FROM decisions d WHERE d.outcome = 'granted' AND d.period_to >= $2 "
            "AND ($1::text IS NULL OR d.office_id = $1) "
            "AND NOT EXISTS (SELECT 1 FROM stays s WHERE s.household_id = d.household_id AND s.check_out IS NULL) "
            "ORDER BY d.period_from", office_id, today)


def _facts_json(f: HouseholdFacts) -> dict:
    return {"applicant_birth_date": f.applicant_birth_date.isoformat(),
            "children_birth_dates": [c.isoformat() for c in f.children_birth_dates],
            "adults": f.adults, "needs": f.needs}


def _provider(row) -> Provider:
    return Provider(row["id"], row["name"], row["orgnr"], row["kind"], row["municipality"], row["district"],
                    row["accommodation"], row["agreement_kind"], row["price_per_night"], row["fixed_places"])


def _unit(row) -> Unit:
    return Unit(row["id"], row["provider_id"], row["name"], row["beds"], row["address"],
                dict(row["facilities"] or {}))


def _decision(row) -> GrantedDecision:
    h = row["household"] if isinstance(row["household"], dict) else json.loads(row["household"])
    facts = HouseholdFacts(date.fromisoformat(h["applicant_birth_date"]),
                           tuple(date.fromisoformat(c) for c in h["children_birth_dates"]), h["adults"],
                           h.get("needs", {}))
    return GrantedDecision(row["decision_id"], row["household_id"], row["office_id"], row["municipality"],
                           row["district"], row["outcome"], row["period_from"], row["period_to"], facts)
