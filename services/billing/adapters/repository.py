from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from uuid import UUID

import asyncpg

from services.billing.domain.finance import Invoice, InvoiceLine
from services.billing.domain.model import ProviderAgreement, Requisition, Stay
from services.billing.domain.reconciliation import FixedPlaces, RequisitionTerms

_COLUMNS = ("id, number, stay_id, household_id, office_id, provider_id, provider_name, provider_orgnr, unit_id, "
            "agreement_kind, period_from, period_to, price_per_night, status, closed_from")
_INVOICE_COLUMNS = ("id, kind, format, supplier_orgnr, supplier_name, invoice_number, issue_date, currency, "
                    "order_reference, line_total, claimed, payable, status, findings, failed_rules, received_at, "
                    "received_by, duplicate_of, decision, decided_at, decided_by, approved_amount, comment")
_LINE_COLUMNS = ("position, line_id, requisition_number, requisition_id, provider_id, agreement_kind, office_id, "
                 "first_night, last_night, claimed_nights, claimed_price, claimed_amount, payable_nights, "
                 "payable_amount, status, findings, comment")
# Imports are matched one at a time: nights billed twice and duplicate invoices are decided in order.
IMPORT_LOCK = 0x0B111_0005


def _invoice(row) -> Invoice:
    return Invoice(**dict(row))  # jsonb columns come back decoded (the kit's pool sets the codec)


def _line(row) -> InvoiceLine:
    return InvoiceLine(**dict(row))


