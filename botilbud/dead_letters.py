"""The system's dead letters for `botilbud verify`: the services' dead-letter topics and the copies each
consuming service keeps in its database (kit/dead_letters.py), merged."""

from __future__ import annotations

import uuid

import asyncpg

from botilbud.settings import SERVICES, Settings
from contracts.topics import dead_letter_topic
from kit import dead_letters, topics


async def read_dead_letters(bootstrap: str, settings: Settings, services=SERVICES) -> list[dict]:
    """Every message on the services' dead-letter topics: service, reason, event id (ce_id) and type."""
    out = []
    async for records in topics.read_to_end(bootstrap, [settings.topic(dead_letter_topic(s)) for s in services],
                                            tail_seconds=5.0):
        for rec in records:
            h = {k: v.decode(errors="replace") for k, v in (rec.headers or ())}
            out.append({"service": h.get("dlt_service", "?"), "reason": h.get("dlt_reason", "?"),
                        "event_id": h.get("ce_id"), "type": h.get("ce_type"),
                        "detail": h.get("dlt_detail", "")[:200], "topic": h.get("dlt_topic"),
                        "partition": h.get("dlt_partition"), "offset": h.get("dlt_offset")})
    return out


async def stored_dead_letters(conns: dict[str, asyncpg.Connection]) -> list[dict]:
    """The dead letters kept in the services' databases (kit/dead_letters.py), in the topics' shape."""
    return [{"service": r["service"], "reason": r["reason"], "event_id": str(r["event_id"]) if r["event_id"] else None,
             "type": r["event_type"], "detail": r["detail"][:200], "topic": r["topic"], "partition": r["partition"],
             "offset": r["offset"], "replayed": r["replayed_at"] is not None}
            for conn in conns.values() for r in await dead_letters.stored(conn)]


def merge_dead_letters(stored: list[dict], on_topics: list[dict]) -> list[dict]:
    """The stored dead letters, and those only the topics hold (from before the databases kept them): a letter
    in both is the same event id of the same service, or — for one without a readable id — the same place in
    the same topic."""
    by_id = {(d["service"], d["event_id"]) for d in stored if d["event_id"]}
    by_place = {(d["service"], d["topic"], str(d["partition"]), str(d["offset"])) for d in stored}

    def known(d: dict) -> bool:
        event_id = uuid_or_none(d["event_id"])
        if event_id is not None:
            return (d["service"], str(event_id)) in by_id
        return (d["service"], d["topic"], d.get("partition"), d.get("offset")) in by_place
    return stored + [d for d in on_topics if not known(d)]


def uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
