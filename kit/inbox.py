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