class BillingRepository:
    def __init__(self, conn: asyncpg.Connection):
        self.conn = conn

    # --- requisitions -----------------------------------------------------------------------------------
    async def next_sequence(self) -> int:
        return await self.conn.fetchval("SELECT nextval('requisition_number_seq')")

    async def add(self, r: Requisition) -> None:
        await self.conn.execute(
            f"INSERT INTO requisitions ({_COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)",
            r.id, r.number, r.stay_id, r.household_id, r.office_id, r.provider_id, r.provider_name,
            r.provider_orgnr, r.unit_id, r.agreement_kind, r.period_from, r.period_to, r.price_per_night,
            r.status, r.closed_from)

    async def open_for_stay(self, stay_id: UUID) -> Requisition | None:
        row = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM requisitions WHERE stay_id = $1 ORDER BY period_from DESC LIMIT 1 FOR UPDATE",
            stay_id)
        return Requisition(**dict(row)) if row else None

    async def save_closed(self, r: Requisition) -> None:
        await self.conn.execute(
            "UPDATE requisitions SET status = $2, closed_from = $3, period_to = $4 WHERE id = $1",
            r.id, r.status, r.closed_from, r.period_to)

    async def save_period(self, r: Requisition) -> None:
        await self.conn.execute("UPDATE requisitions SET period_to = $2 WHERE id = $1", r.id, r.period_to)

    async def list(self, office_id: str | None, limit: int = 1000, *, stay_id: UUID | None = None,
                   status: str | None = None, offset: int = 0) -> list[Requisition]:
        """Newest first; each filter left as None matches everything."""
        rows = await self.conn.fetch(
            f"SELECT {_COLUMNS} FROM requisitions WHERE ($1::text IS NULL OR office_id = $1) "
            "AND ($2::uuid IS NULL OR stay_id = $2) AND ($3::text IS NULL OR status = $3) "
            "ORDER BY number DESC LIMIT $4 OFFSET $5", office_id, stay_id, status, limit, offset)
        return [Requisition(**dict(r)) for r in rows]

    async def get_by_number(self, number: str) -> Requisition | None:
        row = await self.conn.fetchrow(f"SELECT {_COLUMNS} FROM requisitions WHERE number = $1", number)
        return Requisition(**dict(row)) if row else None

    async def get_by_id(self, requisition_id: UUID) -> Requisition | None:
        row = await self.conn.fetchrow(f"SELECT {_COLUMNS} FROM requisitions WHERE id = $1", requisition_id)
        return Requisition(**dict(row)) if row else None

    # --- stays and providers ---------------------------------------------------------------------------
    async def add_stay(self, stay: Stay) -> None:
        await self.conn.execute(
            "INSERT INTO stays (stay_id, household_id, check_in, check_out) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (stay_id) DO NOTHING", stay.stay_id, stay.household_id, stay.check_in, stay.check_out)

    async def set_check_out(self, stay_id: UUID, check_out: date) -> None:
        await self.conn.execute("UPDATE stays SET check_out = $2 WHERE stay_id = $1", stay_id, check_out)

    async def has_requisition(self, stay_id: UUID) -> bool:
        return await self.conn.fetchval("SELECT EXISTS (SELECT 1 FROM requisitions WHERE stay_id = $1)", stay_id)

    async def get_stay(self, stay_id: UUID) -> Stay | None:
        row = await self.conn.fetchrow("SELECT stay_id, household_id, check_in, check_out FROM stays "
                                       "WHERE stay_id = $1", stay_id)
        return Stay(**dict(row)) if row else None

    async def save_provider(self, p: ProviderAgreement) -> None:
        await self.conn.execute(
            "INSERT INTO providers (provider_id, orgnr, name, agreement_kind, price_per_night, fixed_places) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (provider_id) DO UPDATE SET orgnr = $2, name = $3, "
            "agreement_kind = $4, price_per_night = $5, fixed_places = $6",
            p.provider_id, p.orgnr, p.name, p.agreement_kind, p.price_per_night, p.fixed_places)

    # --- what reconciliation reads ---------------------------------------------------------------------
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

    async def lock_imports(self) -> None:
        await self.conn.execute("SELECT pg_advisory_xact_lock($1)", IMPORT_LOCK)

    # --- invoices ---------------------------------------------------------------------------------------
    async def add_invoice(self, inv: Invoice, document: bytes, sha256: str) -> None:
        await self.conn.execute(
            f"INSERT INTO invoices ({_INVOICE_COLUMNS}, document, document_sha256) VALUES "
            "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25)",
            inv.id, inv.kind, inv.format, inv.supplier_orgnr, inv.supplier_name, inv.invoice_number,
            inv.issue_date, inv.currency, inv.order_reference, inv.line_total, inv.claimed, inv.payable,
            inv.status, inv.findings, inv.failed_rules, inv.received_at, inv.received_by,
            inv.duplicate_of, inv.decision, inv.decided_at, inv.decided_by, inv.approved_amount, inv.comment,
            document, sha256)
        await self.conn.executemany(
            f"INSERT INTO invoice_lines (invoice_id, {_LINE_COLUMNS}) VALUES "
            "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)",
            [(inv.id, x.position, x.line_id, x.requisition_number, x.requisition_id, x.provider_id, x.agreement_kind,
              x.office_id, x.first_night, x.last_night, x.claimed_nights, x.claimed_price, x.claimed_amount,
              x.payable_nights, x.payable_amount, x.status, x.findings, x.comment) for x in inv.lines])

    async def add_billed_nights(self, rows: list[tuple[str, date, UUID, int, int]]) -> None:
        if rows:
            await self.conn.executemany("INSERT INTO billed_nights (ledger_key, night, invoice_id, position, sign) "
                                        "VALUES ($1, $2, $3, $4, $5)", rows)

    async def release_billed_nights(self, invoice_id: UUID) -> None:
        """Give back the nights an invoice held (it was disputed): append the opposite rows."""
        await self.conn.execute(
            "INSERT INTO billed_nights (ledger_key, night, invoice_id, position, sign) "
            "SELECT ledger_key, night, invoice_id, position, -sign FROM billed_nights WHERE invoice_id = $1",
            invoice_id)

    async def get_invoice(self, invoice_id: UUID, *, for_update: bool = False) -> Invoice | None:
        row = await self.conn.fetchrow(f"SELECT {_INVOICE_COLUMNS} FROM invoices WHERE id = $1"
                                       + (" FOR UPDATE" if for_update else ""), invoice_id)
        if row is None:
            return None
        invoice = _invoice(row)
        lines = await self.conn.fetch(f"SELECT {_LINE_COLUMNS} FROM invoice_lines WHERE invoice_id = $1 "
                                      "ORDER BY position", invoice_id)
        invoice.lines = [_line(x) for x in lines]
        return invoice

    async def list_invoices(self, limit: int = 500) -> list[Invoice]:
        """The newest invoices, each with its line findings (codes only) so the inbox can show them."""
        rows = await self.conn.fetch(f"SELECT {_INVOICE_COLUMNS} FROM invoices ORDER BY received_at DESC, "
                                     "invoice_number LIMIT $1", limit)
        invoices = [_invoice(r) for r in rows]
        codes = await self.conn.fetch(
            "SELECT l.invoice_id, array_agg(DISTINCT f->>'code') AS codes FROM invoice_lines l, "
            "jsonb_array_elements(l.findings) f WHERE l.invoice_id = ANY($1::uuid[]) GROUP BY l.invoice_id",
            [i.id for i in invoices])
        by_id = {r["invoice_id"]: r["codes"] for r in codes}
        for invoice in invoices:
            invoice.findings = invoice.findings + [{"code": c, "message": ""} for c in by_id.get(invoice.id, [])
                                                   if c not in {f["code"] for f in invoice.findings}]
        return invoices

    async def save_settlement(self, inv: Invoice, position: int | None, action: str, amount: Decimal | None,
                              comment: str, by: str) -> None:
        """Finance's change to an open invoice, and the append-only record of it."""
        await self.conn.execute(
            "UPDATE invoices SET payable = $2, status = $3, decision = $4, decided_at = $5, decided_by = $6, "
            "approved_amount = $7, comment = $8 WHERE id = $1", inv.id, inv.payable, inv.status, inv.decision,
            inv.decided_at, inv.decided_by, inv.approved_amount, inv.comment)
        if position is not None:
            line = inv.line(position)
            await self.conn.execute(
                "UPDATE invoice_lines SET payable_amount = $3, status = $4, comment = $5 "
                "WHERE invoice_id = $1 AND position = $2", inv.id, position, line.payable_amount, line.status,
                line.comment)
        await self.conn.execute(
            "INSERT INTO invoice_decisions (invoice_id, position, action, amount, comment, decided_by) "
            "VALUES ($1, $2, $3, $4, $5, $6)", inv.id, position, action, amount, comment, by)

    async def decisions(self, invoice_id: UUID) -> list[dict]:
        rows = await self.conn.fetch("SELECT position, action, amount, comment, decided_by, decided_at "
                                     "FROM invoice_decisions WHERE invoice_id = $1 ORDER BY id", invoice_id)
        return [dict(r) for r in rows]

    # --- out --------------------------------------------------------------------------------------------
    async def approved_lines(self, since: date | None = None, until: date | None = None) -> list[dict]:
        rows = await self.conn.fetch(
            "SELECT i.id AS invoice_id, i.kind, i.supplier_orgnr, i.supplier_name, i.invoice_number, i.issue_date, "
            "i.decided_at AS approved_at, l.position, l.line_id, l.requisition_number, l.office_id, "
            "l.agreement_kind, l.first_night, l.last_night, l.payable_nights, l.payable_amount "
            "FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id WHERE i.decision = 'approved' "
            "AND ($1::date IS NULL OR i.decided_at::date >= $1) AND ($2::date IS NULL OR i.decided_at::date <= $2) "
            "ORDER BY i.decided_at, i.id, l.position", since, until)
        return [dict(r) for r in rows]

    async def spend(self) -> dict[str, list[dict]]:
        by_provider = await self.conn.fetch(
            "SELECT i.supplier_orgnr, max(i.supplier_name) AS supplier_name, sum(l.payable_amount) AS amount, "
            "sum(CASE WHEN i.kind = 'credit_note' THEN -l.payable_nights ELSE l.payable_nights END) AS nights "
            "FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id WHERE i.decision = 'approved' "
            "GROUP BY i.supplier_orgnr ORDER BY amount DESC")
        by_kind = await self.conn.fetch(
            "SELECT coalesce(l.agreement_kind, 'unknown') AS agreement_kind, sum(l.payable_amount) AS amount "
            "FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id WHERE i.decision = 'approved' "
            "GROUP BY 1 ORDER BY amount DESC")
        return {"by_provider": [dict(r) for r in by_provider], "by_agreement_kind": [dict(r) for r in by_kind]}

    async def invoices_by_status(self) -> dict[str, int]:
        rows = await self.conn.fetch(
            "SELECT coalesce(decision, 'waiting') AS status, count(*) AS n FROM invoices GROUP BY 1")
        return {r["status"]: r["n"] for r in rows}
