"""The office registry in intake's database: load, add and save offices (asyncpg, on the unit of work's
connection). Every office loaded or added is remembered (`seen`, shared with the other repository) so the unit
of work can collect the events it recorded."""

from __future__ import annotations

import zlib

import asyncpg

from services.intake.domain.errors import Conflict
from services.intake.domain.offices import Office, key

COLUMNS = "id, name, municipality, district, second_approval, address, phone, email, closed_at IS NOT NULL AS closed"
ONE = f"SELECT {COLUMNS} FROM offices WHERE id = $1"  # noqa: S608 - constant columns
ALL = f"SELECT {COLUMNS} FROM offices ORDER BY municipality, name_key"  # noqa: S608
_REGISTRY_LOCK = zlib.crc32(b"intake:offices")


def office_of(row: asyncpg.Record) -> Office:
    return Office(row["id"], row["name"], row["municipality"], row["district"], row["second_approval"],
                  row["address"], row["phone"], row["email"], row["closed"])


class OfficeRepository:
    def __init__(self, conn: asyncpg.Connection, seen: list[object]):
        self.conn = conn
        self.seen = seen

    def _seen(self, office: Office | None) -> Office | None:
        if office is not None:
            self.seen.append(office)
        return office

    async def lock(self) -> None:
        """One writer of the registry at a time (registrations and imports compare names, then write)."""
        await self.conn.execute("SELECT pg_advisory_xact_lock($1)", _REGISTRY_LOCK)

    async def get(self, office_id: str, *, for_update: bool = False) -> Office | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(ONE + lock, office_id)
        return self._seen(office_of(row)) if row else None

    async def all(self) -> list[Office]:
        return [self._seen(office_of(r)) for r in await self.conn.fetch(ALL)]

    async def ids(self) -> set[str]:
        return {r["id"] for r in await self.conn.fetch("SELECT id FROM offices")}

    async def add(self, o: Office) -> None:
        try:
            await self.conn.execute(
                "INSERT INTO offices (id, name, name_key, municipality, district, second_approval, address, phone, "
                "email) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)", o.id, o.name, key(o.name), o.municipality,
                o.district, o.second_approval, o.address, o.phone, o.email)
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(f"Kommunen har allerede et Nav-kontor som heter {o.name}.", "name") from exc
        self._seen(o)

    async def save(self, o: Office) -> None:
        try:
            await self.conn.execute(
                "UPDATE offices SET name = $2, name_key = $3, district = $4, second_approval = $5, address = $6, "
                "phone = $7, email = $8, closed_at = CASE WHEN $9 THEN coalesce(closed_at, now()) END, "
                "changed_at = now() WHERE id = $1", o.id, o.name, key(o.name), o.district, o.second_approval,
                o.address, o.phone, o.email, o.closed)
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(f"Kommunen har allerede et Nav-kontor som heter {o.name}.", "name") from exc
