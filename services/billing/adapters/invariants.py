"""What billing answers for `botilbud verify` (docs/reliability.md): its requisitions, read from billing's own
tables, so no other package runs SQL on them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg


@dataclass(frozen=True)
class Made:
    id: UUID
    at: datetime


@dataclass(frozen=True)
class RequisitionTerms:
    number: str
    stay_id: UUID
    period_to: date
    status: str
    closed_from: date | None


async def requisitions(conn: asyncpg.Connection) -> list[Made]:
    return [Made(r["id"], r["created_at"]) for r in await conn.fetch("SELECT id, created_at FROM requisitions")]


async def closed_requisitions(conn: asyncpg.Connection) -> list[Made]:
    return [Made(r["id"], r["created_at"])
            for r in await conn.fetch("SELECT id, created_at FROM requisitions WHERE status = 'closed'")]


async def requisitions_by_stay(conn: asyncpg.Connection) -> dict[UUID, list[RequisitionTerms]]:
    out: dict[UUID, list[RequisitionTerms]] = defaultdict(list)
    for r in await conn.fetch("SELECT number, stay_id, period_to, status, closed_from FROM requisitions"):
        out[r["stay_id"]].append(RequisitionTerms(r["number"], r["stay_id"], r["period_to"], r["status"],
                                                  r["closed_from"]))
    return dict(out)
