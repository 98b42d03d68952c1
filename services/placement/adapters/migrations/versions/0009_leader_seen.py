"""The leader's queue: which placements and extensions a leader of the office has seen, by whom and when
(the item is the stay for a placement, the extension's row for an extension).

Revision ID: placement_0008
"""

from kit.migrations import execute_script

revision = "placement_0009"
down_revision = "placement_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE leader_seen (
        item_id      uuid PRIMARY KEY,
        stay_id      uuid NOT NULL REFERENCES stays(id),
        kind         text NOT NULL CHECK (kind IN ('placement', 'extension')),
        seen_by      text NOT NULL,
        seen_by_name text,
        seen_at      timestamptz NOT NULL
    );
    CREATE INDEX leader_seen_stay ON leader_seen (stay_id);
    """)


def downgrade() -> None:
    execute_script("DROP TABLE leader_seen;")
