"""Planned move-outs (a move-out registered ahead of its day, carried out on it) and the soft rules a stay's
written justification covers.

Revision ID: placement_0004
"""

from kit.migrations import execute_script

revision = "placement_0004"
down_revision = "placement_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    ALTER TABLE stays
        ADD COLUMN justified_rules text[] NOT NULL DEFAULT '{}',
        ADD COLUMN planned_check_out date,
        ADD COLUMN planned_destination text,
        ADD CONSTRAINT stays_planned_move_out CHECK (
            (planned_check_out IS NULL) = (planned_destination IS NULL)
            AND (planned_check_out IS NULL OR (check_out IS NULL AND planned_check_out > check_in))),
        ADD CONSTRAINT stays_planned_destination CHECK (planned_destination IS NULL OR planned_destination IN (
            'municipal_rental', 'private_rental', 'own_home', 'institution', 'other_municipality', 'other',
            'unknown'));
    CREATE INDEX stays_planned_move_outs ON stays (planned_check_out)
        WHERE planned_check_out IS NOT NULL AND check_out IS NULL;
    """)


def downgrade() -> None:
    execute_script("""
    DROP INDEX stays_planned_move_outs;
    ALTER TABLE stays DROP CONSTRAINT stays_planned_destination, DROP CONSTRAINT stays_planned_move_out,
        DROP COLUMN planned_destination, DROP COLUMN planned_check_out, DROP COLUMN justified_rules;
    """)
