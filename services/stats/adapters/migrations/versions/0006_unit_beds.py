"""Each unit's beds over time, for the weekly report's free beds on a past night: one row per unit event
(registered, changed) and per capacity change, with the time it took effect. Insert-only, so the order the
events arrive in does not matter; rebuilt from the log with the other projections. Filled once here from
what the units and capacity tables hold now.

Revision ID: stats_0006
"""

from kit.migrations import execute_script

revision = "stats_0006"
down_revision = "stats_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE unit_beds (
        unit_id     uuid NOT NULL,
        provider_id uuid NOT NULL,
        at          timestamptz NOT NULL,
        beds        int NOT NULL,
        event_id    uuid NOT NULL,
        PRIMARY KEY (unit_id, event_id)
    );
    INSERT INTO unit_beds (unit_id, provider_id, at, beds, event_id)
        SELECT unit_id, provider_id, version_time, beds, version_id FROM units ON CONFLICT DO NOTHING;
    INSERT INTO unit_beds (unit_id, provider_id, at, beds, event_id)
        SELECT unit_id, provider_id, changed_at, beds, version_id FROM capacity ON CONFLICT DO NOTHING;
    """)


def downgrade() -> None:
    execute_script("DROP TABLE unit_beds;")
