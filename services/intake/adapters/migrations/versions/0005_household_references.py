"""The office's own reference for a household (`2026-0042`): given by each office that takes the household's
case (at its first application there, or when it is transferred there), numbered per office and year. The
other services' pages show it beside the name, asked of intake at render time; it is never in an event.
Households registered before this get theirs in the order their offices first saw them.

Revision ID: intake_0005
"""

from kit.migrations import execute_script

revision = "intake_0005"
down_revision = "intake_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE office_reference_counters (
        office_id text NOT NULL,
        year      integer NOT NULL,
        last      integer NOT NULL,
        PRIMARY KEY (office_id, year)
    );
    CREATE TABLE household_references (
        household_id uuid NOT NULL REFERENCES households(id),
        office_id    text NOT NULL,
        reference    text NOT NULL,
        assigned_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (household_id, office_id),
        UNIQUE (office_id, reference)
    );
    WITH seen AS (
        SELECT id AS household_id, office_id, created_at AS since FROM households
        UNION ALL
        SELECT household_id, office_id, received_at FROM applications
    ), firsts AS (
        SELECT household_id, office_id, min(since) AS since,
               extract(year FROM min(since) AT TIME ZONE 'Europe/Oslo')::integer AS year
        FROM seen GROUP BY household_id, office_id
    ), numbered AS (
        SELECT household_id, office_id, since, year,
               row_number() OVER (PARTITION BY office_id, year ORDER BY since, household_id) AS n
        FROM firsts
    ), assigned AS (
        INSERT INTO household_references (household_id, office_id, reference, assigned_at)
        SELECT household_id, office_id,
               year || '-' || CASE WHEN n < 10000 THEN lpad(n::text, 4, '0') ELSE n::text END, since
        FROM numbered
    )
    INSERT INTO office_reference_counters (office_id, year, last)
    SELECT office_id, year, max(n) FROM numbered GROUP BY office_id, year;
    """)


def downgrade() -> None:
    execute_script("DROP TABLE household_references; DROP TABLE office_reference_counters;")
