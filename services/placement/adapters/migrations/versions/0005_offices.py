"""Placement's projection of the Nav offices (intake's office events): what the history import resolves an
office's name with and what the pages name offices by.

Revision ID: placement_0005
"""

from kit.migrations import execute_script

revision = "placement_0005"
down_revision = "placement_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE offices (
        id           text PRIMARY KEY,
        name         text NOT NULL,
        municipality text NOT NULL,
        district     text,
        closed       boolean NOT NULL DEFAULT false,
        version_time timestamptz NOT NULL
    );
    """)


def downgrade() -> None:
    execute_script("DROP TABLE offices;")
