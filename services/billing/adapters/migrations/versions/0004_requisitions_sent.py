"""Requisitions a provider can act on, sent to them: billing's projection of the units (name and address, from
placement's unit events) and the provider's e-mail; on the requisition the number of persons, the decision's
conditions and the contact person (the case worker who placed); and the mailings — each sending of the PDF
(issued, extended, sent again), written in the transaction that caused it and sent by a background job, kept
as the record of what was sent when. The PDF itself is not kept: it names the guest.

Revision ID: billing_0004
"""

from kit.migrations import execute_script

revision = "billing_0004"
down_revision = "billing_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    ALTER TABLE providers ADD COLUMN email text;
    CREATE TABLE units (
        unit_id      uuid PRIMARY KEY,
        provider_id  uuid NOT NULL,
        name         text NOT NULL,
        address      text NOT NULL,
        version_time timestamptz NOT NULL
    );
    ALTER TABLE requisitions
        ADD COLUMN persons          integer CHECK (persons >= 1),
        ADD COLUMN conditions       text[] NOT NULL DEFAULT '{}',
        ADD COLUMN contact_username text,
        ADD COLUMN contact_name     text;
    CREATE TABLE requisition_mailings (
        id              uuid PRIMARY KEY,
        requisition_id  uuid NOT NULL REFERENCES requisitions(id),
        reason          text NOT NULL CHECK (reason IN ('issued', 'extended', 'reissued')),
        period_from     date NOT NULL,
        period_to       date NOT NULL,
        max_amount      numeric(14, 2) NOT NULL,
        requested_at    timestamptz NOT NULL,
        requested_by    text,
        status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent')),
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        last_error      text,
        sent_at         timestamptz,
        recipient       text,
        subject         text,
        attachment      text,
        pdf_sha256      text,
        pdf_bytes       integer,
        message_id      text
    );
    -- One mailing per issue and per extension: a redelivered event cannot ask for a second.
    CREATE UNIQUE INDEX requisition_mailings_once ON requisition_mailings (requisition_id, reason, period_to)
        WHERE reason IN ('issued', 'extended');
    CREATE INDEX requisition_mailings_due ON requisition_mailings (next_attempt_at) WHERE status = 'pending';
    CREATE INDEX requisition_mailings_of ON requisition_mailings (requisition_id, requested_at);
    """)


def downgrade() -> None:
    execute_script("""
    DROP TABLE requisition_mailings;
    ALTER TABLE requisitions DROP COLUMN persons, DROP COLUMN conditions, DROP COLUMN contact_username,
        DROP COLUMN contact_name;
    DROP TABLE units;
    ALTER TABLE providers DROP COLUMN email;
    """)
