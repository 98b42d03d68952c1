"""PostgreSQL access: one asyncpg pool per service, on the service's own database."""

import json
import zlib
from urllib.parse import urlsplit, urlunsplit

import asyncpg

_CREATE_LOCK = zlib.crc32(b"botilbud:create-database")


async def _init_connection(conn: asyncpg.Connection) -> None:
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(typename, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(plain_url(url), min_size=min_size, max_size=max_size, init=_init_connection)


async def ensure_database(url: str) -> None:
    """Create the database named in `url` if it does not exist (connecting to the server's `postgres` db).
    Processes started together would race to create it: they take turns under an advisory lock on the
    server's `postgres` database, and one that still meets the database created is content."""
    parts = urlsplit(plain_url(url))
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _CREATE_LOCK)  # released when the connection closes
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            try:
                await conn.execute(f'CREATE DATABASE "{name}"')
            except (asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
                pass  # created meanwhile by a process that does not take the lock
    finally:
        await conn.close()


def plain_url(url: str) -> str:
    """asyncpg wants postgresql://; SQLAlchemy-style URLs name a driver."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


_plain = plain_url  # the older name


def sqlalchemy_url(url: str) -> str:
    return plain_url(url).replace("postgresql://", "postgresql+asyncpg://", 1)
