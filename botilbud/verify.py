"""`botilbud verify`: check the system's invariants on a live system and say what is off.

An operator's tool: it reads every service's database (the settings' database URLs, or the embedded stack's
PostgreSQL under BOTILBUD_HOME) with the dead letters kept there, the dead-letter topics on the broker, and
stats' KOSTRA API (with a token signed by BOTILBUD_SECRET_KEY). It writes nothing. The invariants
(docs/reliability.md):

1. Every state change has exactly one event: each service's outbox has no unpublished row older than the
   grace period and no event id twice; every stay, extension and move-out in placement, every requisition in
   billing and every decision in effect in intake has exactly one event of its kind in its service's outbox
   (a requisition: one RequisitionIssued, plus one per extension, and one RequisitionClosed once closed).
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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import asyncpg

from botilbud.settings import SERVICES, Settings
from contracts import (
    DecisionMade,
    HouseholdMovedOut,
    HouseholdPlaced,
    RequisitionClosed,
    RequisitionIssued,
    StayExtended,
)
from contracts.topics import dead_letter_topic
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
    """Consumer name → the event types it handles, read from the services' own subscriptions."""
    from services.billing.entrypoints.kafka import subscriptions as billing
    from services.placement.entrypoints.kafka import subscriptions as placement
    from services.stats.entrypoints.kafka import subscriptions as stats

    out = {}
    for name, subs in (("placement", placement), ("billing", billing), ("stats", stats)):
        out[name] = {cls.event_type for sub in subs(None) for cls in sub.handlers}
    return out


BODY = "convert_from(body, 'UTF8')::jsonb"  # an outbox row's event body as JSON


# A thing is this much older than an outbox's pruning horizon before its events count as possibly pruned: its
# timestamp and its event's are taken in one transaction, but not at the same instant.
HORIZON_MARGIN = timedelta(hours=1)

# What each service's things are, when each was made, and the event it must have (verify knows the services'
# tables; the services' restructuring moves these queries into their own query modules).
_ONE_EACH = {
    "placement": [("stay", "SELECT id, created_at AS at FROM stays", HouseholdPlaced.event_type, "stay_id", False),
                  ("moved-out stay", "SELECT id, created_at AS at FROM stays WHERE check_out IS NOT NULL",
                   HouseholdMovedOut.event_type, "stay_id", False)],
    # An extension re-issues the requisition with its new period: one issue, and one more per extension.
    "billing": [("requisition", "SELECT id, created_at AS at FROM requisitions", RequisitionIssued.event_type,
                 "requisition_id", True),
                ("closed requisition", "SELECT id, created_at AS at FROM requisitions WHERE status = 'closed'",
                 RequisitionClosed.event_type, "requisition_id", False)],
    "intake": [("decision in effect", "SELECT id, decided_at AS at FROM decisions WHERE status = 'in_effect'",
                DecisionMade.event_type, "decision_id", False)],
}


async def horizons(conns: dict[str, asyncpg.Connection], table: str) -> dict[str, datetime]:
    """Per service: before when retention may have pruned `table` (kit/retention.py); absent: nothing pruned."""
    out = {}
    for service, conn in conns.items():
        at = await conn.fetchval("SELECT pruned_before FROM retention WHERE table_name = $1", table)
        if at is not None:
            out[service] = at
    return out


async def _outbox_checks(conns: dict[str, asyncpg.Connection], grace_seconds: float) -> Check:
    check = Check("every state change has exactly one event (outboxes)")
    for service, conn in conns.items():
        stale = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE published_at IS NULL AND created_at < now() - make_interval(secs => $1)",
            grace_seconds)
        if stale:
            check.problems.append(f"{service}: {stale} outbox rows unpublished for more than {grace_seconds:g} s")
        dupes = await conn.fetch("SELECT event_id, count(*) AS n FROM outbox GROUP BY event_id HAVING count(*) > 1")
        check.problems += [f"{service}: event {r['event_id']} is in the outbox {r['n']} times" for r in dupes]
        check.checked += await conn.fetchval("SELECT count(*) FROM outbox")
    pruned = await horizons(conns, "outbox")

    for service, things in _ONE_EACH.items():
        if service not in conns:
            continue
        # Things from before the horizon may have lost their event to retention: at most one, then.
        horizon = pruned[service] + HORIZON_MARGIN if service in pruned else None
        for what, ids_sql, event_type, id_field, at_least in things:
            missing = "e.n IS NULL" if at_least else "coalesce(e.n, 0) <> 1"
            wrong = f"CASE WHEN $3::timestamptz IS NOT NULL AND t.at < $3 THEN e.n > 1 ELSE {missing} END"
            rows = await conns[service].fetch(
                f"WITH things AS ({ids_sql}), events AS (SELECT ({BODY} ->> $2)::uuid AS id, count(*) AS n "  # noqa: S608
                f"FROM outbox WHERE event_type = $1 GROUP BY 1) "
                f"SELECT t.id, coalesce(e.n, 0) AS n FROM things t LEFT JOIN events e USING (id) WHERE {wrong}",
                event_type, id_field, horizon)
            check.problems += [f"{service}: {what} {r['id']} has {r['n']} {event_type} events" for r in rows]
    if "placement" in conns:
        horizon = pruned["placement"] + HORIZON_MARGIN if "placement" in pruned else None
        ext = await conns["placement"].fetch(
            "WITH e AS (SELECT stay_id, count(*) AS n FROM stay_extensions "  # noqa: S608
            "WHERE $2::timestamptz IS NULL OR extended_at >= $2 GROUP BY 1), "
            f"o AS (SELECT ({BODY} ->> 'stay_id')::uuid AS stay_id, count(*) AS n FROM outbox "
            "WHERE event_type = $1 AND ($2::timestamptz IS NULL OR created_at >= $2) GROUP BY 1) "
            "SELECT coalesce(e.stay_id, o.stay_id) AS id, coalesce(e.n, 0) AS ext, coalesce(o.n, 0) AS ev "
            "FROM e FULL JOIN o USING (stay_id) WHERE coalesce(e.n, 0) <> coalesce(o.n, 0)",
            StayExtended.event_type, horizon)
        check.problems += [f"placement: stay {r['id']} has {r['ext']} extensions but {r['ev']} StayExtended events"
                           for r in ext]
    return check


