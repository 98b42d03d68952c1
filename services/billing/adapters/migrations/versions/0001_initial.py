"""Billing's first schema: requisitions; outbox and inbox.

Revision ID: billing_0001
"""

from kit.migrations import KIT_TABLES_SQL, execute_script

revision = "billing_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(KIT_TABLES_SQL)
    execute_script("""
    CREATE SEQUENCE requisition_number_seq;
    CREATE TABLE requisitions (
        id              uuid PRIMARY KEY,
        number          text NOT NULL UNIQUE,
        stay_id         uuid NOT NULL,
        household_id    uuid NOT NULL,
        office_id       text NOT NULL,
        provider_id     uuid NOT NULL,
        provider_name   text NOT NULL,
        provider_orgnr  text NOT NULL,
        unit_id         uuid NOT NULL,
        agreement_kind  text NOT NULL,
        period_from     date NOT NULL,
        period_to       date NOT NULL,
        price_per_night numeric(10, 2) NOT NULL,
        status          text NOT NULL CHECK (status IN ('open', 'closed')),
        closed_from     date,
        created_at      timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX requisitions_stay ON requisitions (stay_id);
    CREATE INDEX requisitions_office ON requisitions (office_id);
    """)


def downgrade() -> None:
    execute_script("DROP TABLE requisitions; DROP SEQUENCE requisition_number_seq; DROP TABLE inbox; "
               "DROP TABLE outbox;")
