"""Placement's first schema: providers, units, decisions (from intake), stays; outbox and inbox.

Revision ID: placement_0001
"""

from kit.migrations import KIT_TABLES_SQL, execute_script

revision = "placement_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(KIT_TABLES_SQL)
    execute_script("""
    CREATE TABLE providers (
        id              uuid PRIMARY KEY,
        name            text NOT NULL,
        orgnr           text NOT NULL CHECK (orgnr ~ '^[0-9]{9}$'),
        kind            text NOT NULL,
        municipality    text NOT NULL,
        district        text,
        accommodation   text NOT NULL CHECK (accommodation IN ('temporary', 'night_shelter')),
        agreement_kind  text NOT NULL,
        price_per_night numeric(10, 2),
        fixed_places    integer NOT NULL DEFAULT 0,
        details         jsonb NOT NULL DEFAULT '{}'
    );
    CREATE TABLE units (
        id          uuid PRIMARY KEY,
        provider_id uuid NOT NULL REFERENCES providers(id),
        name        text NOT NULL,
        beds        integer NOT NULL CHECK (beds > 0),
        address     text NOT NULL,
        facilities  jsonb NOT NULL DEFAULT '{}'
    );
    CREATE TABLE decisions (
        decision_id  uuid PRIMARY KEY,
        household_id uuid NOT NULL,
        office_id    text NOT NULL,
        municipality text NOT NULL,
        district     text,
        outcome      text NOT NULL,
        period_from  date,
        period_to    date,
        household    jsonb NOT NULL
    );
    CREATE INDEX decisions_household ON decisions (household_id);
    CREATE TABLE stays (
        id            uuid PRIMARY KEY,
        household_id  uuid NOT NULL,
        decision_id   uuid NOT NULL REFERENCES decisions(decision_id),
        unit_id       uuid NOT NULL REFERENCES units(id),
        provider_id   uuid NOT NULL REFERENCES providers(id),
        check_in      date NOT NULL,
        authorised_to date NOT NULL,
        check_out     date CHECK (check_out > check_in),
        destination   text,
        justification text,
        created_at    timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX stays_one_open_per_household ON stays (household_id) WHERE check_out IS NULL;
    CREATE INDEX stays_open_by_unit ON stays (unit_id) WHERE check_out IS NULL;
    """)


def downgrade() -> None:
    execute_script("DROP TABLE stays; DROP TABLE decisions; DROP TABLE units; DROP TABLE providers; "
               "DROP TABLE inbox; DROP TABLE outbox;")
