"""Billing's repository: it loads and saves the aggregates (requisitions with their stays, invoices with their
lines) and what reconciliation reads to decide (terms, fixed places, nights billed, invoices seen), and takes
the locks. Reads for pages and APIs are in `queries.py`. Every aggregate it loads or adds is `seen`, so the unit
of work can collect the events they recorded."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from uuid import UUID

import asyncpg

from services.billing.adapters.papers import MAILING_COLUMNS, REQUISITION_COLUMNS, PaperContext, paper_context
from services.billing.domain.finance import Invoice, InvoiceLine
from services.billing.domain.model import ProviderAgreement, Requisition, Stay
from services.billing.domain.papers import Mailing
from services.billing.domain.payments import DueLine, PaymentExport
from services.billing.domain.terms import FixedPlaces, RequisitionTerms

INVOICE_COLUMNS = ("id, kind, format, supplier_orgnr, supplier_name, invoice_number, issue_date, currency, "
                   "order_reference, line_total, claimed, payable, status, findings, failed_rules, received_at, "
                   "received_by, duplicate_of, decision, decided_at, decided_by, approved_amount, comment")
LINE_COLUMNS = ("position, line_id, requisition_number, requisition_id, provider_id, agreement_kind, office_id, "
                "first_night, last_night, claimed_nights, claimed_price, claimed_amount, payable_nights, "
                "payable_amount, status, findings, comment")
# Imports are matched one at a time: nights billed twice and duplicate invoices are decided in order.
IMPORT_LOCK = 0x0B111_0005
# Payment exports are made one at a time: a line goes into the first export that takes it, never two.
EXPORT_LOCK = 0x0B111_0006
DUE_LINES = (
    "SELECT i.id AS invoice_id, l.position, i.kind, l.payable_amount, i.supplier_orgnr, i.supplier_name, "
    "i.invoice_number, i.issue_date, i.decided_at AS approved_at, l.requisition_number, l.office_id, "
    "(SELECT o.name FROM offices o WHERE o.id = l.office_id) AS office_name, l.agreement_kind, l.first_night, "
    "l.last_night, l.payable_nights FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id "
    "WHERE i.decision = 'approved' AND l.export_id IS NULL "
    "AND (i.decided_at AT TIME ZONE 'Europe/Oslo')::date BETWEEN $1 AND $2 "
    "ORDER BY i.decided_at, i.id, l.position")


def _requisition(row) -> Requisition:
    values = dict(row)
    return Requisition(**{**values, "conditions": tuple(values["conditions"] or ())})


class BillingRepository:
    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn
        self.seen: list = []  # aggregates loaded or added in this unit of work

    def _seen(self, aggregate):
        if aggregate is not None:
            self.seen.append(aggregate)
        return aggregate

    # --- offices (intake's events) ------------------------------------------------------------------------
    async def record_office(self, o) -> None:
        """Upsert an office's full state; a late or republished event never overwrites a newer one."""
        await self.conn.execute(
            "INSERT INTO offices (id, name, municipality, district, address, phone, email, closed, version_time) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, "
            "municipality = EXCLUDED.municipality, district = EXCLUDED.district, address = EXCLUDED.address, "
            "phone = EXCLUDED.phone, email = EXCLUDED.email, closed = EXCLUDED.closed, "
            "version_time = EXCLUDED.version_time WHERE EXCLUDED.version_time >= offices.version_time",
            o.office_id, o.name, o.municipality, o.district, o.address, o.phone, o.email, o.closed, o.at)

    # --- requisitions and stays -------------------------------------------------------------------------
    async def next_sequence(self) -> int:
        return await self.conn.fetchval("SELECT nextval('requisition_number_seq')")

    async def add(self, r: Requisition) -> None:
        await self.conn.execute(
            f"INSERT INTO requisitions ({REQUISITION_COLUMNS}) "
            "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)",
            r.id, r.number, r.stay_id, r.household_id, r.office_id, r.provider_id, r.provider_name,
            r.provider_orgnr, r.unit_id, r.agreement_kind, r.period_from, r.period_to, r.price_per_night,
            r.status, r.closed_from, r.persons, list(r.conditions), r.contact_username, r.contact_name)
        self._seen(r)

    async def open_for_stay(self, stay_id: UUID) -> Requisition | None:
        """The stay's requisition, locked for the change."""
        row = await self.conn.fetchrow(
            f"SELECT {REQUISITION_COLUMNS} FROM requisitions WHERE stay_id = $1 ORDER BY period_from DESC "
            "LIMIT 1 FOR UPDATE", stay_id)
        return self._seen(_requisition(row)) if row else None

    async def by_number(self, number: str) -> Requisition | None:
        row = await self.conn.fetchrow(f"SELECT {REQUISITION_COLUMNS} FROM requisitions WHERE number = $1",  # noqa: S608
                                       number)
        return _requisition(row) if row else None

    async def save(self, r: Requisition) -> None:
        await self.conn.execute(
            "UPDATE requisitions SET status = $2, closed_from = $3, period_to = $4, conditions = $5 WHERE id = $1",
            r.id, r.status, r.closed_from, r.period_to, list(r.conditions))

    # --- mailings: each sending of a requisition to its provider ----------------------------------------
    async def add_mailing(self, m: Mailing) -> None:
        """Asked for once per issue and per extension (a unique index): a second ask for the same is a no-op."""
        await self.conn.execute(
            "INSERT INTO requisition_mailings (id, requisition_id, reason, period_from, period_to, max_amount, "
            "requested_at, requested_by, next_attempt_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) "
            "ON CONFLICT DO NOTHING", m.id, m.requisition_id, m.reason, m.period_from, m.period_to, m.max_amount,
            m.requested_at, m.requested_by, m.next_attempt_at)

    async def mailing_pending(self, requisition_id: UUID) -> bool:
        return await self.conn.fetchval("SELECT EXISTS (SELECT 1 FROM requisition_mailings WHERE requisition_id = $1 "
                                        "AND status = 'pending')", requisition_id)

    async def claim_mailing(self, mailing_id: UUID) -> Mailing | None:
        """The mailing if it is still to be sent and no one else is sending it (then it stays locked until this
        transaction ends: two senders never send one mailing)."""
        row = await self.conn.fetchrow(
            f"SELECT {MAILING_COLUMNS} FROM requisition_mailings WHERE id = $1 AND status = 'pending' "  # noqa: S608
            "FOR UPDATE SKIP LOCKED", mailing_id)
        return Mailing(**dict(row)) if row else None

    async def save_mailing(self, m: Mailing) -> None:
        await self.conn.execute(
            "UPDATE requisition_mailings SET status = $2, attempts = $3, next_attempt_at = $4, last_error = $5, "
            "sent_at = $6, recipient = $7, subject = $8, attachment = $9, pdf_sha256 = $10, pdf_bytes = $11, "
            "message_id = $12 WHERE id = $1", m.id, m.status, m.attempts, m.next_attempt_at, m.last_error,
            m.sent_at, m.recipient, m.subject, m.attachment, m.pdf_sha256, m.pdf_bytes, m.message_id)

    async def paper_context(self, requisition_id: UUID) -> PaperContext | None:
        return await paper_context(self.conn, requisition_id=requisition_id)

    async def has_requisition(self, stay_id: UUID) -> bool:
        return await self.conn.fetchval("SELECT EXISTS (SELECT 1 FROM requisitions WHERE stay_id = $1)", stay_id)

    async def add_stay(self, stay: Stay) -> None:
        await self.conn.execute(
            "INSERT INTO stays (stay_id, household_id, check_in, check_out) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (stay_id) DO NOTHING", stay.stay_id, stay.household_id, stay.check_in, stay.check_out)

    async def get_stay(self, stay_id: UUID) -> Stay | None:
        row = await self.conn.fetchrow("SELECT stay_id, household_id, check_in, check_out FROM stays "
                                       "WHERE stay_id = $1", stay_id)
        return Stay(**dict(row)) if row else None

    async def save_stay(self, stay: Stay) -> None:
        await self.conn.execute("UPDATE stays SET check_out = $2 WHERE stay_id = $1", stay.stay_id, stay.check_out)

    # --- a batch of stays at once (service_layer/stays.py) ----------------------------------------------------
    async def stays_with_requisition(self, stay_ids: list[UUID]) -> set[UUID]:
        return {r["stay_id"] for r in await self.conn.fetch(
            "SELECT DISTINCT stay_id FROM requisitions WHERE stay_id = ANY($1::uuid[])", stay_ids)}

    async def stays_of(self, stay_ids: list[UUID]) -> list[Stay]:
        return [Stay(**dict(r)) for r in await self.conn.fetch(
            "SELECT stay_id, household_id, check_in, check_out FROM stays WHERE stay_id = ANY($1::uuid[]) "
            "FOR UPDATE", stay_ids)]

    async def add_stays(self, stays: list[Stay]) -> None:
        if stays:
            await self.conn.executemany(
                "INSERT INTO stays (stay_id, household_id, check_in, check_out) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (stay_id) DO NOTHING", [(s.stay_id, s.household_id, s.check_in, s.check_out)
                                                      for s in stays])

    async def save_stays(self, stays: list[Stay]) -> None:
        if stays:
            await self.conn.executemany("UPDATE stays SET check_out = $2 WHERE stay_id = $1",
                                        [(s.stay_id, s.check_out) for s in stays])

    async def save_provider(self, p: ProviderAgreement) -> None:
        """The provider's newest state; its mailings still waiting are tried again now (it may have an e-mail
        address at last)."""
        await self.conn.execute(
            "INSERT INTO providers (provider_id, orgnr, name, agreement_kind, price_per_night, fixed_places, email) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (provider_id) DO UPDATE SET orgnr = $2, name = $3, "
            "agreement_kind = $4, price_per_night = $5, fixed_places = $6, email = $7",
            p.provider_id, p.orgnr, p.name, p.agreement_kind, p.price_per_night, p.fixed_places, p.email)
        await self.conn.execute(
            "UPDATE requisition_mailings m SET next_attempt_at = least(m.next_attempt_at, now()) FROM requisitions r "
            "WHERE r.id = m.requisition_id AND r.provider_id = $1 AND m.status = 'pending'", p.provider_id)

    async def record_unit(self, u) -> None:
        """Upsert a unit's full state; a late or republished event never overwrites a newer one."""
        await self.conn.execute(
            "INSERT INTO units (unit_id, provider_id, name, address, version_time) VALUES ($1,$2,$3,$4,$5) "
            "ON CONFLICT (unit_id) DO UPDATE SET provider_id = EXCLUDED.provider_id, name = EXCLUDED.name, "
            "address = EXCLUDED.address, version_time = EXCLUDED.version_time "
            "WHERE EXCLUDED.version_time >= units.version_time", u.unit_id, u.provider_id, u.name, u.address, u.at)

    # --- what reconciliation decides on -----------------------------------------------------------------
    async def lock_imports(self) -> None:
        await self.conn.execute("SELECT pg_advisory_xact_lock($1)", IMPORT_LOCK)

    async def terms(self, numbers: Iterable[str]) -> dict[str, RequisitionTerms]:
        rows = await self.conn.fetch(
            "SELECT r.number, r.id AS requisition_id, r.provider_id, r.provider_orgnr, r.agreement_kind, "
            "r.office_id, r.period_from, r.period_to, r.price_per_night, r.closed_from, s.check_in, s.check_out "
            "FROM requisitions r LEFT JOIN stays s ON s.stay_id = r.stay_id WHERE r.number = ANY($1::text[])",
            list(numbers))
        return {row["number"]: RequisitionTerms(**dict(row)) for row in rows}

    async def fixed_places(self, orgnr: str) -> dict[str, FixedPlaces]:
        row = await self.conn.fetchrow(
            "SELECT provider_id, orgnr, agreement_kind, fixed_places, price_per_night FROM providers "
            "WHERE orgnr = $1 AND fixed_places > 0 AND price_per_night IS NOT NULL "
            "ORDER BY fixed_places DESC LIMIT 1", orgnr)
        if row is None:
            return {}
        return {orgnr: FixedPlaces(row["provider_id"], orgnr, row["agreement_kind"], row["fixed_places"],
                                   row["price_per_night"])}

    async def billed(self, keys: Iterable[str]) -> dict[str, set[date]]:
        rows = await self.conn.fetch(
            "SELECT ledger_key, night FROM billed_nights WHERE ledger_key = ANY($1::text[]) "
            "GROUP BY ledger_key, night HAVING sum(sign) > 0", list(keys))
        out: dict[str, set[date]] = {}
        for row in rows:
            out.setdefault(row["ledger_key"], set()).add(row["night"])
        return out

    async def received_before(self, orgnr: str, kind: str, number: str) -> UUID | None:
        return await self.conn.fetchval(
            "SELECT id FROM invoices WHERE supplier_orgnr = $1 AND kind = $2 AND upper(invoice_number) = $3 "
            "ORDER BY received_at LIMIT 1", orgnr, kind, number.strip().upper())

    # --- invoices ---------------------------------------------------------------------------------------
    async def add_invoice(self, inv: Invoice, document: bytes, sha256: str,
                          billed_nights: list[tuple[str, date, int, int]], *,
                          received_by_name: str | None = None) -> None:
        """The received invoice, its lines, the document as sent, and the nights it pays ((ledger key, night,
        position, sign) each)."""
        await self.conn.execute(
            f"INSERT INTO invoices ({INVOICE_COLUMNS}, document, document_sha256) VALUES "
            "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25)",
            inv.id, inv.kind, inv.format, inv.supplier_orgnr, inv.supplier_name, inv.invoice_number,
            inv.issue_date, inv.currency, inv.order_reference, inv.line_total, inv.claimed, inv.payable,
            inv.status, inv.findings, inv.failed_rules, inv.received_at, inv.received_by,
            inv.duplicate_of, inv.decision, inv.decided_at, inv.decided_by, inv.approved_amount, inv.comment,
            document, sha256)
        if received_by_name:
            await self.conn.execute("UPDATE invoices SET received_by_name = $2 WHERE id = $1", inv.id,
                                    received_by_name)
        await self.conn.executemany(
            f"INSERT INTO invoice_lines (invoice_id, {LINE_COLUMNS}) VALUES "
            "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)",
            [(inv.id, x.position, x.line_id, x.requisition_number, x.requisition_id, x.provider_id, x.agreement_kind,
              x.office_id, x.first_night, x.last_night, x.claimed_nights, x.claimed_price, x.claimed_amount,
              x.payable_nights, x.payable_amount, x.status, x.findings, x.comment) for x in inv.lines])
        if billed_nights:
            await self.conn.executemany(
                "INSERT INTO billed_nights (ledger_key, night, invoice_id, position, sign) VALUES ($1,$2,$3,$4,$5)",
                [(key, night, inv.id, position, sign) for key, night, position, sign in billed_nights])
        self._seen(inv)

    async def get_invoice(self, invoice_id: UUID) -> Invoice | None:
        """The invoice with its lines, locked for finance's change."""
        row = await self.conn.fetchrow(f"SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = $1 FOR UPDATE",
                                       invoice_id)
        if row is None:
            return None
        invoice = Invoice(**dict(row))  # jsonb columns come back decoded (the kit's pool sets the codec)
        lines = await self.conn.fetch(f"SELECT {LINE_COLUMNS} FROM invoice_lines WHERE invoice_id = $1 "
                                      "ORDER BY position", invoice_id)
        invoice.lines = [InvoiceLine(**dict(x)) for x in lines]
        return self._seen(invoice)

    async def save_settlement(self, inv: Invoice, position: int | None, action: str, comment: str, by: str,
                              at: datetime, *, by_name: str | None = None) -> None:
        """Finance's change to an open invoice (the invoice, the line), and the append-only record of it; a
        disputed invoice gives back the nights it held (the opposite rows are appended)."""
        await self.conn.execute(
            "UPDATE invoices SET payable = $2, status = $3, decision = $4, decided_at = $5, decided_by = $6, "
            "approved_amount = $7, comment = $8 WHERE id = $1", inv.id, inv.payable, inv.status, inv.decision,
            inv.decided_at, inv.decided_by, inv.approved_amount, inv.comment)
        amount = inv.approved_amount if action == "approve" else None
        if position is not None:
            line = inv.line(position)
            amount = line.payable_amount.copy_abs()
            await self.conn.execute(
                "UPDATE invoice_lines SET payable_amount = $3, status = $4, comment = $5 "
                "WHERE invoice_id = $1 AND position = $2", inv.id, position, line.payable_amount, line.status,
                line.comment)
        if action == "dispute":
            await self.conn.execute(
                "INSERT INTO billed_nights (ledger_key, night, invoice_id, position, sign) "
                "SELECT ledger_key, night, invoice_id, position, -sign FROM billed_nights WHERE invoice_id = $1",
                inv.id)
        await self.conn.execute(
            "INSERT INTO invoice_decisions (invoice_id, position, action, amount, comment, decided_by, decided_at, "
            "decided_by_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", inv.id, position, action, amount, comment,
            by, at, by_name)

    # --- payment exports --------------------------------------------------------------------------------
    async def lock_exports(self) -> None:
        await self.conn.execute("SELECT pg_advisory_xact_lock($1)", EXPORT_LOCK)

    async def due_lines(self, period_from: date, period_to: date) -> list[DueLine]:
        """Lines of invoices approved in the period (approval date in Norway, both included) that no export
        has taken yet, in the order they were approved."""
        return [DueLine(**dict(r)) for r in await self.conn.fetch(DUE_LINES, period_from, period_to)]

    async def add_export(self, export: PaymentExport, lines: list[DueLine], content: bytes, sha256: str) -> None:
        """The export with its file, and each of its lines marked as paid by it."""
        await self.conn.execute(
            "INSERT INTO payment_exports (id, created_at, created_by, created_by_name, period_from, period_to, "
            "lines, total, content, content_sha256) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)", export.id,
            export.created_at, export.created_by, export.created_by_name, export.period_from, export.period_to,
            export.lines, export.total, content, sha256)
        await self.conn.executemany(
            "UPDATE invoice_lines SET export_id = $3 WHERE invoice_id = $1 AND position = $2 AND export_id IS NULL",
            [(x.invoice_id, x.position, export.id) for x in lines])
