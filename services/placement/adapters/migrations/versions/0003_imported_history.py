"""Imported history (botilbud import-stays): decisions and stays marked `imported`.

Revision ID: placement_0003
"""

from kit.migrations import execute_script

revision = "placement_0003"
down_revision = "placement_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    ALTER TABLE decisions ADD COLUMN imported boolean NOT NULL DEFAULT false;
    ALTER TABLE stays ADD COLUMN imported boolean NOT NULL DEFAULT false;
    """)


def downgrade() -> None:
    execute_script("ALTER TABLE stays DROP COLUMN imported; ALTER TABLE decisions DROP COLUMN imported;")
