"""`botilbud verify`: check the system's invariants on a live system and say what is off.

An operator's tool: it reads every service's database (the settings' database URLs, or the embedded stack's
PostgreSQL under BOTILBUD_HOME) with the dead letters kept there, the dead-letter topics on the broker, and
stats' KOSTRA API (with a token signed by BOTILBUD_SECRET_KEY). It writes nothing. It runs no SQL of its own:
it asks each service's invariant queries (`services/<service>/adapters/invariants.py`) and the kit's for its
own tables (outbox, inbox, dead letters, retention). The invariants (docs/reliability.md):

1. Every state change has exactly one event: each service's outbox has no unpublished row older than the
   grace period and no event id twice; every stay, extension and move-out in placement, every requisition in
   billing, every decision in effect and every office in intake has exactly one event of its kind in its
   service's outbox (a requisition: one RequisitionIssued, plus one per extension, and one RequisitionClosed
   once closed; an office: one OfficeRegistered, and one OfficeClosed once closed).
   Where retention has pruned an outbox, things older than what it pruned must have at most one.
2. Every event has exactly one effect: every published event that a consumer handles is in that consumer's
   inbox (claimed once: the inbox key is (consumer, event id)), unless it is dead-lettered there; billing
   has one requisition per stay and none for a stay placement does not have.
3. Every placement has its requisition: placement's stays and billing's requisitions agree on the stay, the
   authorised period, and the check-out (closed from it, its last night the one before).
4. The stats numbers equal a reference computation over placement's own tables: the KOSTRA counters of this
   year per municipality, computed from placement's stays, providers and decisions (household facts), equal
   stats' API.
5. Dead letters hold only poison: no event that a service's outbox published is dead-lettered (and not
   handled since, after a replay).

An event published again (a republish refilling a broker) is the same event, with the same id: it counts once
everywhere here, since the checks count outbox rows, inbox claims and effects, never deliveries.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import asyncpg

from botilbud.dead_letters import merge_dead_letters, read_dead_letters, stored_dead_letters, uuid_or_none
from botilbud.settings import SERVICES, Settings
from contracts import (
    DecisionMade,
    HouseholdMovedOut,
    HouseholdPlaced,
    OfficeClosed,
    OfficeRegistered,
    RequisitionClosed,
    RequisitionIssued,
    StayExtended,
)
from kit import clock, inbox, outbox, retention
from kit.db import plain_url


@dataclass
class Check:
    name: str
    problems: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def line(self) -> str:
        head = f"{'OK ' if self.ok else 'OFF'} {self.name} ({self.checked} checked)"
        return "\n".join([head, *(f"    - {p}" for p in self.problems[:20]),
                          *([f"    … and {len(self.problems) - 20} more"] if len(self.problems) > 20 else [])])


@dataclass
class Report:
    checks: list[Check]
    dead_letters: list[dict]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def text(self) -> str:
        lines = [c.line() for c in self.checks]
        by_reason: dict[str, int] = defaultdict(int)
        for d in self.dead_letters:
            by_reason[f"{d['service']}:{d['reason']}"] += 1
        lines.append("dead letters: " + (", ".join(f"{k} {v}" for k, v in sorted(by_reason.items())) or "none"))
        lines.append("ALL INVARIANTS HOLD" if self.ok else "INVARIANTS BROKEN")
        return "\n".join(lines)


def handled_types() -> dict[str, set[str]]:
    """Consumer name → the event types it handles, read from each service's own event table."""
    from services.billing.entrypoints.kafka import EVENT_TABLE as billing
    from services.placement.entrypoints.kafka import EVENT_TABLE as placement
    from services.stats.entrypoints.kafka import EVENT_TABLE as stats

    return {name: {cls.event_type for cls in table}
            for name, table in (("placement", placement), ("billing", billing), ("stats", stats))}


# A thing is this much older than an outbox's pruning horizon before its events count as possibly pruned: its
# timestamp and its event's are taken in one transaction, but not at the same instant.
HORIZON_MARGIN = timedelta(hours=1)


@dataclass(frozen=True)
class OneEach:
    """Things of a service that must each have exactly one event of a type (or at least one)."""

    what: str
    things: Callable[[asyncpg.Connection], Awaitable[list]]
    event_type: str
    id_field: str
    at_least: bool = False
    text_ids: bool = False


