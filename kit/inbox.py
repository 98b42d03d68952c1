"""Inbox: the ids of events a consumer has processed, written in the same transaction as the effect."""

import asyncpg

INBOX_DDL = """
CREATE TABLE IF NOT EXISTS inbox (
    consumer     text        NOT NULL,
    event_id     uuid        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
)
"""


async def claim(conn: asyncpg.Connection, consumer: str, event_id) -> bool:
    inserted = await conn.fetchval(
        "INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1",
        consumer, event_id)
    return inserted is not None


async def claim_many(conn: asyncpg.Connection, consumer: str, event_ids) -> set:
    """The ids of a batch this consumer has not seen before, now claimed: one statement for the lot."""
    rows = await conn.fetch(
        "INSERT INTO inbox (consumer, event_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING "
        "RETURNING event_id", consumer, sorted(set(event_ids)))
    return {r["event_id"] for r in rows}
