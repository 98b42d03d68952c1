"""Payment exports: each export finance makes (when, who, the period of approval dates, how many lines, the sum,
the file as it was downloaded), and on each invoice line the export that paid it, so no line is paid twice.

Revision ID: billing_0006
"""

from kit.migrations import execute_script

revision = "billing_0006"
down_revision = "billing_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE payment_exports (
        id              uuid PRIMARY KEY,
        created_at      timestamptz NOT NULL,
        created_by      text NOT NULL,
        created_by_name text,
        period_from     date NOT NULL,
        period_to       date NOT NULL CHECK (period_to >= period_from),
        lines           integer NOT NULL,
        total           numeric(16, 2) NOT NULL,
        content         bytea NOT NULL,
        content_sha256  text NOT NULL
    );
    CREATE INDEX payment_exports_created ON payment_exports (created_at DESC);
    ALTER TABLE invoice_lines ADD COLUMN export_id uuid REFERENCES payment_exports (id);
    CREATE INDEX invoice_lines_not_exported ON invoice_lines (invoice_id) WHERE export_id IS NULL;
    CREATE INDEX invoice_lines_export ON invoice_lines (export_id) WHERE export_id IS NOT NULL;
    """)


def downgrade() -> None:
    execute_script("""
    ALTER TABLE invoice_lines DROP COLUMN export_id;
    DROP TABLE payment_exports;
    """)
