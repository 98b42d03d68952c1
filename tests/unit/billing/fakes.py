"""Billing without a database: an in-memory store, a repository and queries over it, a unit of work that keeps
changes only when committed, and the app and bus built on them exactly as `bootstrap.py` builds the real ones."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from contracts import reference
from kit import clock
from kit.messagebus import MessageBus
from kit.paging import Page, Paging
from kit.people import PeopleLookup
from services.billing.adapters import events
from services.billing.adapters.papers import OfficeView, PaperContext, UnitView
from services.billing.adapters.post import RequisitionPapers
from services.billing.adapters.queries import (
    ApprovedLine,
    DecisionView,
    ExportFile,
    InvoiceContext,
    InvoiceFilters,
    InvoiceView,
    KindSpend,
    ProviderSpend,
    RequisitionFilters,
    RequisitionView,
    Spend,
    StayView,
    invoice_view,
)
from services.billing.bootstrap import BATCH_HANDLERS, bound_handlers
from services.billing.domain.finance import Invoice
from services.billing.domain.model import ProviderAgreement, Requisition, Stay
from services.billing.domain.papers import Mailing
from services.billing.domain.payments import DueLine, PaymentExport
from services.billing.domain.terms import FixedPlaces, RequisitionTerms
from services.billing.entrypoints.app import create_app
from tests.fakes import FakeUnitOfWork

NOW = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)
MUNICIPALITIES = reference.municipalities()


@dataclass
class Store:
    requisitions: dict[UUID, Requisition] = field(default_factory=dict)
    stays: dict[UUID, Stay] = field(default_factory=dict)
    providers: dict[UUID, ProviderAgreement] = field(default_factory=dict)
    invoices: dict[UUID, Invoice] = field(default_factory=dict)
    billed: list[tuple[str, date, UUID, int, int]] = field(default_factory=list)
    decisions: list[tuple[UUID, DecisionView]] = field(default_factory=list)
    sequence: itertools.count = field(default_factory=lambda: itertools.count(1))
    offices: dict[str, object] = field(default_factory=dict)  # office id → RecordOffice (the newest)
    units: dict[UUID, object] = field(default_factory=dict)  # unit id → RecordUnit (the newest)
    mailings: dict[UUID, Mailing] = field(default_factory=dict)
    exports: dict[UUID, tuple[PaymentExport, bytes]] = field(default_factory=dict)
    exported: dict[tuple[UUID, int], UUID] = field(default_factory=dict)  # (invoice, position) → export


def due_lines(store: Store, period_from: date, period_to: date) -> list[DueLine]:
    approved = sorted((i for i in store.invoices.values() if i.decision == "approved"),
                      key=lambda i: (i.decided_at, str(i.id)))
    return [DueLine(i.id, x.position, i.kind, x.payable_amount, i.supplier_orgnr, i.supplier_name,
                    i.invoice_number, i.issue_date, i.decided_at, x.requisition_number, x.office_id, None,
                    x.agreement_kind, x.first_night, x.last_night, x.payable_nights)
            for i in approved if period_from <= clock.today(i.decided_at) <= period_to
            for x in i.lines if (i.id, x.position) not in store.exported]


def paper_context(store: Store, r: Requisition, view: RequisitionView) -> PaperContext:
    stay, unit = store.stays.get(r.stay_id), store.units.get(r.unit_id)
    provider, office = store.providers.get(r.provider_id), store.offices.get(r.office_id)
    return PaperContext(
        view, StayView(**vars(stay)) if stay else None, UnitView(unit.name, unit.address) if unit else None,
        provider.email if provider else None,
        OfficeView(office.name, office.municipality, office.district, office.address, office.phone, office.email)
        if office else None)


def requisition_view(store: Store, r: Requisition) -> RequisitionView:
    office = store.offices.get(r.office_id)
    return RequisitionView(**{f.name: getattr(r, f.name) for f in fields(RequisitionView) if f.name != "office_name"},
                           office_name=office.name if office else None)


class FakeRepository:
    """The repository's methods on the store (see adapters/repository.py)."""

    def __init__(self, store: Store):
        self.store = store
        self.seen: list = []

    async def next_sequence(self) -> int:
        return next(self.store.sequence)

    async def add(self, r: Requisition) -> None:
        self.store.requisitions[r.id] = r
        self.seen.append(r)

    async def open_for_stay(self, stay_id: UUID) -> Requisition | None:
        found = [r for r in self.store.requisitions.values() if r.stay_id == stay_id]
        if found:
            self.seen.append(found[-1])
        return found[-1] if found else None

    async def save(self, r: Requisition) -> None:
        self.store.requisitions[r.id] = r

    async def has_requisition(self, stay_id: UUID) -> bool:
        return any(r.stay_id == stay_id for r in self.store.requisitions.values())

    async def add_stay(self, stay: Stay) -> None:
        self.store.stays.setdefault(stay.stay_id, stay)

    async def get_stay(self, stay_id: UUID) -> Stay | None:
        return self.store.stays.get(stay_id)

    async def save_stay(self, stay: Stay) -> None:
        self.store.stays[stay.stay_id] = stay

    async def stays_with_requisition(self, stay_ids: list[UUID]) -> set[UUID]:
        return {r.stay_id for r in self.store.requisitions.values() if r.stay_id in set(stay_ids)}

    async def stays_of(self, stay_ids: list[UUID]) -> list[Stay]:
        return [copy.copy(self.store.stays[i]) for i in stay_ids if i in self.store.stays]

    async def add_stays(self, stays: list[Stay]) -> None:
        for stay in stays:
            await self.add_stay(stay)

    async def save_stays(self, stays: list[Stay]) -> None:
        for stay in stays:
            await self.save_stay(stay)

    async def save_provider(self, p: ProviderAgreement) -> None:
        self.store.providers[p.provider_id] = p
        for m in self.store.mailings.values():
            r = self.store.requisitions[m.requisition_id]
            if r.provider_id == p.provider_id and m.status == "pending":
                m.next_attempt_at = min(m.next_attempt_at, m.requested_at)

    async def record_unit(self, u) -> None:
        known = self.store.units.get(u.unit_id)
        if known is None or u.at >= known.at:
            self.store.units[u.unit_id] = u

    async def by_number(self, number: str) -> Requisition | None:
        return next((r for r in self.store.requisitions.values() if r.number == number), None)

    async def add_mailing(self, m: Mailing) -> None:
        once = m.reason in ("issued", "extended")
        if not (once and any((x.requisition_id, x.reason, x.period_to) == (m.requisition_id, m.reason, m.period_to)
                             for x in self.store.mailings.values())):
            self.store.mailings[m.id] = m

    async def mailing_pending(self, requisition_id: UUID) -> bool:
        return any(m.requisition_id == requisition_id and m.status == "pending" for m in self.store.mailings.values())

    async def claim_mailing(self, mailing_id: UUID) -> Mailing | None:
        m = self.store.mailings.get(mailing_id)
        return m if m is not None and m.status == "pending" else None

    async def save_mailing(self, m: Mailing) -> None:
        self.store.mailings[m.id] = m

    async def paper_context(self, requisition_id: UUID) -> PaperContext | None:
        r = self.store.requisitions.get(requisition_id)
        return paper_context(self.store, r, requisition_view(self.store, r)) if r else None

    async def record_office(self, o) -> None:
        known = self.store.offices.get(o.office_id)
        if known is None or o.at >= known.at:
            self.store.offices[o.office_id] = o

    async def lock_imports(self) -> None:
        pass

    async def terms(self, numbers) -> dict[str, RequisitionTerms]:
        out = {}
        for r in self.store.requisitions.values():
            if r.number in numbers:
                stay = self.store.stays.get(r.stay_id)
                out[r.number] = RequisitionTerms(
                    r.number, r.id, r.provider_id, r.provider_orgnr, r.agreement_kind, r.office_id, r.period_from,
                    r.period_to, r.price_per_night, r.closed_from, stay.check_in if stay else None,
                    stay.check_out if stay else None)
        return out

    async def fixed_places(self, orgnr: str) -> dict[str, FixedPlaces]:
        for p in self.store.providers.values():
            if p.orgnr == orgnr and p.fixed_places > 0 and p.price_per_night is not None:
                return {orgnr: FixedPlaces(p.provider_id, orgnr, p.agreement_kind, p.fixed_places, p.price_per_night)}
        return {}

    async def billed(self, keys) -> dict[str, set[date]]:
        totals: dict[tuple[str, date], int] = {}
        for key, night, _, _, sign in self.store.billed:
            if key in keys:
                totals[(key, night)] = totals.get((key, night), 0) + sign
        out: dict[str, set[date]] = {}
        for (key, night), total in totals.items():
            if total > 0:
                out.setdefault(key, set()).add(night)
        return out

    async def received_before(self, orgnr: str, kind: str, number: str) -> UUID | None:
        earlier = [i for i in self.store.invoices.values() if (i.supplier_orgnr, i.kind, i.invoice_number.upper())
                   == (orgnr, kind, number.strip().upper())]
        return min(earlier, key=lambda i: i.received_at).id if earlier else None

    async def add_invoice(self, inv: Invoice, document: bytes, sha256: str, billed_nights, *,
                          received_by_name=None) -> None:
        self.store.invoices[inv.id] = inv
        self.store.billed += [(key, night, inv.id, position, sign) for key, night, position, sign in billed_nights]
        self.seen.append(inv)

    async def get_invoice(self, invoice_id: UUID) -> Invoice | None:
        invoice = self.store.invoices.get(invoice_id)
        if invoice is not None:
            self.seen.append(invoice)
        return invoice

    async def save_settlement(self, inv: Invoice, position, action, comment, by, at, *, by_name=None) -> None:
        amount = inv.approved_amount if action == "approve" else None
        if position is not None:
            amount = inv.line(position).payable_amount.copy_abs()
        if action == "dispute":
            self.store.billed += [(k, n, i, p, -s) for k, n, i, p, s in self.store.billed if i == inv.id]
        self.store.decisions.append((inv.id, DecisionView(position, action, amount, comment, by, at)))

    async def lock_exports(self) -> None:
        pass

    async def due_lines(self, period_from: date, period_to: date) -> list[DueLine]:
        return due_lines(self.store, period_from, period_to)

    async def add_export(self, export: PaymentExport, lines: list[DueLine], content: bytes, sha256: str) -> None:
        self.store.exports[export.id] = (export, content)
        for x in lines:
            self.store.exported.setdefault((x.invoice_id, x.position), export.id)


