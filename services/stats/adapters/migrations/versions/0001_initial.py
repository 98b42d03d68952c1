"""Stats' first schema: the stays projection; outbox and inbox.

Revision ID: stats_0001
"""

from kit.migrations import KIT_TABLES_SQL, execute_script

revision = "stats_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(KIT_TABLES_SQL)
    execute_script("""
    CREATE TABLE stays (
        stay_id              uuid PRIMARY KEY,
        household_id         uuid NOT NULL,
        office_id            text,
        municipality         text,
        district             text,
        accommodation        text,
        agreement_kind       text,
        provider_id          uuid,
        check_in             date,
        check_out            date,
        destination          text,
        applicant_birth_date date,
        children_birth_dates date[] NOT NULL DEFAULT '{}'
    );
    CREATE INDEX stays_municipality_period ON stays (municipality, check_in, check_out);
    """)


def downgrade() -> None:
    execute_script("DROP TABLE stays; DROP TABLE inbox; DROP TABLE outbox;")
