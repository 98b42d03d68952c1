"""The kit's own tables in every service database: the outbox and inbox (if the service's first migration has
not made them), the dead letters, the republish request of the outbox relay, and the record of what retention
has pruned; an index for pruning the inbox by age.

Revision ID: kit_0001
"""

from kit.migrations import execute_script

revision = "kit_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE IF NOT EXISTS outbox (
        id           bigserial   PRIMARY KEY,
        event_id     uuid        NOT NULL UNIQUE,
        event_type   text        NOT NULL,
        topic        text        NOT NULL,
        key          text        NOT NULL,
        headers      jsonb       NOT NULL,
        body         bytea       NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        attempts     integer     NOT NULL DEFAULT 0,
        last_error   text
    );
    CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
    CREATE TABLE IF NOT EXISTS inbox (
        consumer     text        NOT NULL,
        event_id     uuid        NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
    );
    CREATE INDEX IF NOT EXISTS inbox_processed_at ON inbox (processed_at);
    CREATE TABLE dead_letters (
        id               bigserial   PRIMARY KEY,
        service          text        NOT NULL,
        event_id         uuid,
        event_type       text,
        reason           text        NOT NULL,
        detail           text        NOT NULL,
        topic            text        NOT NULL,
        partition        integer     NOT NULL,
        "offset"         bigint      NOT NULL,
        key              bytea,
        body             bytea       NOT NULL,
        headers          jsonb       NOT NULL,
        dead_lettered_at timestamptz NOT NULL DEFAULT now(),
        replayed_at      timestamptz
    );
    CREATE UNIQUE INDEX dead_letters_event ON dead_letters (service, event_id);
    CREATE TABLE outbox_republish (
        singleton    boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
        position     bigint      NOT NULL DEFAULT 0,
        requested_at timestamptz NOT NULL DEFAULT now(),
        reason       text        NOT NULL
    );
    CREATE TABLE retention (
        table_name    text        PRIMARY KEY,
        pruned_before timestamptz NOT NULL,
        rows_pruned   bigint      NOT NULL DEFAULT 0,
        pruned_at     timestamptz NOT NULL DEFAULT now()
    );
    """)


def downgrade() -> None:
    execute_script("""
    DROP TABLE retention; DROP TABLE outbox_republish; DROP TABLE dead_letters;
    DROP INDEX IF EXISTS inbox_processed_at;
    """)
