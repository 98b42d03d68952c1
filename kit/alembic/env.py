"""Alembic environment shared by every chain: each service has its own versions folder and database, and the
kit has its own chain (its own versions folder and version table) that runs against every service database."""

import asyncio

from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=None, transaction_per_migration=True,
                      version_table=context.config.get_main_option("version_table") or "alembic_version")
    with context.begin_transaction():
        context.run_migrations()


async def _main() -> None:
    engine = create_async_engine(context.config.get_main_option("sqlalchemy.url"), poolclass=NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) mode is not used here: run `botilbud migrate`.")
asyncio.run(_main())
