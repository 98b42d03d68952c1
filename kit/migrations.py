"""Schema migrations with Alembic: one versions folder per service, run against the service's own database.
Migrations are plain SQL through `op.execute`; the kit's outbox and inbox tables come from `KIT_TABLES_SQL`,
which each service's first migration runs."""

import asyncio
from pathlib import Path

from alembic import command, op
from alembic.config import Config

from kit.db import sqlalchemy_url
from kit.inbox import INBOX_DDL
from kit.outbox import OUTBOX_DDL

KIT_TABLES_SQL = OUTBOX_DDL + ";\n" + INBOX_DDL + ";\n"
_SCRIPT_LOCATION = Path(__file__).parent / "alembic"


def alembic_config(database_url: str, versions_dir: Path) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPT_LOCATION))
    cfg.set_main_option("version_locations", str(versions_dir))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(database_url).replace("%", "%%"))
    return cfg


async def upgrade(database_url: str, versions_dir: Path) -> None:
    # Alembic's env.py runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(command.upgrade, alembic_config(database_url, versions_dir), "head")


def execute_script(sql: str) -> None:
    """Run several SQL statements in a migration. asyncpg prepares each statement, so they go one by one;
    statements are separated by semicolons (so none may hold a semicolon inside a literal)."""
    for statement in sql.split(";"):
        if statement.strip():
            op.execute(statement)
