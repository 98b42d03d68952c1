"""Billing's projection of the Nav offices (intake's office events): the office a requisition names, with
the address, phone and mailbox a requisition will print.

Revision ID: billing_0003
"""

from kit.migrations import execute_script

revision = "billing_0003"
down_revision = "billing_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE offices (
        id           text PRIMARY KEY,
        name         text NOT NULL,
        municipality text NOT NULL,
        district     text,
        address      text,
        phone        text,
        email        text,
        closed       boolean NOT NULL DEFAULT false,
        version_time timestamptz NOT NULL
    );
    """)


def downgrade() -> None:
    execute_script("DROP TABLE offices;")
