"""Dead letters kept in the consuming service's own database, beside the dead-letter topic.

A topic is not a record everywhere: the embedded broker keeps its topics in memory, so a restart of the
embedded stack forgot every dead letter. The `dead_letters` table (the kit's migrations) keeps each one: the
original message as it came off the wire (key, body, headers, where it was read), the reason and its detail.
Nothing is decoded beyond the headers a consumer reads anyway, and events carry no personal data.

One row per (service, event id): an event dead-lettered again — redelivered after a crash, or replayed and
still failing — updates its row. A message without a readable event id gets a row each time."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence

import asyncpg
from aiokafka import ConsumerRecord

from kit.metrics import DEAD_LETTERS_STORED


def _text(value: str) -> str:
    return value.replace("\x00", "\ufffd")  # PostgreSQL text holds no NUL


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def encode_headers(headers: Sequence[tuple[str, bytes]]) -> list[list[str]]:
    """The headers as received, name and base64 value in order (a value may hold a NUL, which JSON text in
    PostgreSQL cannot; bytes that were not UTF-8 arrive replaced, since the parser must decode them first)."""
    return [[_text(name), base64.b64encode(value or b"").decode()] for name, value in headers]


def decode_headers(stored: list[list[str]]) -> list[tuple[str, bytes]]:
    return [(name, base64.b64decode(value)) for name, value in stored]


async def record(pool: asyncpg.Pool, service: str, message: ConsumerRecord, headers: dict[str, str], reason: str,
                 detail: str) -> None:
    """Keep a dead letter of `service`; `headers` are the message's headers as the consumer decoded them."""
    await pool.execute(
        "INSERT INTO dead_letters (service, event_id, event_type, reason, detail, topic, partition, \"offset\", "
        "key, body, headers) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
        "ON CONFLICT (service, event_id) DO UPDATE SET reason = EXCLUDED.reason, detail = EXCLUDED.detail, "
        "topic = EXCLUDED.topic, partition = EXCLUDED.partition, \"offset\" = EXCLUDED.\"offset\", "
        "key = EXCLUDED.key, body = EXCLUDED.body, headers = EXCLUDED.headers, dead_lettered_at = now(), "
        "replayed_at = NULL",
        service, _uuid(headers.get("ce_id")), _text(headers.get("ce_type", ""))[:200] or None, reason,
        _text(detail)[:1000], message.topic, message.partition, message.offset, message.key,
        message.value or b"", encode_headers(message.headers or ()))
    DEAD_LETTERS_STORED.labels(service, reason).inc()


async def stored(conn: asyncpg.Connection, service: str | None = None) -> list[asyncpg.Record]:
    """The dead letters in this database (of one service, or all), oldest first."""
    return await conn.fetch(
        "SELECT id, service, event_id, event_type, reason, detail, topic, partition, \"offset\", key, body, "
        "headers, dead_lettered_at, replayed_at FROM dead_letters WHERE $1::text IS NULL OR service = $1 "
        "ORDER BY id", service)


async def mark_replayed(conn: asyncpg.Connection, ids: Sequence[int]) -> None:
    await conn.execute("UPDATE dead_letters SET replayed_at = now() WHERE id = ANY($1::bigint[])", list(ids))
