"""Who did what to a stay, and when: one row per action (placed, extended, moved, a move-out planned or its
plan cancelled, moved out), with the case worker's username and name (staff, never the household), so that
intake's case page can tell the stay's history. Existing stays get their history from what they hold: the
placement and its extensions with their times, a move-out with its date only (its time was not kept).

Revision ID: placement_0008
"""

from kit.migrations import execute_script

revision = "placement_0008"
down_revision = "placement_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE stay_actions (
        id          bigserial PRIMARY KEY,
        stay_id     uuid NOT NULL REFERENCES stays(id),
        action      text NOT NULL CHECK (action IN ('placed', 'extended', 'moved', 'move_out_planned',
                                                    'planned_move_out_cancelled', 'moved_out')),
        at          timestamptz,
        on_date     date,
        destination text,
        by_username text,
        by_name     text
    );
    CREATE INDEX stay_actions_stay ON stay_actions (stay_id, id);
    INSERT INTO stay_actions (stay_id, action, at, on_date, by_username, by_name)
        SELECT id, 'placed', CASE WHEN NOT imported THEN created_at END, check_in, placed_by, placed_by_name
        FROM stays ORDER BY created_at;
    INSERT INTO stay_actions (stay_id, action, at, on_date)
        SELECT stay_id, 'extended', extended_at, authorised_to FROM stay_extensions ORDER BY extended_at;
    INSERT INTO stay_actions (stay_id, action, on_date, destination)
        SELECT id, CASE WHEN destination = 'moved_to_other_provider' THEN 'moved' ELSE 'moved_out' END, check_out,
               destination
        FROM stays WHERE check_out IS NOT NULL ORDER BY check_out;
    INSERT INTO stay_actions (stay_id, action, on_date, destination)
        SELECT id, 'move_out_planned', planned_check_out, planned_destination FROM stays
        WHERE planned_check_out IS NOT NULL;
    """)


def downgrade() -> None:
    execute_script("DROP TABLE stay_actions;")