async def _published(conns: dict[str, asyncpg.Connection], grace_seconds: float) -> dict[uuid.UUID, tuple]:
    """Every event the services published (and long enough ago that its consumers have had time):
    id → (type, created_at)."""
    events: dict[uuid.UUID, tuple] = {}
    for conn in conns.values():
        rows = await conn.fetch("SELECT event_id, event_type, created_at FROM outbox WHERE published_at IS NOT NULL "
                                "AND published_at < now() - make_interval(secs => $1)", grace_seconds)
        events.update((r["event_id"], (r["event_type"], r["created_at"])) for r in rows)
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
        claimed = {r["event_id"] for r in await conns[consumer].fetch(
            "SELECT event_id FROM inbox WHERE consumer = $1", consumer)}
        missing = {eid for eid in wanted - claimed if (consumer, eid) not in dead}
        check.checked += len(wanted)
        check.problems += [f"{consumer}: event {eid} ({published[eid][0]}) was published but never handled"
                           for eid in sorted(missing, key=str)]
    return check


async def _requisition_checks(conns, grace_seconds: float) -> Check:
    check = Check("every placement has its requisition (placement vs billing)")
    if not {"placement", "billing"} <= conns.keys():
        check.problems.append("needs placement's and billing's databases")
        return check
    stays = {r["id"]: r for r in await conns["placement"].fetch(
        "SELECT id, authorised_to, check_out, created_at < now() - make_interval(secs => $1) AS settled FROM stays",
        grace_seconds)}
    reqs: dict[uuid.UUID, list] = defaultdict(list)
    for r in await conns["billing"].fetch("SELECT number, stay_id, period_to, status, closed_from FROM requisitions"):
        reqs[r["stay_id"]].append(r)
    check.checked = len(stays)
    for stay_id, stay in stays.items():
        found = reqs.get(stay_id, [])
        if not found and not stay["settled"]:
            continue  # placed just now: its event may still be on its way to billing
        if len(found) != 1:
            check.problems.append(f"stay {stay_id} has {len(found)} requisitions in billing (expected 1)")
            continue
        req, check_out = found[0], stay["check_out"]
        # Open: the requisition runs to the stay's authorised date. Moved out: closed from the check-out
        # (its last night the one before it, unless it was authorised to an earlier night).
        if check_out is None and (req["status"] != "open" or req["period_to"] != stay["authorised_to"]):
            check.problems.append(f"stay {stay_id} is open and authorised to {stay['authorised_to']}; requisition "
                                  f"{req['number']} is {req['status']} to {req['period_to']}")
        if check_out is not None and (req["status"] != "closed" or req["closed_from"] != check_out or
                                      req["period_to"] != min(stay["authorised_to"], check_out - timedelta(days=1))):
            check.problems.append(f"stay {stay_id} moved out {check_out}; requisition {req['number']} is "
                                  f"{req['status']} from {req['closed_from']} to {req['period_to']}")
    check.problems += [f"requisition(s) {[r['number'] for r in rs]} for stay {sid} that placement does not have"
                       for sid, rs in reqs.items() if sid not in stays]
    return check


async def reference_kostra(placement: asyncpg.Connection, year: int, today: date, rules) -> dict[str, dict]:
    """KOSTRA counters per municipality from placement's own tables (stays, providers, decisions)."""
    from services.stats.domain import kostra

    rows = await placement.fetch(
        "SELECT s.household_id, s.municipality, p.accommodation, s.check_in, s.check_out, d.household "
        "FROM stays s JOIN providers p ON p.id = s.provider_id JOIN decisions d ON d.decision_id = s.decision_id")
    by_municipality: dict[str, list] = defaultdict(list)
    for r in rows:
        h = r["household"] if isinstance(r["household"], dict) else json.loads(r["household"])
        by_municipality[r["municipality"]].append(kostra.StayFacts(
            r["household_id"], r["accommodation"], r["check_in"], r["check_out"],
            date.fromisoformat(h["applicant_birth_date"]),
            tuple(date.fromisoformat(c) for c in h.get("children_birth_dates", []))))
    return {m: kostra.compute(stays, year, today, rules) for m, stays in by_municipality.items()}


