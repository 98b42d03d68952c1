"""Who placed the household: the case worker's username and name (staff, not the household), the contact person
billing prints on the requisition.

Revision ID: placement_0007
"""

from kit.migrations import execute_script

revision = "placement_0007"
down_revision = "placement_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("ALTER TABLE stays ADD COLUMN placed_by text, ADD COLUMN placed_by_name text;")


def downgrade() -> None:
    execute_script("ALTER TABLE stays DROP COLUMN placed_by, DROP COLUMN placed_by_name;")
