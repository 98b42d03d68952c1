"""How each stats command is written: an upsert per kind of command that gives the same row whatever order the
events arrive in — facts that never change are inserted once, full states keep the newest (event time, event
id), and a stay's start and end fill in different columns of the same row — and a bulk form of it for batches.

The statements name their table unqualified; `statements(schema)` gives them for the projections a rebuild
builds aside in another schema."""

from __future__ import annotations

import functools
from collections.abc import Callable

from services.stats.domain import commands as c

PROJECTION_TABLES = ("stays", "applications", "decisions", "providers", "units", "capacity", "requisitions",
                     "invoices", "offices", "unit_beds")

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
    c.RecordOffice: (
        "INSERT INTO offices (office_id, name, municipality, district, closed, version_time, version_id) "
        "VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (office_id) DO UPDATE SET name = EXCLUDED.name, "
        "municipality = EXCLUDED.municipality, district = EXCLUDED.district, closed = EXCLUDED.closed, "
        "version_time = EXCLUDED.version_time, version_id = EXCLUDED.version_id WHERE " + _NEWER.format(t="offices"),
        lambda x: (x.office_id, x.name, x.municipality, x.district, x.closed, x.event_time, x.event_id)),
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
    return f"{sql[:values]} SELECT * FROM unnest({unnest}){sql[rest:]}"  # noqa: S608 - the module's own SQL


_BULK_SQL = {cls: _bulk_sql(_WRITES[cls][0], types) for cls, (types, _, _) in _BULK.items()}


@functools.cache
def statements(schema: str | None = None) -> tuple[dict[type, tuple[str, Callable]], dict[type, str]]:
    """The single-row and the bulk statements, writing into `schema` (None: the live projections)."""
    if schema is None:
        return _WRITES, _BULK_SQL
    into = f"INSERT INTO {schema}."
    writes = {cls: (sql.replace("INSERT INTO ", into, 1), params) for cls, (sql, params) in _WRITES.items()}
    return writes, {cls: sql.replace("INSERT INTO ", into, 1) for cls, sql in _BULK_SQL.items()}


def winners(cmds: list, cls: type) -> list:
    """One command per row (a statement may not upsert the same row twice): the one the upsert's own condition
    would keep had they come one by one."""
    _, key, rank = _BULK[cls]
    best: dict = {}
    for cmd in cmds:
        k = key(cmd)
        if rank is None or k not in best or rank(cmd) >= rank(best[k]):
            best[k] = cmd
    return list(best.values())


# A second write for some commands: the unit's beds from the time the event took effect (the weekly report's
# free beds on a past night). Insert-only: every event is a row, whatever order they come in.
_UNIT_BEDS = ("INSERT INTO unit_beds (unit_id, provider_id, at, beds, event_id) VALUES ($1,$2,$3,$4,$5) "
              "ON CONFLICT DO NOTHING")
_HISTORY: dict[type, tuple[str, Callable[[object], tuple]]] = {
    c.RecordUnit: (_UNIT_BEDS, lambda x: (x.unit_id, x.provider_id, x.event_time, x.beds, x.event_id)),
    c.RecordCapacity: (_UNIT_BEDS, lambda x: (x.unit_id, x.provider_id, x.changed_at, x.beds, x.event_id)),
}


@functools.cache
def history_statements(schema: str | None = None) -> dict[type, tuple[str, Callable]]:
    """The second writes (`_HISTORY`), into `schema` (None: the live projections)."""
    if schema is None:
        return _HISTORY
    return {cls: (sql.replace("INSERT INTO ", f"INSERT INTO {schema}.", 1), params)
            for cls, (sql, params) in _HISTORY.items()}


def bulk(cls: type) -> bool:
    return cls in _BULK