def one_each() -> dict[str, list[OneEach]]:
    """What each service's things are (asked of the service's own invariant queries) and the event each must
    have. An extension re-issues the requisition with its new period: one issue, and one more per extension."""
    from services.billing.adapters import invariants as billing
    from services.intake.adapters import invariants as intake
    from services.placement.adapters import invariants as placement

    return {
        "placement": [OneEach("stay", placement.stays, HouseholdPlaced.event_type, "stay_id"),
                      OneEach("moved-out stay", placement.moved_out_stays, HouseholdMovedOut.event_type, "stay_id")],
        "billing": [OneEach("requisition", billing.requisitions, RequisitionIssued.event_type, "requisition_id",
                            at_least=True),
                    OneEach("closed requisition", billing.closed_requisitions, RequisitionClosed.event_type,
                            "requisition_id")],
        "intake": [OneEach("decision in effect", intake.decisions_in_effect, DecisionMade.event_type, "decision_id"),
                   OneEach("office", intake.offices, OfficeRegistered.event_type, "office_id", text_ids=True),
                   OneEach("closed office", intake.closed_offices, OfficeClosed.event_type, "office_id",
                           text_ids=True)],
    }


async def horizons(conns: dict[str, asyncpg.Connection], table: str) -> dict[str, datetime]:
    """Per service: before when retention may have pruned `table` (kit/retention.py); absent: nothing pruned."""
    out = {}
    for service, conn in conns.items():
        if (at := await retention.pruned_before(conn, table)) is not None:
            out[service] = at
    return out


async def _outbox_checks(conns: dict[str, asyncpg.Connection], grace_seconds: float) -> Check:
    from services.placement.adapters import invariants as placement

    check = Check("every state change has exactly one event (outboxes)")
    for service, conn in conns.items():
        if stale := await outbox.stale_rows(conn, grace_seconds):
            check.problems.append(f"{service}: {stale} outbox rows unpublished for more than {grace_seconds:g} s")
        check.problems += [f"{service}: event {event_id} is in the outbox {n} times"
                           for event_id, n in (await outbox.duplicate_event_ids(conn)).items()]
        check.checked += await outbox.row_count(conn)
    pruned = await horizons(conns, "outbox")

    for service, kinds in one_each().items():
        if service not in conns:
            continue
        # Things from before the horizon may have lost their event to retention: at most one, then.
        horizon = pruned[service] + HORIZON_MARGIN if service in pruned else None
        for kind in kinds:
            events = await outbox.events_per(conns[service], kind.event_type, kind.id_field, text_ids=kind.text_ids)
            for thing in await kind.things(conns[service]):
                n = events.get(thing.id, 0)
                wrong = n > 1 if horizon and thing.at < horizon else (n == 0 if kind.at_least else n != 1)
                if wrong:
                    check.problems.append(f"{service}: {kind.what} {thing.id} has {n} {kind.event_type} events")
    if "placement" in conns:
        horizon = pruned["placement"] + HORIZON_MARGIN if "placement" in pruned else None
        extensions = await placement.extensions_per_stay(conns["placement"], since=horizon)
        events = await outbox.events_per(conns["placement"], StayExtended.event_type, "stay_id", since=horizon)
        check.problems += [f"placement: stay {stay_id} has {extensions.get(stay_id, 0)} extensions but "
                           f"{events.get(stay_id, 0)} StayExtended events"
                           for stay_id in sorted(extensions.keys() | events.keys(), key=str)
                           if extensions.get(stay_id, 0) != events.get(stay_id, 0)]
    return check


async def _published(conns: dict[str, asyncpg.Connection], grace_seconds: float) -> dict[uuid.UUID, tuple]:
    """Every event the services published (and long enough ago that its consumers have had time):
    id → (type, created_at)."""
    events: dict[uuid.UUID, tuple] = {}
    for conn in conns.values():
        events.update(await outbox.published(conn, grace_seconds))
    return events


