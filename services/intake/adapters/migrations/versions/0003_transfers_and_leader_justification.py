"""Transfers of a household between offices (with the leader's reason, encrypted), and the leader's
justification on a decision that takes a family with children or a young applicant past three months.

Revision ID: intake_0003
"""

from kit.migrations import execute_script

revision = "intake_0003"
down_revision = "intake_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    ALTER TABLE decisions ADD COLUMN leader_justification_encrypted bytea;
    CREATE TABLE household_transfers (
        id               uuid PRIMARY KEY,
        household_id     uuid NOT NULL REFERENCES households(id),
        from_office_id   text NOT NULL,
        to_office_id     text NOT NULL,
        transferred_by   text NOT NULL,
        transferred_at   timestamptz NOT NULL,
        reason_encrypted bytea NOT NULL
    );
    CREATE INDEX household_transfers_household ON household_transfers (household_id, transferred_at);
    """)


def downgrade() -> None:
    execute_script("DROP TABLE household_transfers; ALTER TABLE decisions DROP COLUMN leader_justification_encrypted;")