class FakeBillingUnitOfWork(FakeUnitOfWork):
    """Works on a copy of the store; commit puts the copy in its place (a rollback leaves the store as it was)."""

    def __init__(self, store: Store, inbox: set):
        super().__init__(events.translate, service="billing")
        self.store = store
        self.inbox = inbox  # shared by every unit of work, like the inbox table

    async def __aenter__(self):
        await super().__aenter__()
        self.repo = FakeRepository(copy.deepcopy(self.store))
        return self

    def collect_new_events(self):
        for aggregate in self.repo.seen:
            while aggregate.events:
                yield aggregate.events.pop(0)

    async def commit(self):
        envelopes = await super().commit()
        for f in fields(Store):
            setattr(self.store, f.name, getattr(self.repo.store, f.name))
        return envelopes


class FakeQueries:
    """The queries' methods on the store (see adapters/queries.py), through the same view builders."""

    def __init__(self, store: Store):
        self.store = store

    def _requisition(self, r: Requisition) -> RequisitionView:
        return requisition_view(self.store, r)

    async def paper(self, number: str) -> PaperContext | None:
        r = next((r for r in self.store.requisitions.values() if r.number == number), None)
        return paper_context(self.store, r, self._requisition(r)) if r else None

    async def mailings(self, requisition_id: UUID) -> list[Mailing]:
        return sorted((m for m in self.store.mailings.values() if m.requisition_id == requisition_id),
                      key=lambda m: m.requested_at)

    async def due_mailings(self, now: datetime, limit: int = 20) -> list[UUID]:
        due = sorted((m for m in self.store.mailings.values() if m.status == "pending" and m.next_attempt_at <= now),
                     key=lambda m: (m.next_attempt_at, m.id))
        return [m.id for m in due[:limit]]

    async def pending_mailings(self) -> int:
        return sum(1 for m in self.store.mailings.values() if m.status == "pending")

    async def requisitions(self, office_id, *, stay_id=None, status=None, limit=1000, offset=0):
        rows = [r for r in sorted(self.store.requisitions.values(), key=lambda r: r.number, reverse=True)
                if (office_id is None or r.office_id == office_id) and (stay_id is None or r.stay_id == stay_id)
                and (status is None or r.status == status)]
        return [self._requisition(r) for r in rows[offset:offset + limit]]

    async def requisition(self, number: str):
        for r in self.store.requisitions.values():
            if r.number == number:
                stay = self.store.stays.get(r.stay_id)
                return self._requisition(r), StayView(**vars(stay)) if stay else None
        return None

    async def requisition_page(self, office_id, paging: Paging = Paging(),
                               filters: RequisitionFilters = RequisitionFilters()) -> Page:
        """The filters but the period and the provider, and the default order (the SQL's are the stack tests')."""
        rows = await self.requisitions(office_id, stay_id=filters.stay_id, status=filters.status, limit=10**6)
        return Page.of(rows, paging)

    async def invoices(self, paging: Paging = Paging(), filters: InvoiceFilters = InvoiceFilters()) -> Page:
        rows = [i for i in sorted(self.store.invoices.values(), key=lambda i: i.received_at, reverse=True)
                if filters.status in (None, i.status) and filters.decided in (None, i.decision is not None)]
        return Page.of([invoice_view(vars(i), line_codes={c for x in i.lines for c in x.codes}) for i in rows],
                       paging)

    async def invoice(self, invoice_id: UUID) -> InvoiceView | None:
        i = self.store.invoices.get(invoice_id)
        return invoice_view(vars(i), [vars(x) for x in i.lines]) if i else None

    async def invoice_context(self, invoice: InvoiceView) -> InvoiceContext:
        found = {x.requisition_id: self.store.requisitions[x.requisition_id] for x in invoice.lines
                 if x.requisition_id in self.store.requisitions}
        return InvoiceContext({k: self._requisition(r) for k, r in found.items()},
                              {k: StayView(**vars(self.store.stays[r.stay_id])) for k, r in found.items()
                               if r.stay_id in self.store.stays},
                              tuple(d for i, d in self.store.decisions if i == invoice.id))

    async def approved_lines(self, since=None, until=None) -> list[ApprovedLine]:
        return [ApprovedLine(i.id, i.kind, i.supplier_orgnr, i.supplier_name, i.invoice_number, i.issue_date,
                             i.decided_at, x.position, x.line_id, x.requisition_number, x.office_id,
                             x.agreement_kind, x.first_night, x.last_night, x.payable_nights, x.payable_amount)
                for i in self.store.invoices.values() if i.decision == "approved" for x in i.lines]

    async def due_lines(self, period_from: date, period_to: date) -> list[DueLine]:
        return due_lines(self.store, period_from, period_to)

    async def exports(self, limit: int = 100) -> list[PaymentExport]:
        newest = reversed([e for e, _ in self.store.exports.values()])  # made later first, also at the same instant
        return sorted(newest, key=lambda e: e.created_at, reverse=True)[:limit]

    async def export_file(self, export_id: UUID) -> ExportFile | None:
        found = self.store.exports.get(export_id)
        return ExportFile(*found) if found else None

    async def spend(self) -> Spend:
        lines = await self.approved_lines()
        by_provider: dict[str, list] = {}
        by_kind: dict[str, Decimal] = {}
        for x in lines:
            sign = -1 if x.kind == "credit_note" else 1
            entry = by_provider.setdefault(x.supplier_orgnr, [x.supplier_name, Decimal(0), 0])
            entry[1] += x.payable_amount
            entry[2] += sign * x.payable_nights
            by_kind[x.agreement_kind or "unknown"] = by_kind.get(x.agreement_kind or "unknown", 0) + x.payable_amount
        return Spend(tuple(ProviderSpend(k, *v) for k, v in by_provider.items()),
                     tuple(KindSpend(k, v) for k, v in by_kind.items()))

    async def invoices_by_status(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for i in self.store.invoices.values():
            out[i.decision or "waiting"] = out.get(i.decision or "waiting", 0) + 1
        return out


class Billing:
    """Billing on fakes: the store, the units of work it handed out, the bus and the app, and a clock that a
    test moves (`today`, `now`)."""

    def __init__(self, *, today: date, now: datetime, price_tolerance: Decimal, post=None):
        self.store, self.uows, self.inbox = Store(), [], set()
        self.today, self.now = today, now
        self.bus = MessageBus(self._uow, bound_handlers(price_tolerance=price_tolerance, today=lambda: self.today,
                                                        now=lambda: self.now, post=post), consumer="billing",
                              batch_handlers=BATCH_HANDLERS)
        self.queries = FakeQueries(self.store)
        self.people = PeopleLookup(no_intake)
        self.papers = RequisitionPapers(people=self.people, recipients={}, municipalities=MUNICIPALITIES,
                                        today=lambda: self.today)

    def _uow(self) -> FakeBillingUnitOfWork:
        self.uows.append(FakeBillingUnitOfWork(self.store, self.inbox))
        return self.uows[-1]

    @property
    def app(self):
        return create_app(bus=self.bus, queries=self.queries, people=self.people, papers=self.papers,
                          mail_configured=False)

    @property
    def published(self):
        return [e for uow in self.uows for e in uow.published]


def billing(*, today: date = date(2026, 4, 2), now: datetime = NOW, price_tolerance: Decimal = Decimal(0),
            post=None) -> Billing:
    return Billing(today=today, now=now, price_tolerance=price_tolerance, post=post)


def no_intake() -> str:
    raise LookupError("billing's fast tests run without intake: pages show households without names")
