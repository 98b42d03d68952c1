"""Stats' projection of the Nav offices (intake's office events): their names, municipalities and districts.
Rebuilt from the log with the other projections.

Revision ID: stats_0005
"""

from kit.migrations import execute_script

revision = "stats_0005"
down_revision = "stats_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE offices (
        office_id    text PRIMARY KEY,
        name         text NOT NULL,
        municipality text NOT NULL,
        district     text,
        closed       boolean NOT NULL,
        version_time timestamptz NOT NULL,
        version_id   uuid NOT NULL
    );
    """)


def downgrade() -> None:
    execute_script("DROP TABLE offices;")
