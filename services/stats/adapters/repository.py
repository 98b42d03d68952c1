"""Stats' projection tables. Every write is an upsert that gives the same row whatever order the events
arrive in: facts that never change are inserted once, full states keep the newest (event time, event id),
and a stay's start and end fill in different columns of the same row."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from datetime import date

import asyncpg

from services.stats.domain import commands as c
from services.stats.domain.kostra import StayFacts

_PROJECTION_WRITERS_LOCK = zlib.crc32(b"stats:projection-writers")
PROJECTION_TABLES = ("stays", "applications", "decisions", "providers", "units", "capacity", "requisitions",
                     "invoices")

_NEWER = "(EXCLUDED.version_time, EXCLUDED.version_id) > ({t}.version_time, {t}.version_id)"

# For each command: the upsert, and the parameters it takes from a command.
_WRITES: dict[type, tuple[str, Callable[[object], tuple]]] = {
    c.RecordApplication: (
        "INSERT INTO applications (application_id, household_id, office_id, municipality, district, received_at, "
        "channel, urgent, adults, children) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT DO NOTHING",
        lambda x: (x.application_id, x.household_id, x.office_id, x.municipality, x.district, x.received_at,
                   x.channel, x.urgent, x.adults, x.children)),
    c.RecordDecision: (
        "INSERT INTO decisions (decision_id, application_id, household_id, office_id, municipality, district, "
        "outcome, period_from, period_to, decided_at, extends_decision_id) "
        "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT DO NOTHING",
        lambda x: (x.decision_id, x.application_id, x.household_id, x.office_id, x.municipality, x.district,
                   x.outcome, x.period_from, x.period_to, x.decided_at, x.extends_decision_id)),
    c.RecordProvider: (
        "INSERT INTO providers (provider_id, name, orgnr, kind, municipality, district, accommodation, "
        "agreement_kind, price_per_night, fixed_places, version_time, version_id) "
        "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) ON CONFLICT (provider_id) DO UPDATE SET "
        "name = EXCLUDED.name, orgnr = EXCLUDED.orgnr, kind = EXCLUDED.kind, municipality = EXCLUDED.municipality, "
        "district = EXCLUDED.district, accommodation = EXCLUDED.accommodation, "
        "agreement_kind = EXCLUDED.agreement_kind, price_per_night = EXCLUDED.price_per_night, "
        "fixed_places = EXCLUDED.fixed_places, version_time = EXCLUDED.version_time, "
        "version_id = EXCLUDED.version_id WHERE " + _NEWER.format(t="providers"),
        lambda x: (x.provider_id, x.name, x.orgnr, x.kind, x.municipality, x.district, x.accommodation,
                   x.agreement_kind, x.price_per_night, x.fixed_places, x.event_time, x.event_id)),
    c.RecordUnit: (
        "INSERT INTO units (unit_id, provider_id, name, beds, address, version_time, version_id) "
        "VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (unit_id) DO UPDATE SET provider_id = EXCLUDED.provider_id, "
        "name = EXCLUDED.name, beds = EXCLUDED.beds, address = EXCLUDED.address, "
        "version_time = EXCLUDED.version_time, version_id = EXCLUDED.version_id WHERE " + _NEWER.format(t="units"),
        lambda x: (x.unit_id, x.provider_id, x.name, x.beds, x.address, x.event_time, x.event_id)),
    c.RecordCapacity: (
        "INSERT INTO capacity (unit_id, provider_id, beds, occupied, municipality, changed_at, version_id) "
        "VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (unit_id) DO UPDATE SET provider_id = EXCLUDED.provider_id, "
        "beds = EXCLUDED.beds, occupied = EXCLUDED.occupied, municipality = EXCLUDED.municipality, "
        "changed_at = EXCLUDED.changed_at, version_id = EXCLUDED.version_id "
        "WHERE (EXCLUDED.changed_at, EXCLUDED.version_id) > (capacity.changed_at, capacity.version_id)",
        lambda x: (x.unit_id, x.provider_id, x.beds, x.occupied, x.municipality, x.changed_at, x.event_id)),
    c.RecordStayStarted: (
        "INSERT INTO stays (stay_id, household_id, office_id, municipality, district, accommodation, "
        "agreement_kind, provider_id, check_in, applicant_birth_date, children_birth_dates, unit_id, decision_id, "
        "provider_name, price_per_night, authorised_to, adults, children, justified) "
        "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19) "
        "ON CONFLICT (stay_id) DO UPDATE SET household_id = EXCLUDED.household_id, "
        "office_id = EXCLUDED.office_id, municipality = EXCLUDED.municipality, district = EXCLUDED.district, "
        "accommodation = EXCLUDED.accommodation, agreement_kind = EXCLUDED.agreement_kind, "
        "provider_id = EXCLUDED.provider_id, check_in = EXCLUDED.check_in, "
        "applicant_birth_date = EXCLUDED.applicant_birth_date, children_birth_dates = EXCLUDED.children_birth_dates, "
        "unit_id = EXCLUDED.unit_id, decision_id = EXCLUDED.decision_id, provider_name = EXCLUDED.provider_name, "
        "price_per_night = EXCLUDED.price_per_night, "
        "authorised_to = GREATEST(stays.authorised_to, EXCLUDED.authorised_to), adults = EXCLUDED.adults, "
        "children = EXCLUDED.children, justified = EXCLUDED.justified",
        lambda x: (x.stay_id, x.household_id, x.office_id, x.municipality, x.district, x.accommodation,
                   x.agreement_kind, x.provider_id, x.check_in, x.applicant_birth_date, list(x.children_birth_dates),
                   x.unit_id, x.decision_id, x.provider_name, x.price_per_night, x.authorised_to, x.adults,
                   len(x.children_birth_dates), x.justified)),
    c.RecordStayExtended: (
        "INSERT INTO stays (stay_id, household_id, authorised_to) VALUES ($1,$2,$3) ON CONFLICT (stay_id) DO UPDATE "
        "SET authorised_to = GREATEST(stays.authorised_to, EXCLUDED.authorised_to)",
        lambda x: (x.stay_id, x.household_id, x.authorised_to)),
    c.RecordStayEnded: (
        "INSERT INTO stays (stay_id, household_id, check_out, destination) VALUES ($1,$2,$3,$4) "
        "ON CONFLICT (stay_id) DO UPDATE SET check_out = EXCLUDED.check_out, destination = EXCLUDED.destination",
        lambda x: (x.stay_id, x.household_id, x.check_out, x.destination)),
    c.RecordRequisitionIssued: (
        "INSERT INTO requisitions (requisition_id, number, stay_id, household_id, office_id, provider_id, "
        "agreement_kind, period_from, period_to, price_per_night, max_amount, version_time, version_id) "
        "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) ON CONFLICT (requisition_id) DO UPDATE SET "
        "number = EXCLUDED.number, stay_id = EXCLUDED.stay_id, household_id = EXCLUDED.household_id, "
        "office_id = EXCLUDED.office_id, provider_id = EXCLUDED.provider_id, "
        "agreement_kind = EXCLUDED.agreement_kind, period_from = EXCLUDED.period_from, "
        "period_to = EXCLUDED.period_to, price_per_night = EXCLUDED.price_per_night, "
        "max_amount = EXCLUDED.max_amount, version_time = EXCLUDED.version_time, version_id = EXCLUDED.version_id "
        "WHERE requisitions.version_time IS NULL OR " + _NEWER.format(t="requisitions"),
        lambda x: (x.requisition_id, x.number, x.stay_id, x.household_id, x.office_id, x.provider_id,
                   x.agreement_kind, x.period_from, x.period_to, x.price_per_night, x.max_amount, x.event_time,
                   x.event_id)),
    c.RecordRequisitionClosed: (
        "INSERT INTO requisitions (requisition_id, closed_from, close_reason) VALUES ($1,$2,$3) "
        "ON CONFLICT (requisition_id) DO UPDATE SET closed_from = EXCLUDED.closed_from, "
        "close_reason = EXCLUDED.close_reason",
        lambda x: (x.requisition_id, x.closed_from, x.reason)),
    c.RecordInvoiceReceived: (
        "INSERT INTO invoices (invoice_id, kind, supplier_orgnr, invoice_number, issue_date, total, lines) "
        "VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (invoice_id) DO UPDATE SET kind = EXCLUDED.kind, "
        "supplier_orgnr = EXCLUDED.supplier_orgnr, invoice_number = EXCLUDED.invoice_number, "
        "issue_date = EXCLUDED.issue_date, total = EXCLUDED.total, lines = EXCLUDED.lines",
        lambda x: (x.invoice_id, x.kind, x.supplier_orgnr, x.invoice_number, x.issue_date, x.total, x.lines)),
    c.RecordInvoiceReconciled: (
        "INSERT INTO invoices (invoice_id, status, claimed, payable, reconciled_time, reconciled_id) "
        "VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (invoice_id) DO UPDATE SET status = EXCLUDED.status, "
        "claimed = EXCLUDED.claimed, payable = EXCLUDED.payable, reconciled_time = EXCLUDED.reconciled_time, "
        "reconciled_id = EXCLUDED.reconciled_id WHERE invoices.reconciled_time IS NULL OR "
        "(EXCLUDED.reconciled_time, EXCLUDED.reconciled_id) > (invoices.reconciled_time, invoices.reconciled_id)",
        lambda x: (x.invoice_id, x.status, x.claimed, x.payable, x.event_time, x.event_id)),
    c.RecordInvoiceApproved: (
        "INSERT INTO invoices (invoice_id, provider_id, supplier_orgnr, agreement_kind, approved_amount, approved_at) "
        "VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (invoice_id) DO UPDATE SET provider_id = EXCLUDED.provider_id, "
        "supplier_orgnr = EXCLUDED.supplier_orgnr, agreement_kind = EXCLUDED.agreement_kind, "
        "approved_amount = EXCLUDED.approved_amount, approved_at = EXCLUDED.approved_at "
        "WHERE invoices.approved_at IS NULL OR EXCLUDED.approved_at >= invoices.approved_at",
        lambda x: (x.invoice_id, x.provider_id, x.supplier_orgnr, x.agreement_kind, x.approved_amount,
                   x.approved_at)),
}


# Column types of the writes done in bulk (one INSERT … SELECT FROM unnest(…) per batch and kind); how to
# tell two commands on the same row apart in a batch; and which of them wins (None: the later one), which is
# what the upsert's own condition would pick had they come one by one.
_BULK: dict[type, tuple[tuple[str, ...], Callable, Callable | None]] = {
    c.RecordApplication: (("uuid", "uuid", "text", "text", "text", "timestamptz", "text", "bool", "int4", "int4"),
                          lambda x: x.application_id, None),
    c.RecordDecision: (("uuid", "uuid", "uuid", "text", "text", "text", "text", "date", "date", "timestamptz", "uuid"),
                       lambda x: x.decision_id, None),
    c.RecordCapacity: (("uuid", "uuid", "int4", "int4", "text", "timestamptz", "uuid"), lambda x: x.unit_id,
                       lambda x: (x.changed_at, x.event_id)),
    c.RecordStayExtended: (("uuid", "uuid", "date"), lambda x: x.stay_id, lambda x: x.authorised_to),
    c.RecordStayEnded: (("uuid", "uuid", "date", "text"), lambda x: x.stay_id, None),
    c.RecordRequisitionIssued: (("uuid", "text", "uuid", "uuid", "text", "uuid", "text", "date", "date", "numeric",
                                 "numeric", "timestamptz", "uuid"), lambda x: x.requisition_id,
                                lambda x: (x.event_time, x.event_id)),
    c.RecordRequisitionClosed: (("uuid", "date", "text"), lambda x: x.requisition_id, None),
    c.RecordInvoiceReceived: (("uuid", "text", "text", "text", "date", "numeric", "int4"), lambda x: x.invoice_id,
                              None),
    c.RecordInvoiceReconciled: (("uuid", "text", "numeric", "numeric", "timestamptz", "uuid"), lambda x: x.invoice_id,
                                lambda x: (x.event_time, x.event_id)),
    c.RecordInvoiceApproved: (("uuid", "uuid", "text", "text", "numeric", "timestamptz"), lambda x: x.invoice_id,
                              lambda x: x.approved_at),
}


def _bulk_sql(sql: str, types: tuple[str, ...]) -> str:
    values = sql.index(" VALUES (")
    rest = sql.index(")", values) + 1
    unnest = ", ".join(f"${i}::{t}[]" for i, t in enumerate(types, start=1))
    return f"{sql[:values]} SELECT * FROM unnest({unnest}){sql[rest:]}"


_BULK_SQL = {cls: _bulk_sql(_WRITES[cls][0], types) for cls, (types, _, _) in _BULK.items()}


def _winners(cmds: list, key: Callable, rank: Callable | None) -> list:
    """One command per row: a statement may not upsert the same row twice."""
    best: dict = {}
    for cmd in cmds:
        k = key(cmd)
        if rank is None or k not in best or rank(cmd) >= rank(best[k]):
            best[k] = cmd
    return list(best.values())


def _area(first_param: int) -> str:
    """Filter on municipality and (optionally) district, taking two parameters from `first_param`."""
    return (f"municipality = ${first_param} AND (${first_param + 1}::text IS NULL "
            f"OR district = ${first_param + 1})")


class StatsRepository:
    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    # -- writes --------------------------------------------------------------------------------------------

    async def lock_projections(self, *, exclusive: bool) -> None:
        """Writers of the projections take this first, in their transaction: the live consumer shared, a
        rebuild (its truncation and each replayed batch) exclusive. A rebuild then waits for the consumer's open
        batch instead of deadlocking with it (they would lock the same tables and rows in another order)."""
        await self.conn.execute("SELECT pg_advisory_xact_lock($1)" if exclusive else
                                "SELECT pg_advisory_xact_lock_shared($1)", _PROJECTION_WRITERS_LOCK)

    async def claim_events(self, consumer: str, event_ids: Sequence) -> set:
        """Inbox for a batch: the ids not seen before, now claimed (in the caller's transaction)."""
        rows = await self.conn.fetch(
            "INSERT INTO inbox (consumer, event_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING "
            "RETURNING event_id", consumer, list(event_ids))
        return {r["event_id"] for r in rows}

    async def apply(self, cmds: Sequence[c.Command]) -> None:
        by_type: dict[type, list] = {}
        for cmd in cmds:
            by_type.setdefault(type(cmd), []).append(cmd)
        for cls, group in by_type.items():
            sql, params = _WRITES[cls]
            if cls in _BULK and len(group) > 1:
                _, key, rank = _BULK[cls]
                rows = [params(x) for x in _winners(group, key, rank)]
                await self.conn.execute(_BULK_SQL[cls], *(list(col) for col in zip(*rows, strict=True)))
            elif len(group) == 1:
                await self.conn.execute(sql, *params(group[0]))
            else:
                await self.conn.executemany(sql, [params(x) for x in group])

    async def truncate(self, consumer: str) -> None:
        await self.conn.execute(f"TRUNCATE {', '.join(PROJECTION_TABLES)}")
        await self.conn.execute("DELETE FROM inbox WHERE consumer = $1", consumer)

    async def analyze(self) -> None:
        """Fresh planner statistics after a bulk load (a rebuild), so the first reports are fast too."""
        await self.conn.execute(f"ANALYZE {', '.join(PROJECTION_TABLES)}")

    # -- reads ---------------------------------------------------------------------------------------------

    async def stays_in_period(self, municipality: str, district: str | None, start: date,
                              end: date) -> list[StayFacts]:
        """Stays with at least one possible night in [start, end)."""
        rows = await self.conn.fetch(
            "SELECT household_id, accommodation, check_in, check_out, applicant_birth_date, children_birth_dates, "
            "adults, agreement_kind, destination, office_id, provider_name, justified FROM stays WHERE "
            + _area(1) + " AND check_in IS NOT NULL AND check_in < $4 AND (check_out IS NULL OR check_out > $3)",
            municipality, district, start, end)
        return [StayFacts(r["household_id"], r["accommodation"], r["check_in"], r["check_out"],
                          r["applicant_birth_date"], tuple(r["children_birth_dates"] or ()), r["adults"] or 1,
                          r["agreement_kind"], r["destination"], r["office_id"], r["provider_name"],
                          bool(r["justified"])) for r in rows]

    async def stays_for_kostra(self, municipality: str, district: str | None, year: int) -> list[StayFacts]:
        """Only what KOSTRA reads, for the stays with a possible night in the year."""
        rows = await self.conn.fetch(
            "SELECT household_id, accommodation, check_in, check_out, applicant_birth_date, "
            "CASE WHEN cardinality(children_birth_dates) > 0 THEN children_birth_dates END FROM stays WHERE "
            + _area(1) + " AND check_in IS NOT NULL AND check_in < $4 AND (check_out IS NULL OR check_out > $3)",
            municipality, district, date(year, 1, 1), date(year + 1, 1, 1))
        return [StayFacts(r[0], r[1], r[2], r[3], r[4], tuple(r[5]) if r[5] else ()) for r in rows]

    async def stays_in_year(self, municipality: str, district: str | None, year: int) -> list[StayFacts]:
        return await self.stays_in_period(municipality, district, date(year, 1, 1), date(year + 1, 1, 1))

    async def exits_by_destination(self, municipality: str, district: str | None, year: int) -> list:
        return await self.conn.fetch(
            "SELECT destination, count(*) AS stays, count(DISTINCT household_id) AS households FROM stays WHERE "
            + _area(1) + " AND check_in IS NOT NULL AND check_out >= $3 AND check_out < $4 "
            "GROUP BY destination ORDER BY count(*) DESC, destination",
            municipality, district, date(year, 1, 1), date(year + 1, 1, 1))

    async def decisions(self, municipality: str, district: str | None, year: int) -> list:
        return await self.conn.fetch(
            "SELECT outcome, count(*) AS decisions, count(DISTINCT household_id) AS households FROM decisions WHERE "
            + _area(1) + " AND decided_at >= $3 AND decided_at < $4 GROUP BY ROLLUP (outcome) "
            "ORDER BY outcome NULLS LAST",
            municipality, district, date(year, 1, 1), date(year + 1, 1, 1))

    async def occupancy(self, municipality: str, district: str | None) -> list:
        """Beds and occupied places per provider now: the latest CapacityChanged of each unit, or the unit's
        registered beds (none occupied) when no capacity change was seen yet."""
        return await self.conn.fetch(
            "SELECT p.name, p.agreement_kind, p.accommodation, count(u.unit_id) AS units, "
            "coalesce(sum(coalesce(k.beds, u.beds)), 0) AS beds, coalesce(sum(k.occupied), 0) AS occupied "
            "FROM providers p LEFT JOIN units u ON u.provider_id = p.provider_id "
            "LEFT JOIN capacity k ON k.unit_id = u.unit_id "
            "WHERE p.municipality = $1 AND ($2::text IS NULL OR p.district = $2) "
            "GROUP BY p.provider_id, p.name, p.agreement_kind, p.accommodation ORDER BY p.name",
            municipality, district)

    async def spend(self, municipality: str, district: str | None, year: int) -> list:
        """Approved amounts per provider in the year; a provider is found by id, else by organisation number."""
        return await self.conn.fetch(
            "SELECT coalesce(p.name, 'Org.nr ' || i.supplier_orgnr) AS name, "
            "coalesce(i.agreement_kind, p.agreement_kind, 'none') AS agreement_kind, count(*) AS invoices, "
            "sum(i.approved_amount) AS amount FROM invoices i "
            "LEFT JOIN LATERAL (SELECT * FROM providers p WHERE p.provider_id = i.provider_id "
            "   OR (i.provider_id IS NULL AND p.orgnr = i.supplier_orgnr) ORDER BY p.provider_id = i.provider_id DESC "
            "   LIMIT 1) p ON true "
            "WHERE i.approved_at >= $3 AND i.approved_at < $4 AND p.municipality = $1 "
            "AND ($2::text IS NULL OR p.district = $2) GROUP BY 1, 2 ORDER BY sum(i.approved_amount) DESC, 1",
            municipality, district, date(year, 1, 1), date(year + 1, 1, 1))

    async def municipalities(self) -> list[str]:
        rows = await self.conn.fetch("SELECT DISTINCT municipality FROM stays WHERE municipality IS NOT NULL")
        return sorted(r["municipality"] for r in rows)

    async def open_stays_over(self, rules, today: date) -> list:
        """Households in an open temporary stay of more than `rules.over_days` nights, by municipality and group
        (family: a child under 18 today; young: applicant 18–24 today; else other)."""
        return await self.conn.fetch(
            "SELECT municipality, CASE "
            "  WHEN EXISTS (SELECT 1 FROM unnest(children_birth_dates) c WHERE age($2::date, c) < make_interval("
            "    years => $3 + 1)) THEN 'family' "
            "  WHEN age($2::date, applicant_birth_date) >= make_interval(years => $4) "
            "   AND age($2::date, applicant_birth_date) < make_interval(years => $5 + 1) THEN 'young' "
            "  ELSE 'other' END AS \"group\", count(DISTINCT household_id) AS households "
            "FROM stays WHERE check_out IS NULL AND check_in IS NOT NULL AND accommodation = 'temporary' "
            "AND municipality IS NOT NULL AND $2::date - check_in > $1 GROUP BY 1, 2",
            rules.over_days, today, rules.child_max_age, rules.young_min_age, rules.young_max_age)

    async def now_by_municipality(self) -> tuple[list, list]:
        """For the gauges: households in temporary accommodation now, and beds/occupied, per municipality."""
        households = await self.conn.fetch(
            "SELECT municipality, accommodation, count(DISTINCT household_id) AS households FROM stays "
            "WHERE check_in IS NOT NULL AND check_out IS NULL AND municipality IS NOT NULL GROUP BY 1, 2")
        beds = await self.conn.fetch(
            "SELECT municipality, sum(beds) AS beds, sum(occupied) AS occupied FROM capacity GROUP BY 1")
        return list(households), list(beds)

    async def snapshot(self) -> dict[str, list]:
        """Every projection row, in a stable order: what the rebuild test compares."""
        out = {}
        for table in PROJECTION_TABLES:
            key = {"stays": "stay_id", "applications": "application_id", "decisions": "decision_id",
                   "providers": "provider_id", "units": "unit_id", "capacity": "unit_id",
                   "requisitions": "requisition_id", "invoices": "invoice_id"}[table]
            out[table] = [dict(r) for r in await self.conn.fetch(f"SELECT * FROM {table} ORDER BY {key}")]
        return out
