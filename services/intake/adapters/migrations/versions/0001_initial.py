"""Intake's first schema: households (personal data encrypted), applications, decisions; outbox and inbox.

Revision ID: intake_0001
"""

from kit.migrations import KIT_TABLES_SQL, execute_script

revision = "intake_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(KIT_TABLES_SQL)
    execute_script("""
    CREATE TABLE households (
        id                   uuid PRIMARY KEY,
        office_id            text NOT NULL,
        identity_hash        bytea NOT NULL UNIQUE,
        identity_encrypted   bytea NOT NULL,
        name_encrypted       bytea NOT NULL,
        applicant_birth_date date NOT NULL,
        children_birth_dates date[] NOT NULL DEFAULT '{}',
        adults               integer NOT NULL DEFAULT 1 CHECK (adults >= 1),
        needs                jsonb NOT NULL DEFAULT '{}',
        created_at           timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE applications (
        id           uuid PRIMARY KEY,
        household_id uuid NOT NULL REFERENCES households(id),
        office_id    text NOT NULL,
        received_at  timestamptz NOT NULL,
        channel      text NOT NULL,
        urgent       boolean NOT NULL,
        status       text NOT NULL
    );
    CREATE INDEX applications_office ON applications (office_id, received_at DESC);
    CREATE TABLE decisions (
        id             uuid PRIMARY KEY,
        application_id uuid NOT NULL UNIQUE REFERENCES applications(id),
        household_id   uuid NOT NULL REFERENCES households(id),
        outcome        text NOT NULL CHECK (outcome IN ('granted', 'refused')),
        period_from    date,
        period_to      date,
        decided_at     timestamptz NOT NULL,
        conditions     text[] NOT NULL DEFAULT '{}',
        CHECK (outcome = 'refused' OR (period_from IS NOT NULL AND period_to >= period_from))
    );
    """)


def downgrade() -> None:
    execute_script("DROP TABLE decisions; DROP TABLE applications; DROP TABLE households; "
               "DROP TABLE inbox; DROP TABLE outbox;")
