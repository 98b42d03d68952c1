"""What placement answers for `botilbud verify` (the system's invariants, docs/reliability.md): its stays,
their move-outs and extensions, and the facts KOSTRA is computed from — read from placement's own tables, so
no other package runs SQL on them."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg


@dataclass(frozen=True)
class Made:
    """A thing that must have its event: its id and when it was made."""

    id: UUID
    at: datetime


@dataclass(frozen=True)
class StayTerms:
    id: UUID
    authorised_to: date
    check_out: date | None
    settled: bool
    """Made longer ago than the grace period: its requisition should be in billing by now."""


@dataclass(frozen=True)
class KostraStay:
    """One stay as KOSTRA counts it: the household, where and what kind, when, and the household's ages."""

    household_id: UUID
    accommodation: str
    check_in: date
    check_out: date | None
    applicant_birth_date: date
    children_birth_dates: tuple[date, ...]


async def stays(conn: asyncpg.Connection) -> list[Made]:
    return [Made(r["id"], r["created_at"]) for r in await conn.fetch("SELECT id, created_at FROM stays")]


async def moved_out_stays(conn: asyncpg.Connection) -> list[Made]:
    return [Made(r["id"], r["created_at"])
            for r in await conn.fetch("SELECT id, created_at FROM stays WHERE check_out IS NOT NULL")]


async def extensions_per_stay(conn: asyncpg.Connection, *, since: datetime | None = None) -> dict[UUID, int]:
    rows = await conn.fetch("SELECT stay_id, count(*) AS n FROM stay_extensions "
                            "WHERE $1::timestamptz IS NULL OR extended_at >= $1 GROUP BY 1", since)
    return {r["stay_id"]: r["n"] for r in rows}


async def stay_terms(conn: asyncpg.Connection, grace_seconds: float) -> dict[UUID, StayTerms]:
    rows = await conn.fetch("SELECT id, authorised_to, check_out, "
                            "created_at < now() - make_interval(secs => $1) AS settled FROM stays", grace_seconds)
    return {r["id"]: StayTerms(r["id"], r["authorised_to"], r["check_out"], r["settled"]) for r in rows}


async def kostra_stays(conn: asyncpg.Connection) -> dict[str, list[KostraStay]]:
    """Every stay, by municipality, with the facts of its household from the decision it follows."""
    rows = await conn.fetch(
        "SELECT s.household_id, s.municipality, p.accommodation, s.check_in, s.check_out, d.household "
        "FROM stays s JOIN providers p ON p.id = s.provider_id JOIN decisions d ON d.decision_id = s.decision_id")
    out: dict[str, list[KostraStay]] = defaultdict(list)
    for r in rows:
        h = r["household"] if isinstance(r["household"], dict) else json.loads(r["household"])
        out[r["municipality"]].append(KostraStay(
            r["household_id"], r["accommodation"], r["check_in"], r["check_out"],
            date.fromisoformat(h["applicant_birth_date"]),
            tuple(date.fromisoformat(c) for c in h.get("children_birth_dates", []))))
    return dict(out)
