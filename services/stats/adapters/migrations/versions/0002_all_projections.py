"""Projections of every event: applications, decisions, providers, units, capacity, requisitions, invoices;
more stay facts. Full-state rows keep the (time, id) of the event they came from, so the newest wins in any
arrival order.

Revision ID: stats_0002
"""

from kit.migrations import execute_script

revision = "stats_0002"
down_revision = "stats_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    ALTER TABLE stays ADD COLUMN unit_id uuid, ADD COLUMN decision_id uuid, ADD COLUMN provider_name text,
        ADD COLUMN price_per_night numeric, ADD COLUMN authorised_to date, ADD COLUMN adults int,
        ADD COLUMN children int, ADD COLUMN justified boolean;
    CREATE INDEX stays_household ON stays (household_id);
    CREATE TABLE applications (
        application_id uuid PRIMARY KEY,
        household_id   uuid NOT NULL,
        office_id      text NOT NULL,
        municipality   text NOT NULL,
        district       text,
        received_at    timestamptz NOT NULL,
        channel        text NOT NULL,
        urgent         boolean NOT NULL,
        adults         int NOT NULL,
        children       int NOT NULL
    );
    CREATE TABLE decisions (
        decision_id         uuid PRIMARY KEY,
        application_id      uuid NOT NULL,
        household_id        uuid NOT NULL,
        office_id           text NOT NULL,
        municipality        text NOT NULL,
        district            text,
        outcome             text NOT NULL,
        period_from         date,
        period_to           date,
        decided_at          timestamptz NOT NULL,
        extends_decision_id uuid
    );
    CREATE INDEX decisions_municipality ON decisions (municipality, decided_at);
    CREATE TABLE providers (
        provider_id     uuid PRIMARY KEY,
        name            text NOT NULL,
        orgnr           text NOT NULL,
        kind            text NOT NULL,
        municipality    text NOT NULL,
        district        text,
        accommodation   text NOT NULL,
        agreement_kind  text NOT NULL,
        price_per_night numeric,
        fixed_places    int NOT NULL,
        version_time    timestamptz NOT NULL,
        version_id      uuid NOT NULL
    );
    CREATE TABLE units (
        unit_id      uuid PRIMARY KEY,
        provider_id  uuid NOT NULL,
        name         text NOT NULL,
        beds         int NOT NULL,
        address      text NOT NULL,
        version_time timestamptz NOT NULL,
        version_id   uuid NOT NULL
    );
    CREATE TABLE capacity (
        unit_id      uuid PRIMARY KEY,
        provider_id  uuid NOT NULL,
        beds         int NOT NULL,
        occupied     int NOT NULL,
        municipality text NOT NULL,
        changed_at   timestamptz NOT NULL,
        version_id   uuid NOT NULL
    );
    CREATE TABLE requisitions (
        requisition_id  uuid PRIMARY KEY,
        number          text,
        stay_id         uuid,
        household_id    uuid,
        office_id       text,
        provider_id     uuid,
        agreement_kind  text,
        period_from     date,
        period_to       date,
        price_per_night numeric,
        max_amount      numeric,
        version_time    timestamptz,
        version_id      uuid,
        closed_from     date,
        close_reason    text
    );
    CREATE TABLE invoices (
        invoice_id        uuid PRIMARY KEY,
        kind              text,
        supplier_orgnr    text,
        invoice_number    text,
        issue_date        date,
        total             numeric,
        lines             int,
        status            text,
        claimed           numeric,
        payable           numeric,
        reconciled_time   timestamptz,
        reconciled_id     uuid,
        provider_id       uuid,
        agreement_kind    text,
        approved_amount   numeric,
        approved_at       timestamptz
    );
    """)


def downgrade() -> None:
    execute_script("""
    DROP TABLE invoices; DROP TABLE requisitions; DROP TABLE capacity; DROP TABLE units; DROP TABLE providers;
    DROP TABLE decisions; DROP TABLE applications; DROP INDEX stays_household;
    ALTER TABLE stays DROP COLUMN unit_id, DROP COLUMN decision_id, DROP COLUMN provider_name,
        DROP COLUMN price_per_night, DROP COLUMN authorised_to, DROP COLUMN adults, DROP COLUMN children,
        DROP COLUMN justified;
    """)
