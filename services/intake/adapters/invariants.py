"""What intake answers for `botilbud verify` (docs/reliability.md): the decisions in effect, each of which must
have its DecisionMade event, and the offices, each with its OfficeRegistered event (and a closed one with its
OfficeClosed) — read from intake's own tables, so no other package runs SQL on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg


@dataclass(frozen=True)
class Made:
    id: UUID | str
    at: datetime


async def decisions_in_effect(conn: asyncpg.Connection) -> list[Made]:
    return [Made(r["id"], r["decided_at"])
            for r in await conn.fetch("SELECT id, decided_at FROM decisions WHERE status = 'in_effect'")]


async def offices(conn: asyncpg.Connection) -> list[Made]:
    return [Made(r["id"], r["registered_at"]) for r in await conn.fetch("SELECT id, registered_at FROM offices")]


async def closed_offices(conn: asyncpg.Connection) -> list[Made]:
    return [Made(r["id"], r["closed_at"])
            for r in await conn.fetch("SELECT id, closed_at FROM offices WHERE closed_at IS NOT NULL")]
