"""The history of rebuilds: when, what the replay saw beside what stats had applied, and whether the new
projections were swapped in or thrown away (and why).

Revision ID: stats_0004
"""

from kit.migrations import execute_script

revision = "stats_0004"
down_revision = "stats_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE rebuilds (
        rebuild_id     uuid PRIMARY KEY,
        started_at     timestamptz NOT NULL,
        finished_at    timestamptz,
        outcome        text NOT NULL CHECK (outcome IN ('running', 'swapped', 'refused', 'failed')),
        events_read    int,
        events_in_log  int,
        events_applied int,
        events_missing int,
        message        text
    );
    """)


def downgrade() -> None:
    execute_script("DROP TABLE rebuilds;")
