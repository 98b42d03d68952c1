"""Intake's tables, through asyncpg on the unit of work's connection."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from services.intake.domain.model import Application, Decision, Household


class IntakeRepository:
    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def household_by_lookup_hash(self, lookup_hash: bytes) -> Household | None:
        row = await self.conn.fetchrow("SELECT * FROM households WHERE identity_hash = $1", lookup_hash)
        return _household(row) if row else None

    async def household(self, household_id: UUID) -> Household | None:
        row = await self.conn.fetchrow("SELECT * FROM households WHERE id = $1", household_id)
        return _household(row) if row else None

    async def add_household(self, h: Household, identity_hash: bytes, identity_encrypted: bytes,
                            name_encrypted: bytes) -> None:
        await self.conn.execute(
            "INSERT INTO households (id, office_id, identity_hash, identity_encrypted, name_encrypted, "
            "applicant_birth_date, children_birth_dates, adults, needs) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
            h.id, h.office_id, identity_hash, identity_encrypted, name_encrypted, h.applicant_birth_date,
            h.children_birth_dates, h.adults, h.needs)

    async def update_household_facts(self, h: Household) -> None:
        await self.conn.execute(
            "UPDATE households SET children_birth_dates = $2, adults = $3, needs = $4 WHERE id = $1",
            h.id, h.children_birth_dates, h.adults, h.needs)

    async def add_application(self, a: Application) -> None:
        await self.conn.execute(
            "INSERT INTO applications (id, household_id, office_id, received_at, channel, urgent, status) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7)",
            a.id, a.household_id, a.office_id, a.received_at, a.channel, a.urgent, a.status)

    async def application_for_update(self, application_id: UUID) -> Application | None:
        row = await self.conn.fetchrow("SELECT * FROM applications WHERE id = $1 FOR UPDATE", application_id)
        return Application(row["id"], row["household_id"], row["office_id"], row["received_at"],
                           row["channel"], row["urgent"], row["status"]) if row else None

    async def save_application_status(self, a: Application) -> None:
        await self.conn.execute("UPDATE applications SET status = $2 WHERE id = $1", a.id, a.status)

    async def add_decision(self, d: Decision) -> None:
        await self.conn.execute(
            "INSERT INTO decisions (id, application_id, household_id, outcome, period_from, period_to, "
            "decided_at, conditions) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
            d.id, d.application_id, d.household_id, d.outcome, d.period_from, d.period_to, d.decided_at,
            d.conditions)

    async def applications(self, office_id: str | None) -> list[asyncpg.Record]:
        return await self.conn.fetch(
            "SELECT a.id, a.household_id, a.office_id, a.received_at, a.channel, a.urgent, a.status, "
            "d.outcome, d.period_from, d.period_to FROM applications a "
            "LEFT JOIN decisions d ON d.application_id = a.id "
            "WHERE ($1::text IS NULL OR a.office_id = $1) ORDER BY a.received_at DESC LIMIT 500", office_id)


def _household(row: asyncpg.Record) -> Household:
    return Household(row["id"], row["office_id"], row["applicant_birth_date"],
                     list(row["children_birth_dates"] or []), row["adults"], dict(row["needs"] or {}))
