from __future__ import annotations

from uuid import UUID

import asyncpg

from services.billing.domain.model import Requisition

_COLUMNS = ("id, number, stay_id, household_id, office_id, provider_id, provider_name, provider_orgnr, unit_id, "
            "agreement_kind, period_from, period_to, price_per_night, status, closed_from")


class BillingRepository:
    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def next_sequence(self) -> int:
        return await self.conn.fetchval("SELECT nextval('requisition_number_seq')")

    async def add(self, r: Requisition) -> None:
        await self.conn.execute(
            f"INSERT INTO requisitions ({_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)",
            r.id, r.number, r.stay_id, r.household_id, r.office_id, r.provider_id, r.provider_name,
            r.provider_orgnr, r.unit_id, r.agreement_kind, r.period_from, r.period_to, r.price_per_night,
            r.status, r.closed_from)

    async def open_for_stay(self, stay_id: UUID) -> Requisition | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM requisitions WHERE stay_id = $1 ORDER BY period_from DESC LIMIT 1 FOR UPDATE",
            stay_id)
        return Requisition(**dict(row)) if row else None

    async def save_closed(self, r: Requisition) -> None:
        await self.conn.execute(
            "UPDATE requisitions SET status = $2, closed_from = $3, period_to = $4 WHERE id = $1",
            r.id, r.status, r.closed_from, r.period_to)

    async def list(self, office_id: str | None, limit: int = 1000) -> list[Requisition]:
        rows = await self.conn.fetch(
            f"SELECT {_COLUMNS} FROM requisitions WHERE ($1::text IS NULL OR office_id = $1) "
            "ORDER BY number DESC LIMIT $2", office_id, limit)
        return [Requisition(**dict(r)) for r in rows]
