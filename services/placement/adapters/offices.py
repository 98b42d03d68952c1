"""Placement's office projection: written from intake's office events, newest state wins (a republished or
late event never overwrites a newer one)."""

from __future__ import annotations

import asyncpg

from services.placement.domain.history import Office
from services.placement.domain.offices import RecordOffice

OFFICE_COLUMNS = "id, name, municipality, district"


class OfficeRepository:
    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    async def record(self, o: RecordOffice) -> None:
        await self.conn.execute(
            "INSERT INTO offices (id, name, municipality, district, closed, version_time) "
            "VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, "
            "municipality = EXCLUDED.municipality, district = EXCLUDED.district, closed = EXCLUDED.closed, "
            "version_time = EXCLUDED.version_time WHERE EXCLUDED.version_time >= offices.version_time",
            o.office_id, o.name, o.municipality, o.district, o.closed, o.at)

    async def get(self, office_id: str) -> Office | None:
        """An office as its newest event left it (closed ones too)."""
        r = await self.conn.fetchrow(f"SELECT {OFFICE_COLUMNS} FROM offices WHERE id = $1", office_id)  # noqa: S608
        return Office(r["id"], r["name"], r["municipality"], r["district"]) if r else None

    async def all(self) -> list[Office]:
        """Every office placement knows, closed ones too (their history is history)."""
        rows = await self.conn.fetch(f"SELECT {OFFICE_COLUMNS} FROM offices ORDER BY municipality, name")  # noqa: S608
        return [Office(r["id"], r["name"], r["municipality"], r["district"]) for r in rows]
