"""`botilbud outbox …`: the operator's handle on the outboxes, the durable log behind the broker.

`republish` asks every chosen service's relay to publish its whole outbox again, in order, before new events
(kit/outbox.py): after the broker lost events — a Kafka restored from an old snapshot, topics deleted by
mistake, an unclean failover. The embedded stack does this by itself at every start. The request is kept in
the service's database, so a relay that is down does it when it starts; the consumers' inboxes drop what they
had already. `status` shows each outbox's backlog and how far a republish has come."""

from __future__ import annotations

import asyncio
import json

import asyncpg
import typer

from botilbud.settings import Settings

outbox_app = typer.Typer(help="The services' outboxes: republish to a broker that lost events, and status.")


def _targets(target: str) -> list[str]:
    from botilbud.stack import definitions

    return [d.name for d in definitions(target)]


async def _each(target: str, work) -> list:
    from botilbud.verify import with_databases
    from kit.db import plain_url

    settings = with_databases(Settings())
    out = []
    for service in _targets(target):
        conn = await asyncpg.connect(plain_url(settings.service_database_url(service)))
        try:
            out.append(await work(service, conn))
        finally:
            await conn.close()
    return out


@outbox_app.command("republish")
def republish(target: str = typer.Option("all", help="all, or one or more of intake,placement,billing,stats.")):
    """Publish every outbox row again, in order, before new events: for a broker that lost events."""
    from kit.outbox import request_republish

    async def one(service: str, conn: asyncpg.Connection) -> str:
        rows = await request_republish(conn, service, "botilbud outbox republish")
        return f"{service}: republish of {rows} outbox rows requested"

    for line in asyncio.run(_each(target, one)):
        typer.echo(line)


@outbox_app.command("status")
def status(target: str = typer.Option("all", help="all, or one or more of intake,placement,billing,stats.")):
    """Each outbox's rows, those not yet published, and a republish under way (rows left to send)."""

    async def one(service: str, conn: asyncpg.Connection) -> dict:
        position = await conn.fetchval("SELECT position FROM outbox_republish")
        row = await conn.fetchrow(
            "SELECT count(*) AS rows, count(*) FILTER (WHERE published_at IS NULL) AS unpublished, "
            "count(*) FILTER (WHERE id > $1) AS to_republish FROM outbox", position or 0)
        return {"service": service, "rows": row["rows"], "unpublished": row["unpublished"],
                "republishing": None if position is None else row["to_republish"]}

    for line in asyncio.run(_each(target, one)):
        typer.echo(json.dumps(line))


def register(app: typer.Typer) -> None:
    app.add_typer(outbox_app, name="outbox")
