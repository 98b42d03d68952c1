"""The office registry: the Nav offices an administrator registers (intake owns them: cases and the second
approval rule are intake's). An office is its name within its municipality; its id never changes.

Revision ID: intake_0004
"""

from kit.migrations import execute_script

revision = "intake_0004"
down_revision = "intake_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE offices (
        id              text PRIMARY KEY,
        name            text NOT NULL,
        name_key        text NOT NULL,
        municipality    text NOT NULL CHECK (municipality ~ '^[0-9]{4}$'),
        district        text,
        second_approval boolean NOT NULL DEFAULT false,
        address         text,
        phone           text,
        email           text,
        closed_at       timestamptz,
        registered_at   timestamptz NOT NULL DEFAULT now(),
        changed_at      timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX offices_name_in_municipality ON offices (municipality, name_key);
    """)


def downgrade() -> None:
    execute_script("DROP TABLE offices;")
