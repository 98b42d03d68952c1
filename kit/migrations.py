"""Schema migrations with Alembic: one versions folder per service, run against the service's own database,
and the kit's own chain (`kit/alembic/kit_versions`, version table `kit_alembic_version`) for the tables every
service database has (dead letters, the republish request, the retention record). The kit's chain runs first,
then the service's; the two never share a revision or a version table, so services add migrations freely.

One migrator at a time per database: every process runs the migrations at start-up, so replicas started
together would race (two `CREATE TABLE`s, two rows in the version table). `upgrade` holds a PostgreSQL
advisory lock on the database for the whole upgrade; the next migrator waits, then finds nothing to do.
Creating the database is serialised the same way on the server (`kit.db.ensure_database`).

Migrations are plain SQL through `op.execute`. The services' first migrations create the outbox and inbox
from `KIT_TABLES_SQL` (kept for them); the kit's first migration creates them too if missing."""

import asyncio
import contextlib
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
from alembic import command, op
from alembic.config import Config

from kit.db import ensure_database, plain_url, sqlalchemy_url
from kit.inbox import INBOX_DDL
from kit.outbox import OUTBOX_DDL

KIT_TABLES_SQL = OUTBOX_DDL + ";\n" + INBOX_DDL + ";\n"
_SCRIPT_LOCATION = Path(__file__).parent / "alembic"
KIT_VERSIONS = _SCRIPT_LOCATION / "kit_versions"
KIT_VERSION_TABLE = "kit_alembic_version"
MIGRATION_LOCK = zlib.crc32(b"botilbud:migrations")


def alembic_config(database_url: str, versions_dir: Path, version_table: str = "alembic_version") -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPT_LOCATION))
    cfg.set_main_option("version_locations", str(versions_dir))
    cfg.set_main_option("version_table", version_table)
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(database_url).replace("%", "%%"))
    return cfg


@contextlib.asynccontextmanager
async def migration_lock(database_url: str) -> AsyncIterator[None]:
    """Hold the database's migration lock (a session advisory lock: it goes with the connection, also when the
    process dies)."""
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        yield
    finally:
        await conn.close()


async def upgrade(database_url: str, versions_dir: Path | None) -> None:
    """The kit's chain, then the service's (None: the kit's alone), to their heads, under the database's
    migration lock."""
    async with migration_lock(database_url):
        # Alembic's env.py runs its own event loop, so it gets a thread of its own.
        await asyncio.to_thread(command.upgrade, alembic_config(database_url, KIT_VERSIONS, KIT_VERSION_TABLE),
                                "head")
        if versions_dir is not None:
            await asyncio.to_thread(command.upgrade, alembic_config(database_url, versions_dir), "head")


async def migrate(database_url: str, versions_dir: Path | None) -> None:
    """Create the database if it is missing, then upgrade it: what every process does at start-up."""
    await ensure_database(database_url)
    await upgrade(database_url, versions_dir)


def execute_script(sql: str) -> None:
    """Run several SQL statements in a migration. asyncpg prepares each statement, so they go one by one;
    statements are separated by semicolons (so none may hold a semicolon inside a literal)."""
    for statement in sql.split(";"):
        if statement.strip():
            op.execute(statement)