async def _effect_checks(conns, published: dict[uuid.UUID, tuple], dead: set[tuple[str, uuid.UUID]]) -> Check:
    check = Check("every event has exactly one effect (inboxes)")
    pruned = await horizons(conns, "inbox")
    for consumer, types in handled_types().items():
        if consumer not in conns:
            continue
        # Claims older than the consumer's inbox horizon may be pruned; events that old are not asked for.
        since = pruned[consumer] + HORIZON_MARGIN if consumer in pruned else None
        wanted = {eid for eid, (t, at) in published.items() if t in types and (since is None or at >= since)}
        claimed = await inbox.claimed(conns[consumer], consumer)
        missing = {eid for eid in wanted - claimed if (consumer, eid) not in dead}
        check.checked += len(wanted)
        check.problems += [f"{consumer}: event {eid} ({published[eid][0]}) was published but never handled"
                           for eid in sorted(missing, key=str)]
    return check


async def _requisition_checks(conns, grace_seconds: float) -> Check:
    from services.billing.adapters import invariants as billing
    from services.placement.adapters import invariants as placement

    check = Check("every placement has its requisition (placement vs billing)")
    if not {"placement", "billing"} <= conns.keys():
        check.problems.append("needs placement's and billing's databases")
        return check
    stays = await placement.stay_terms(conns["placement"], grace_seconds)
    reqs = await billing.requisitions_by_stay(conns["billing"])
    check.checked = len(stays)
    for stay_id, stay in stays.items():
        found = reqs.get(stay_id, [])
        if not found and not stay.settled:
            continue  # placed just now: its event may still be on its way to billing
        if len(found) != 1:
            check.problems.append(f"stay {stay_id} has {len(found)} requisitions in billing (expected 1)")
            continue
        req, check_out = found[0], stay.check_out
        # Open: the requisition runs to the stay's authorised date. Moved out: closed from the check-out
        # (its last night the one before it, unless it was authorised to an earlier night).
        if check_out is None and (req.status != "open" or req.period_to != stay.authorised_to):
            check.problems.append(f"stay {stay_id} is open and authorised to {stay.authorised_to}; requisition "
                                  f"{req.number} is {req.status} to {req.period_to}")
        if check_out is not None and (req.status != "closed" or req.closed_from != check_out or
                                      req.period_to != min(stay.authorised_to, check_out - timedelta(days=1))):
            check.problems.append(f"stay {stay_id} moved out {check_out}; requisition {req.number} is "
                                  f"{req.status} from {req.closed_from} to {req.period_to}")
    check.problems += [f"requisition(s) {[r.number for r in rs]} for stay {sid} that placement does not have"
                       for sid, rs in reqs.items() if sid not in stays]
    return check


async def reference_kostra(placement_conn: asyncpg.Connection, year: int, today: date, rules) -> dict[str, dict]:
    """KOSTRA counters per municipality from placement's own data (stays, providers, decisions), counted by
    stats' pure domain: the two services' numbers are computed independently of each other's tables."""
    from services.placement.adapters import invariants as placement
    from services.stats.domain import kostra

    return {municipality: kostra.compute([kostra.StayFacts(
                s.household_id, s.accommodation, s.check_in, s.check_out, s.applicant_birth_date,
                s.children_birth_dates) for s in stays], year, today, rules)
            for municipality, stays in (await placement.kostra_stays(placement_conn)).items()}


