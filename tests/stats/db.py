"""A fresh, migrated stats database on the session's embedded PostgreSQL, for tests below the stack."""

from __future__ import annotations

import uuid
from functools import partial
from pathlib import Path

from kit.db import create_pool, ensure_database
from kit.migrations import upgrade
from services.stats.adapters import events
from services.stats.adapters.projections import PROJECTION_TABLES
from services.stats.adapters.queries import StatsQueries
from services.stats.bootstrap import message_bus
from services.stats.service_layer.unit_of_work import StatsUnitOfWork

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "stats" / "adapters" / "migrations" / "versions"


async def new_database(pg_url: str) -> str:
    url = f"{pg_url}/stats_{uuid.uuid4().hex[:10]}"
    await ensure_database(url)
    await upgrade(url, MIGRATIONS)
    return url


async def uow_factory_for(url: str):
    pool = await create_pool(url)
    return pool, partial(StatsUnitOfWork, pool, service="stats", translate=events.translate)


async def stats_parts(url: str):
    """A pool, stats' bus and its queries on the database at `url` (the caller closes the pool)."""
    pool, uow_factory = await uow_factory_for(url)
    return pool, message_bus(uow_factory), StatsQueries(pool)


async def empty(pool) -> None:
    """Empty every projection and stats' inbox (between the examples of a property test)."""
    async with pool.acquire() as conn:
        await conn.execute(f"TRUNCATE {', '.join(PROJECTION_TABLES)}; DELETE FROM inbox; DELETE FROM rebuilds; "
                           "DROP SCHEMA IF EXISTS stats_rebuild CASCADE")
