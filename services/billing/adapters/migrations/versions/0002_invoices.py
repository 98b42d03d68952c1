"""Billing: stays (check-in/check-out), providers' agreements, supplier invoices, their lines, the nights
billed per requisition, and finance's decisions (append-only).

Revision ID: billing_0002
"""

from kit.migrations import execute_script

revision = "billing_0002"
down_revision = "billing_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE stays (
        stay_id      uuid PRIMARY KEY,
        household_id uuid NOT NULL,
        check_in     date NOT NULL,
        check_out    date
    );
    CREATE TABLE providers (
        provider_id     uuid PRIMARY KEY,
        orgnr           text NOT NULL,
        name            text NOT NULL,
        agreement_kind  text NOT NULL,
        price_per_night numeric(10, 2),
        fixed_places    integer NOT NULL DEFAULT 0
    );
    CREATE INDEX providers_orgnr ON providers (orgnr);
    CREATE TABLE invoices (
        id              uuid PRIMARY KEY,
        kind            text NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
        format          text NOT NULL,
        supplier_orgnr  text NOT NULL,
        supplier_name   text NOT NULL,
        invoice_number  text NOT NULL,
        issue_date      date NOT NULL,
        currency        text NOT NULL,
        order_reference text,
        line_total      numeric(14, 2) NOT NULL,
        claimed         numeric(14, 2) NOT NULL,
        payable         numeric(14, 2) NOT NULL,
        status          text NOT NULL CHECK (status IN ('matched', 'adjusted', 'disputed')),
        findings        jsonb NOT NULL,
        failed_rules    jsonb NOT NULL,
        duplicate_of    uuid REFERENCES invoices (id),
        document        bytea NOT NULL,
        document_sha256 text NOT NULL,
        received_at     timestamptz NOT NULL,
        received_by     text NOT NULL,
        decision        text CHECK (decision IN ('approved', 'disputed')),
        decided_at      timestamptz,
        decided_by      text,
        approved_amount numeric(14, 2),
        comment         text
    );
    CREATE INDEX invoices_supplier_number ON invoices (supplier_orgnr, kind, upper(invoice_number));
    CREATE INDEX invoices_received ON invoices (received_at DESC);
    CREATE TABLE invoice_lines (
        invoice_id         uuid NOT NULL REFERENCES invoices (id),
        position           integer NOT NULL,
        line_id            text NOT NULL,
        requisition_number text,
        requisition_id     uuid,
        provider_id        uuid,
        agreement_kind     text,
        office_id          text,
        first_night        date,
        last_night         date,
        claimed_nights     integer NOT NULL,
        claimed_price      numeric(12, 4) NOT NULL,
        claimed_amount     numeric(14, 2) NOT NULL,
        payable_nights     integer NOT NULL,
        payable_amount     numeric(14, 2) NOT NULL,
        status             text NOT NULL CHECK (status IN ('matched', 'adjusted', 'disputed')),
        findings           jsonb NOT NULL,
        comment            text,
        PRIMARY KEY (invoice_id, position)
    );
    CREATE INDEX invoice_lines_requisition ON invoice_lines (requisition_id);
    CREATE TABLE billed_nights (
        ledger_key text NOT NULL,
        night      date NOT NULL,
        invoice_id uuid NOT NULL REFERENCES invoices (id),
        position   integer NOT NULL,
        sign       smallint NOT NULL CHECK (sign IN (-1, 1))
    );
    CREATE INDEX billed_nights_key ON billed_nights (ledger_key, night);
    CREATE TABLE invoice_decisions (
        id         bigserial PRIMARY KEY,
        invoice_id uuid NOT NULL REFERENCES invoices (id),
        position   integer,
        action     text NOT NULL CHECK (action IN ('adjust', 'dispute', 'approve')),
        amount     numeric(14, 2),
        comment    text NOT NULL,
        decided_by text NOT NULL,
        decided_at timestamptz NOT NULL DEFAULT now()
    )
    """)


def downgrade() -> None:
    execute_script("DROP TABLE invoice_decisions; DROP TABLE billed_nights; DROP TABLE invoice_lines; "
                   "DROP TABLE invoices; DROP TABLE providers; DROP TABLE stays")
