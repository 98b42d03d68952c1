"""No JIT for stats' database: asyncpg's one-time type introspection (for date[] columns) otherwise takes
JIT-compiled hundreds of milliseconds on each new connection, and reports are short queries that never
gain from JIT.

Revision ID: stats_0003
"""

from alembic import op

revision = "stats_0003"
down_revision = "stats_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET jit = off', current_database()); END $$")


def downgrade() -> None:
    op.execute("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET jit', current_database()); END $$")
