"""What intake answers for `botilbud verify` (docs/reliability.md): the decisions in effect, each of which must
have its DecisionMade event — read from intake's own tables, so no other package runs SQL on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg


@dataclass(frozen=True)
class Made:
    id: UUID
    at: datetime


async def decisions_in_effect(conn: asyncpg.Connection) -> list[Made]:
    return [Made(r["id"], r["decided_at"])
            for r in await conn.fetch("SELECT id, decided_at FROM decisions WHERE status = 'in_effect'")]
