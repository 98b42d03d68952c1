"""What billing's pages and APIs read: query functions over billing's own tables, each returning plain frozen
dataclasses (never database records). Writes go through the repository and the message bus."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import asyncpg

from kit.paging import Page, Paging, Sorting, fetch_page, without_total
from services.billing.adapters import household_billing
from services.billing.adapters.papers import (
    MAILING_COLUMNS,
    OFFICE_NAME,
    REQUISITION_COLUMNS,
    PaperContext,
    RequisitionView,
    StayView,
    mailing_of,
    paper_context,
)
from services.billing.adapters.repository import DUE_LINES, INVOICE_COLUMNS, LINE_COLUMNS
from services.billing.domain.papers import Mailing
from services.billing.domain.payments import DueLine, PaymentExport


@dataclass(frozen=True)
class FindingView:
    code: str
    message: str


@dataclass(frozen=True)
class FailedRuleView:
    id: str
    flag: str
    text: str


@dataclass(frozen=True)
class LineView:
    position: int
    line_id: str
    requisition_number: str | None
    requisition_id: UUID | None
    first_night: date | None
    last_night: date | None
    claimed_nights: int
    payable_nights: int
    claimed_price: Decimal
    claimed_amount: Decimal
    payable_amount: Decimal
    status: str
    findings: tuple[FindingView, ...]
    comment: str | None

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]


@dataclass(frozen=True)
class InvoiceView:
    id: UUID
    kind: str
    format: str
    invoice_number: str
    supplier_orgnr: str
    supplier_name: str
    issue_date: date
    status: str
    decision: str | None
    decided_at: datetime | None
    decided_by: str | None
    claimed: Decimal
    payable: Decimal
    approved_amount: Decimal | None
    codes: tuple[str, ...]  # every finding code on the invoice and its lines, sorted
    findings: tuple[FindingView, ...]  # the invoice's own findings
    failed_rules: tuple[FailedRuleView, ...]
    duplicate_of: UUID | None
    received_at: datetime
    comment: str | None
    lines: tuple[LineView, ...] = ()


@dataclass(frozen=True)
class DecisionView:
    position: int | None
    action: str
    amount: Decimal | None
    comment: str
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True)
class InvoiceContext:
    """What the invoice page shows beside each line: its requisition and the stay, by requisition id."""

    requisitions: dict[UUID, RequisitionView] = field(default_factory=dict)
    stays: dict[UUID, StayView] = field(default_factory=dict)
    decisions: tuple[DecisionView, ...] = ()


@dataclass(frozen=True)
class ApprovedLine:
    invoice_id: UUID
    kind: str
    supplier_orgnr: str
    supplier_name: str
    invoice_number: str
    issue_date: date
    approved_at: datetime
    position: int
    line_id: str
    requisition_number: str | None
    office_id: str | None
    agreement_kind: str | None
    first_night: date | None
    last_night: date | None
    payable_nights: int
    payable_amount: Decimal


@dataclass(frozen=True)
class ExportFile:
    export: PaymentExport
    content: bytes


EXPORT_COLUMNS = "id, created_at, created_by, created_by_name, period_from, period_to, lines, total"


@dataclass(frozen=True)
class ProviderSpend:
    supplier_orgnr: str
    supplier_name: str
    amount: Decimal
    nights: int


@dataclass(frozen=True)
class KindSpend:
    agreement_kind: str
    amount: Decimal


@dataclass(frozen=True)
class Spend:
    by_provider: tuple[ProviderSpend, ...]
    by_agreement_kind: tuple[KindSpend, ...]

    @property
    def outside_agreements(self) -> Decimal:
        return sum((k.amount for k in self.by_agreement_kind if k.agreement_kind == "none"), Decimal(0))


def invoice_view(row, lines=(), line_codes=()) -> InvoiceView:
    """An invoice row (and its line rows, or only its lines' codes) as the pages and APIs show it."""
    own = tuple(FindingView(f["code"], f["message"]) for f in row["findings"])
    line_views = tuple(line_view(x) for x in lines)
    codes = {f.code for f in own} | set(line_codes) | {c for x in line_views for c in x.codes}
    return InvoiceView(
        id=row["id"], kind=row["kind"], format=row["format"], invoice_number=row["invoice_number"],
        supplier_orgnr=row["supplier_orgnr"], supplier_name=row["supplier_name"], issue_date=row["issue_date"],
        status=row["status"], decision=row["decision"], decided_at=row["decided_at"], decided_by=row["decided_by"],
        claimed=row["claimed"], payable=row["payable"], approved_amount=row["approved_amount"],
        codes=tuple(sorted(codes)), findings=own,
        failed_rules=tuple(FailedRuleView(f["id"], f["flag"], f["text"]) for f in row["failed_rules"]),
        duplicate_of=row["duplicate_of"], received_at=row["received_at"], comment=row["comment"],
        lines=line_views)


def line_view(x) -> LineView:
    return LineView(
        position=x["position"], line_id=x["line_id"], requisition_number=x["requisition_number"],
        requisition_id=x["requisition_id"], first_night=x["first_night"], last_night=x["last_night"],
        claimed_nights=x["claimed_nights"], payable_nights=x["payable_nights"], claimed_price=x["claimed_price"],
        claimed_amount=x["claimed_amount"], payable_amount=x["payable_amount"], status=x["status"],
        findings=tuple(FindingView(f["code"], f["message"]) for f in x["findings"]), comment=x["comment"])


@dataclass(frozen=True)
class RequisitionFilters:
    """What narrows the requisitions list; None matches everything."""

    status: str | None = None  # open | closed
    provider: str | None = None  # the provider's organisation number, or a part of its name
    period_from: date | None = None  # the requisition's period overlaps period_from–period_to
    period_to: date | None = None
    stay_id: UUID | None = None


@dataclass(frozen=True)
class InvoiceFilters:
    status: str | None = None  # matched | adjusted | disputed (the reconciliation)
    decided: bool | None = None  # finance has approved, adjusted or disputed it
    supplier: str | None = None  # the supplier's organisation number, or a part of its name
    received_from: date | None = None
    received_to: date | None = None


REQUISITION_SORTING = Sorting({"number": "number", "period": ("period_from", "period_to"),
                               "provider": "provider_name", "status": "status", "office": "office_id"},
                              "-number", "id")
INVOICE_SORTING = Sorting({"received": ("received_at", "-invoice_number"), "supplier": "supplier_name",
                           "number": "invoice_number", "claimed": "claimed", "payable": "payable",
                           "status": "status"}, "-received", "id")


class BillingQueries:
    def __init__(self, pool: asyncpg.Pool):
        self._pool = pool

    async def requisitions(self, office_id: str | None, *, stay_id: UUID | None = None, status: str | None = None,
                           limit: int = 1000, offset: int = 0) -> list[RequisitionView]:
        """Newest first; `office_id` None is every office's; each filter left as None matches everything."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT {REQUISITION_COLUMNS}, {OFFICE_NAME} FROM requisitions "  # noqa: S608 (constant columns)
                "WHERE ($1::text IS NULL OR office_id = $1) "
                "AND ($2::uuid IS NULL OR stay_id = $2) AND ($3::text IS NULL OR status = $3) "
                "ORDER BY number DESC LIMIT $4 OFFSET $5", office_id, stay_id, status, limit, offset)
        return [RequisitionView.of(r) for r in rows]

    async def requisition_page(self, office_id: str | None, paging: Paging = Paging(),
                               filters: RequisitionFilters = RequisitionFilters()) -> Page[RequisitionView]:
        """One page of the requisitions of `office_id` (None: every office's), filtered, newest number first."""
        async with self._pool.acquire() as conn:
            rows, total = await fetch_page(
                conn, f"{REQUISITION_COLUMNS}, {OFFICE_NAME}",
                "FROM requisitions WHERE ($1::text IS NULL OR office_id = $1) "
                "AND ($2::uuid IS NULL OR stay_id = $2) AND ($3::text IS NULL OR status = $3) "
                "AND ($4::text IS NULL OR provider_orgnr = $4 OR strpos(lower(provider_name), lower($4)) > 0) "
                "AND ($5::date IS NULL OR period_to >= $5) AND ($6::date IS NULL OR period_from <= $6)",
                [office_id, filters.stay_id, filters.status, filters.provider, filters.period_from,
                 filters.period_to], REQUISITION_SORTING.sql(paging.sort), paging)
        return Page([RequisitionView.of(without_total(r)) for r in rows], total, paging.page, paging.page_size)

    async def requisition(self, number: str) -> tuple[RequisitionView, StayView | None] | None:
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(f"SELECT {REQUISITION_COLUMNS}, {OFFICE_NAME} FROM requisitions "  # noqa: S608
                                      "WHERE number = $1", number)
            if row is None:
                return None
            stay = await conn.fetchrow("SELECT stay_id, household_id, check_in, check_out FROM stays "
                                       "WHERE stay_id = $1", row["stay_id"])
        return RequisitionView.of(row), StayView(**dict(stay)) if stay else None

    async def office_names(self) -> dict[str, str]:
        """The name of every office billing knows (from intake's events) by its id (the page header's)."""
        return {r["id"]: r["name"] for r in await self._pool.fetch("SELECT id, name FROM offices")}

    async def household_offices(self, household_id: UUID) -> set[str]:
        async with self._pool.acquire() as conn:
            return await household_billing.household_offices(conn, household_id)

    async def household_requisitions(self, household_id: UUID,
                                     office_id: str | None) -> list[household_billing.RequisitionHistory]:
        async with self._pool.acquire() as conn:
            return await household_billing.household_requisitions(conn, household_id, office_id)

    async def billed_lines(self, requisition_id: UUID) -> list[household_billing.BilledLineView]:
        async with self._pool.acquire() as conn:
            return (await household_billing.billed_lines(conn, [requisition_id])).get(requisition_id, [])

    async def paper(self, number: str) -> PaperContext | None:
        """What the requisition's PDF is made of (but the guest's name: intake's)."""
        async with self._pool.acquire() as conn:
            return await paper_context(conn, number=number)

    async def mailings(self, requisition_id: UUID) -> list[Mailing]:
        """Each sending of the requisition to its provider, oldest first."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(f"SELECT {MAILING_COLUMNS} FROM requisition_mailings "  # noqa: S608 (constant columns)
                                    "WHERE requisition_id = $1 ORDER BY requested_at, id", requisition_id)
        return [mailing_of(r) for r in rows]

    async def due_mailings(self, now: datetime, limit: int = 20) -> list[UUID]:
        async with self._pool.acquire() as conn:
            return [r["id"] for r in await conn.fetch(
                "SELECT id FROM requisition_mailings WHERE status = 'pending' AND next_attempt_at <= $1 "
                "ORDER BY next_attempt_at, id LIMIT $2", now, limit)]

    async def pending_mailings(self) -> int:
        async with self._pool.acquire() as conn:
            return await conn.fetchval("SELECT count(*) FROM requisition_mailings WHERE status = 'pending'")

    async def invoices(self, paging: Paging = Paging(), filters: InvoiceFilters = InvoiceFilters()
                       ) -> Page[InvoiceView]:
        """One page of the invoices, filtered, newest first; each with every finding code of its lines (the lines
        themselves left out). Days are Norway's, both ends included."""
        async with self._pool.acquire() as conn:
            rows, total = await fetch_page(
                conn, INVOICE_COLUMNS,
                "FROM invoices WHERE ($1::text IS NULL OR status = $1) "
                "AND ($2::bool IS NULL OR (decision IS NOT NULL) = $2) "
                "AND ($3::text IS NULL OR supplier_orgnr = $3 OR strpos(lower(supplier_name), lower($3)) > 0) "
                "AND ($4::date IS NULL OR (received_at AT TIME ZONE 'Europe/Oslo')::date >= $4) "
                "AND ($5::date IS NULL OR (received_at AT TIME ZONE 'Europe/Oslo')::date <= $5)",
                [filters.status, filters.decided, filters.supplier, filters.received_from, filters.received_to],
                INVOICE_SORTING.sql(paging.sort), paging)
            codes = await conn.fetch(
                "SELECT l.invoice_id, array_agg(DISTINCT f->>'code') AS codes FROM invoice_lines l, "
                "jsonb_array_elements(l.findings) f WHERE l.invoice_id = ANY($1::uuid[]) GROUP BY l.invoice_id",
                [r["id"] for r in rows])
        by_id = {r["invoice_id"]: r["codes"] for r in codes}
        return Page([invoice_view(without_total(r), line_codes=by_id.get(r["id"], ())) for r in rows], total,
                    paging.page, paging.page_size)

    async def invoice(self, invoice_id: UUID) -> InvoiceView | None:
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(f"SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = $1", invoice_id)  # noqa: S608 (constant columns)
            if row is None:
                return None
            lines = await conn.fetch(f"SELECT {LINE_COLUMNS} FROM invoice_lines WHERE invoice_id = $1 "  # noqa: S608 (constant columns)
                                     "ORDER BY position", invoice_id)
        return invoice_view(row, lines)

    async def invoice_context(self, invoice: InvoiceView) -> InvoiceContext:
        ids = list({x.requisition_id for x in invoice.lines if x.requisition_id})
        async with self._pool.acquire() as conn:
            requisitions = await conn.fetch(f"SELECT {REQUISITION_COLUMNS} FROM requisitions WHERE id = ANY($1)",  # noqa: S608 (constant columns)
                                            ids)
            stays = await conn.fetch(
                "SELECT r.id AS requisition_id, s.stay_id, s.household_id, s.check_in, s.check_out FROM stays s "
                "JOIN requisitions r ON r.stay_id = s.stay_id WHERE r.id = ANY($1)", ids)
            decisions = await conn.fetch("SELECT position, action, amount, comment, decided_by, decided_at "
                                         "FROM invoice_decisions WHERE invoice_id = $1 ORDER BY id", invoice.id)
        return InvoiceContext(
            {r["id"]: RequisitionView.of(r) for r in requisitions},
            {s["requisition_id"]: StayView(s["stay_id"], s["household_id"], s["check_in"], s["check_out"])
             for s in stays},
            tuple(DecisionView(**dict(d)) for d in decisions))

    async def approved_lines(self, since: date | None = None, until: date | None = None) -> list[ApprovedLine]:
        """Every line of an approved invoice, approved between `since` and `until` (both included)."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT i.id AS invoice_id, i.kind, i.supplier_orgnr, i.supplier_name, i.invoice_number, "
                "i.issue_date, i.decided_at AS approved_at, l.position, l.line_id, l.requisition_number, "
                "l.office_id, l.agreement_kind, l.first_night, l.last_night, l.payable_nights, l.payable_amount "
                "FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id WHERE i.decision = 'approved' "
                "AND ($1::date IS NULL OR (i.decided_at AT TIME ZONE 'Europe/Oslo')::date >= $1) "
                "AND ($2::date IS NULL OR (i.decided_at AT TIME ZONE 'Europe/Oslo')::date <= $2) "
                "ORDER BY i.decided_at, i.id, l.position", since, until)
        return [ApprovedLine(**dict(r)) for r in rows]

    async def due_lines(self, period_from: date, period_to: date) -> list[DueLine]:
        """What an export of the period would pay now: approved in it and not exported before."""
        async with self._pool.acquire() as conn:
            return [DueLine(**dict(r)) for r in await conn.fetch(DUE_LINES, period_from, period_to)]

    async def exports(self, limit: int = 100) -> list[PaymentExport]:
        """The payment exports made, newest first."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(f"SELECT {EXPORT_COLUMNS} FROM payment_exports "  # noqa: S608 (constant columns)
                                    "ORDER BY created_at DESC, id LIMIT $1", limit)
        return [PaymentExport(**dict(r)) for r in rows]

    async def export_file(self, export_id: UUID) -> ExportFile | None:
        """The export and its file, as it was written when the export was made."""
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(f"SELECT {EXPORT_COLUMNS}, content FROM payment_exports "  # noqa: S608
                                      "WHERE id = $1", export_id)
        if row is None:
            return None
        values = dict(row)
        content = values.pop("content")
        return ExportFile(PaymentExport(**values), content)

    async def spend(self) -> Spend:
        """Approved spend per provider and per agreement kind."""
        async with self._pool.acquire() as conn:
            by_provider = await conn.fetch(
                "SELECT i.supplier_orgnr, max(i.supplier_name) AS supplier_name, sum(l.payable_amount) AS amount, "
                "sum(CASE WHEN i.kind = 'credit_note' THEN -l.payable_nights ELSE l.payable_nights END) AS nights "
                "FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id WHERE i.decision = 'approved' "
                "GROUP BY i.supplier_orgnr ORDER BY amount DESC")
            by_kind = await conn.fetch(
                "SELECT coalesce(l.agreement_kind, 'unknown') AS agreement_kind, sum(l.payable_amount) AS amount "
                "FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id WHERE i.decision = 'approved' "
                "GROUP BY 1 ORDER BY amount DESC")
        return Spend(tuple(ProviderSpend(**dict(r)) for r in by_provider),
                     tuple(KindSpend(**dict(r)) for r in by_kind))

    async def invoices_by_status(self) -> dict[str, int]:
        """Invoices waiting for finance, approved and disputed."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT coalesce(decision, 'waiting') AS status, count(*) AS n FROM invoices GROUP BY 1")
        return {r["status"]: r["n"] for r in rows}