async def _stats_checks(conns, url: str | None, token: str | None, settings: Settings) -> Check:
    import httpx

    from services.stats.domain.kostra import KEYS, KostraRules

    check = Check("stats equal a reference computation over placement's tables (KOSTRA, this year)")
    if "placement" not in conns or not url or not token:
        check.problems.append("needs placement's database, the system's address and the secret key")
        return check
    today = clock.today()
    rules = KostraRules(**settings.kostra.model_dump())
    reference = await reference_kostra(conns["placement"], today.year, today, rules)
    async with httpx.AsyncClient(base_url=url, timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
        for municipality, expected in sorted(reference.items()):
            r = await client.get("/stats/api/kostra", params={"year": today.year, "municipality": municipality})
            if r.status_code != 200:
                check.problems.append(f"{municipality}: stats answered {r.status_code}")
                continue
            got = r.json()
            check.checked += 1
            off = {k: (expected[k], got.get(k)) for k in KEYS if expected[k] != got.get(k)}
            if off:
                check.problems.append(f"{municipality}: " + ", ".join(
                    f"{k} placement {a} vs stats {b}" for k, (a, b) in off.items()))
    return check


async def verify(settings: Settings, *, address: str | None = None, token: str | None = None,
                 bootstrap: str | None = None, grace_seconds: float = 10.0) -> Report:
    conns: dict[str, asyncpg.Connection] = {}
    try:
        for service in SERVICES:
            conns[service] = await asyncpg.connect(plain_url(settings.service_database_url(service)))
        bootstrap = bootstrap or settings.kafka_bootstrap
        dead = merge_dead_letters(await stored_dead_letters(conns),
                                  await read_dead_letters(bootstrap, settings) if bootstrap else [])
        published = await _published(conns, grace_seconds)
        dead_ids = {(d["service"], i) for d in dead if (i := uuid_or_none(d["event_id"]))}
        checks = [await _outbox_checks(conns, grace_seconds),
                  await _effect_checks(conns, published, dead_ids),
                  await _requisition_checks(conns, grace_seconds),
                  await _stats_checks(conns, address, token, settings)]
        checks.append(await _poison_checks(conns, dead, bootstrap))
        return Report(checks, dead)
    finally:
        for conn in conns.values():
            await conn.close()


async def _poison_checks(conns, dead: list[dict], bootstrap: str | None) -> Check:
    """A published event dead-lettered is a lost effect — unless it was replayed and handled since."""
    poison = Check("dead letters hold only poison (no published event dead-lettered)", checked=len(dead))
    if not bootstrap:
        poison.problems.append("needs the broker (BOTILBUD_KAFKA_BOOTSTRAP)")
    all_events = await _published(conns, -1e9)
    for d in dead:
        event_id = uuid_or_none(d["event_id"])
        if event_id not in all_events:
            continue
        handled = d["service"] in conns and await inbox.is_claimed(conns[d["service"]], d["service"], event_id)
        if not handled:
            poison.problems.append(f"{d['service']}: published event {d['event_id']} ({d['type']}) is "
                                   f"dead-lettered: {d['reason']} {d['detail']}")
    return poison


async def verify_until(settings: Settings, within: float = 60.0, interval: float = 1.0, **kwargs) -> Report:
    """Verify again until every invariant holds or the time is up (events still in flight settle)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        report = await verify(settings, **kwargs)
        if report.ok or loop.time() > deadline:
            return report
        await asyncio.sleep(interval)


def operator_token(settings: Settings) -> str | None:
    """A short-lived operations token signed with the system's secret key."""
    from kit.auth import Role, TokenSigner, User

    secret = settings.secret_key.get_secret_value() if settings.secret_key else None
    stored = settings.home / "secrets.json"
    if secret is None and stored.exists():
        secret = json.loads(stored.read_text())["secret_key"]
    if secret is None:
        return None
    return TokenSigner(secret, 300).issue(User("verify", Role.OPERATIONS, None, "botilbud verify"))


def with_databases(settings: Settings) -> Settings:
    """The settings, with the embedded stack's PostgreSQL under BOTILBUD_HOME when they name no database."""
    if settings.database_url or all(getattr(settings, f"{s}_database_url") for s in SERVICES):
        return settings
    from botilbud.embedded import EmbeddedPostgres

    pg = EmbeddedPostgres(settings.home)
    pg.port = pg._running_port()
    if pg.port is None:
        raise SystemExit("No database: set BOTILBUD_DATABASE_URL, or run this next to `botilbud run`.")
    return settings.model_copy(update={"database_url": pg.url})


def resolve(settings: Settings, address: str | None) -> tuple[Settings, str | None, str | None]:
    """The settings, address and broker of the system to verify: the settings' own, or else the embedded
    stack's under BOTILBUD_HOME (its run file and its PostgreSQL)."""
    from botilbud.api_client import running_system

    run = settings.home / "run.json"
    running = json.loads(run.read_text()) if run.exists() else {}
    settings = with_databases(settings)
    bootstrap = settings.kafka_bootstrap or running.get("kafka_bootstrap")
    return settings, running_system(address), bootstrap