async def _stats_checks(conns, url: str | None, token: str | None, settings: Settings) -> Check:
    import httpx

    from services.stats.domain.kostra import KEYS, KostraRules

    check = Check("stats equal a reference computation over placement's tables (KOSTRA, this year)")
    if "placement" not in conns or not url or not token:
        check.problems.append("needs placement's database, the system's address and the secret key")
        return check
    today = datetime.now(UTC).date()
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


async def read_dead_letters(bootstrap: str, settings: Settings, services=SERVICES, idle_ms: int = 1500) -> list[dict]:
    """Every message on the services' dead-letter topics: service, reason, event id (ce_id) and type."""
    from aiokafka import AIOKafkaConsumer

    names = [settings.topic(dead_letter_topic(s)) for s in services]
    # A throw-away group that subscribes (its join assigns every partition): metadata of a group-less
    # consumer can lack the partitions of topics it never fetched on some brokers (Apache Kafka).
    consumer = AIOKafkaConsumer(*names, bootstrap_servers=bootstrap, group_id=f"botilbud-verify-{uuid.uuid4()}",
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    out = []
    try:
        loop = asyncio.get_running_loop()
        joined = loop.time() + 30
        while not consumer.assignment() and loop.time() < joined:
            await consumer.getmany(timeout_ms=200)  # drives the join; nothing is read before it
        parts = list(consumer.assignment())
        if not parts:
            return out
        end = await consumer.end_offsets(parts)
        await consumer.seek_to_beginning(*parts)
        # Up to the end offsets taken now (a broker's first fetch may take longer than idle_ms), then on until a
        # fetch comes back empty (the embedded Tansu may report end offsets below the log's true end).
        remaining = {tp for tp in parts if end[tp] > 0}
        deadline = asyncio.get_running_loop().time() + 60
        while True:
            fetched = await consumer.getmany(timeout_ms=1000 if remaining else idle_ms)
            for tp, records in fetched.items():
                for rec in records:
                    h = {k: v.decode(errors="replace") for k, v in (rec.headers or ())}
                    out.append({"service": h.get("dlt_service", "?"), "reason": h.get("dlt_reason", "?"),
                                "event_id": h.get("ce_id"), "type": h.get("ce_type"),
                                "detail": h.get("dlt_detail", "")[:200], "topic": h.get("dlt_topic"),
                                "partition": h.get("dlt_partition"), "offset": h.get("dlt_offset")})
                if records and records[-1].offset + 1 >= end[tp]:
                    remaining.discard(tp)
            if (not fetched and not remaining) or asyncio.get_running_loop().time() > deadline:
                break
    finally:
        await consumer.stop()
    return out


async def stored_dead_letters(conns: dict[str, asyncpg.Connection]) -> list[dict]:
    """The dead letters kept in the services' databases (kit/dead_letters.py), in the topics' shape."""
    out = []
    for conn in conns.values():
        for r in await conn.fetch("SELECT service, reason, event_id, event_type, detail, topic, partition, "
                                  "\"offset\", replayed_at FROM dead_letters ORDER BY id"):
            out.append({"service": r["service"], "reason": r["reason"],
                        "event_id": str(r["event_id"]) if r["event_id"] else None, "type": r["event_type"],
                        "detail": r["detail"][:200], "topic": r["topic"], "partition": r["partition"],
                        "offset": r["offset"], "replayed": r["replayed_at"] is not None})
    return out


def merge_dead_letters(stored: list[dict], on_topics: list[dict]) -> list[dict]:
    """The stored dead letters, and those only the topics hold (from before the databases kept them): a letter
    in both is the same event id of the same service, or — for one without a readable id — the same place in
    the same topic."""
    by_id = {(d["service"], d["event_id"]) for d in stored if d["event_id"]}
    by_place = {(d["service"], d["topic"], str(d["partition"]), str(d["offset"])) for d in stored}

    def known(d: dict) -> bool:
        event_id = _uuid(d["event_id"])
        if event_id is not None:
            return (d["service"], str(event_id)) in by_id
        return (d["service"], d["topic"], d.get("partition"), d.get("offset")) in by_place
    return stored + [d for d in on_topics if not known(d)]


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


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
        dead_ids = {(d["service"], i) for d in dead if (i := _uuid(d["event_id"]))}
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
        event_id = _uuid(d["event_id"])
        if event_id not in all_events:
            continue
        handled = d["service"] in conns and await conns[d["service"]].fetchval(
            "SELECT 1 FROM inbox WHERE consumer = $1 AND event_id = $2", d["service"], event_id)
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
