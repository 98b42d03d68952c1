"""`botilbud verify` on a live stack: everything holds after real traffic; a requisition deleted behind
billing's back, an event left unpublished and a stay stats never heard of are each reported."""

import zlib
from datetime import timedelta

import asyncpg
import httpx
import pytest

from botilbud.verify import operator_token, verify, verify_until
from contracts import OfficeRegistered
from kit import clock
from tests.conftest import SAMPLE_FNR, granted_decision, login
from tests.faults.traffic import synthetic_number

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def place_one(client: httpx.AsyncClient, identity_number: str = SAMPLE_FNR) -> str:
    today = clock.today()
    worker, decision_id = await granted_decision(client, period_from=today - timedelta(days=3),
                                                 period_to=today + timedelta(days=20), identity_number=identity_number)
    fits = (await client.get(f"/placement/api/decisions/{decision_id}/matches", headers=worker)).json()["fits"]
    placed = await client.post("/placement/api/stays", headers=worker, json={
        "decision_id": decision_id, "unit_id": fits[0]["unit_id"], "check_in": str(today - timedelta(days=2))})
    assert placed.status_code == 201, placed.text
    return placed.json()["stay_id"]


async def test_verify_holds_on_a_healthy_stack_and_names_what_is_broken(stack, settings):
    async with httpx.AsyncClient(base_url=stack.url, timeout=20) as client:
        await login(client, "veileder-grunerlokka")
        stay_id = await place_one(client)
    args = dict(address=stack.url, token=operator_token(settings), bootstrap=stack.bootstrap, grace_seconds=2)
    # No grace: every event counts, so this holds only once all of them have had their effect.
    # A fresh stack is still handling its demo data; on a busy machine that takes a while.
    healthy = await verify_until(settings, 120, **{**args, "grace_seconds": 0})
    assert healthy.ok, healthy.text()
    assert all(c.checked > 0 for c in healthy.checks[:4]), healthy.text()

    billing = await asyncpg.connect(settings.service_database_url("billing"))
    placement = await asyncpg.connect(settings.service_database_url("placement"))
    intake = await asyncpg.connect(settings.service_database_url("intake"))
    try:
        # An office whose registration never became an event: the other services would not know it.
        await intake.execute("DELETE FROM outbox WHERE event_type = $1 AND "
                             "convert_from(body, 'UTF8')::jsonb ->> 'office_id' = 'nav-asker'",
                             OfficeRegistered.event_type)
        await billing.execute("DELETE FROM requisition_mailings WHERE requisition_id IN "
                              "(SELECT id FROM requisitions WHERE stay_id = $1)", stay_id)
        await billing.execute("DELETE FROM requisitions WHERE stay_id = $1", stay_id)
        # Placed an hour ago: past the grace, so its missing requisition counts (not "still on its way").
        await placement.execute("UPDATE stays SET created_at = now() - interval '1 hour' WHERE id = $1", stay_id)
        # An event written an hour ago and never published: the relay is held off by its own lock meanwhile.
        await placement.execute("SELECT pg_advisory_lock($1)", zlib.crc32(b"outbox:placement"))
        await placement.execute(
            "UPDATE outbox SET published_at = NULL, created_at = now() - interval '1 hour' "
            "WHERE id = (SELECT max(id) FROM outbox)")
        # Stats loses a stay: its numbers no longer match placement's tables.
        stats = await asyncpg.connect(settings.service_database_url("stats"))
        try:
            await stats.execute("DELETE FROM stays WHERE stay_id = $1", stay_id)
        finally:
            await stats.close()
        broken = await verify(settings, **args)
    finally:
        await billing.close()
        await placement.close()
        await intake.close()
    text = broken.text()
    assert not broken.ok
    by_name = {c.name.split(" (")[0]: c for c in broken.checks}
    assert any(f"stay {stay_id} has 0 requisitions" in p
               for p in by_name["every placement has its requisition"].problems), text
    assert any("unpublished for more than" in p for p in by_name["every state change has exactly one event"].problems)
    assert any(p.startswith("0301: households placement") for p in
               by_name["stats equal a reference computation over placement's tables"].problems), text
    assert "intake: office nav-asker has 0 botilbud.intake.office-registered.v1 events" in text, text
    assert "INVARIANTS BROKEN" in text


async def age(settings, days: int) -> None:
    """Make every record of every service `days` older: the outboxes, the inboxes and what they are about."""
    shift = f"interval '{int(days)} days'"
    statements = {
        "intake": ["UPDATE decisions SET decided_at = decided_at - {s}",
                   "UPDATE offices SET registered_at = registered_at - {s}, closed_at = closed_at - {s}"],
        "placement": ["UPDATE stays SET created_at = created_at - {s}",
                      "UPDATE stay_extensions SET extended_at = extended_at - {s}"],
        "billing": ["UPDATE requisitions SET created_at = created_at - {s}"],
        "stats": [],
    }
    for service, updates in statements.items():
        conn = await asyncpg.connect(settings.service_database_url(service))
        try:
            for sql in [*updates, "UPDATE outbox SET created_at = created_at - {s}, published_at = published_at - {s}",
                        "UPDATE inbox SET processed_at = processed_at - {s}"]:
                await conn.execute(sql.format(s=shift))
        finally:
            await conn.close()


async def test_verify_holds_after_retention_pruned_old_events_and_still_sees_a_new_loss(stack, settings):
    from kit.retention import prune

    async with httpx.AsyncClient(base_url=stack.url, timeout=20) as client:
        await login(client, "veileder-grunerlokka")
        await place_one(client)
        args = dict(address=stack.url, token=operator_token(settings), bootstrap=stack.bootstrap, grace_seconds=0)
        assert (await verify_until(settings, 30, **args)).ok
        await age(settings, 100)
        kept = settings.model_copy(update={"outbox_retention_days": 30, "inbox_retention_days": 60})
        pruned = {s: await prune(stack.pools[s], s, kept) for s in stack.pools}
        assert pruned["placement"]["outbox"] > 0 and pruned["billing"]["inbox"] > 0, pruned
        # The history is gone from the outboxes and inboxes; what verify checks is still true.
        after = await verify_until(settings, 30, **args)
        assert after.ok, after.text()

        # A stay placed now whose event is lost is still found.
        stay_id = await place_one(client, synthetic_number(1))
    placement = await asyncpg.connect(settings.service_database_url("placement"))
    try:
        await placement.execute("DELETE FROM outbox WHERE event_type = 'botilbud.placement.household-placed.v1' "
                                "AND convert_from(body, 'UTF8')::jsonb ->> 'stay_id' = $1", stay_id)
    finally:
        await placement.close()
    lost = await verify(settings, **args)
    assert any(f"stay {stay_id} has 0" in p for p in lost.checks[0].problems), lost.text()
