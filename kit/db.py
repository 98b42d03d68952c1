"""PostgreSQL access: one asyncpg pool per service, on the service's own database."""

import json
from urllib.parse import urlsplit, urlunsplit

import asyncpg


async def _init_connection(conn: asyncpg.Connection) -> None:
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(typename, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(_plain(url), min_size=min_size, max_size=max_size, init=_init_connection)


async def ensure_database(url: str) -> None:
    """Create the database named in `url` if it does not exist (connecting to the server's `postgres` db)."""
    parts = urlsplit(_plain(url))
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    conn = await asyncpg.connect(admin)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def _plain(url: str) -> str:
    """asyncpg wants postgresql://; SQLAlchemy-style URLs name a driver."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def sqlalchemy_url(url: str) -> str:
    return _plain(url).replace("postgresql://", "postgresql+asyncpg://", 1)
