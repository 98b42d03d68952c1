"""The whole intake: contact details, free text (all encrypted), decisions with second approval, warnings
and extensions, and the audit log of every view or search of a person's data.

Revision ID: intake_0002
"""

from kit.migrations import execute_script

revision = "intake_0002"
down_revision = "intake_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    ALTER TABLE households
        ADD COLUMN contact_encrypted  bytea,
        ADD COLUMN preferred_language text;
    ALTER TABLE applications
        ADD COLUMN provider_org_number text,
        ADD COLUMN registered_by       text,
        ADD COLUMN wishes_encrypted    bytea,
        ADD COLUMN notes_encrypted     bytea;
    CREATE INDEX applications_household ON applications (household_id, received_at DESC);
    ALTER TABLE decisions DROP CONSTRAINT decisions_application_id_key;
    ALTER TABLE decisions
        ADD COLUMN office_id                 text,
        ADD COLUMN decided_by                text,
        ADD COLUMN legal_basis               text NOT NULL DEFAULT 'Sosialtjenesteloven § 27',
        ADD COLUMN consequence_encrypted     bytea,
        ADD COLUMN refusal_reason_encrypted  bytea,
        ADD COLUMN justification_encrypted   bytea,
        ADD COLUMN appeal_deadline           date,
        ADD COLUMN warnings                  text[] NOT NULL DEFAULT '{}',
        ADD COLUMN status                    text NOT NULL DEFAULT 'in_effect'
            CHECK (status IN ('awaiting_approval', 'in_effect', 'returned')),
        ADD COLUMN approved_by               text,
        ADD COLUMN approved_at               timestamptz,
        ADD COLUMN returned_reason_encrypted bytea,
        ADD COLUMN extends_decision_id       uuid REFERENCES decisions(id);
    UPDATE decisions d SET office_id = a.office_id FROM applications a WHERE a.id = d.application_id;
    ALTER TABLE decisions ALTER COLUMN office_id SET NOT NULL;
    -- One live first decision per application, and one live extension per decision.
    CREATE UNIQUE INDEX decisions_one_per_application ON decisions (application_id)
        WHERE extends_decision_id IS NULL AND status <> 'returned';
    CREATE UNIQUE INDEX decisions_one_extension ON decisions (extends_decision_id)
        WHERE extends_decision_id IS NOT NULL AND status <> 'returned';
    CREATE INDEX decisions_household ON decisions (household_id, decided_at);
    CREATE TABLE audit_log (
        id           bigserial PRIMARY KEY,
        at           timestamptz NOT NULL DEFAULT now(),
        username     text NOT NULL,
        role         text NOT NULL,
        office_id    text,
        household_id uuid,
        action       text NOT NULL,
        purpose      text NOT NULL
    );
    CREATE INDEX audit_log_office ON audit_log (office_id, at DESC);
    """)


def downgrade() -> None:
    execute_script("""
    DROP TABLE audit_log;
    DROP INDEX decisions_one_per_application; DROP INDEX decisions_one_extension; DROP INDEX decisions_household;
    ALTER TABLE decisions DROP COLUMN office_id, DROP COLUMN decided_by, DROP COLUMN legal_basis,
        DROP COLUMN consequence_encrypted, DROP COLUMN refusal_reason_encrypted,
        DROP COLUMN justification_encrypted, DROP COLUMN appeal_deadline, DROP COLUMN warnings,
        DROP COLUMN status, DROP COLUMN approved_by, DROP COLUMN approved_at,
        DROP COLUMN returned_reason_encrypted, DROP COLUMN extends_decision_id;
    ALTER TABLE decisions ADD CONSTRAINT decisions_application_id_key UNIQUE (application_id);
    DROP INDEX applications_household;
    ALTER TABLE applications DROP COLUMN provider_org_number, DROP COLUMN registered_by,
        DROP COLUMN wishes_encrypted, DROP COLUMN notes_encrypted;
    ALTER TABLE households DROP COLUMN contact_encrypted, DROP COLUMN preferred_language;
    """)
