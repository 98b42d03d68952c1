"""Who in finance received an invoice and who settled it, by name as well as username (staff, never the
household), so that intake's case page can say who did what to the lines billed against a requisition.

Revision ID: billing_0005
"""

from kit.migrations import execute_script

revision = "billing_0005"
down_revision = "billing_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    ALTER TABLE invoices ADD COLUMN received_by_name text;
    ALTER TABLE invoice_decisions ADD COLUMN decided_by_name text;
    CREATE INDEX requisitions_household ON requisitions (household_id);
    """)


def downgrade() -> None:
    execute_script("""
    DROP INDEX requisitions_household;
    ALTER TABLE invoice_decisions DROP COLUMN decided_by_name;
    ALTER TABLE invoices DROP COLUMN received_by_name;
    """)
