"""Reads for pages, APIs and the rules that count: typed rows and plain views, never asyncpg records.
Lists carry no personal data; the case and household views do, and only a handler that writes the audit
entry reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

import asyncpg

from kit.paging import Page, Paging, Sorting, fetch_page, without_total
from services.intake.adapters import offices
from services.intake.adapters.records import APPLICATION_COLUMNS, DECISION_COLUMNS, Records
from services.intake.domain.decisions import Decision
from services.intake.domain.model import Application, Household
from services.intake.domain.offices import Office


@dataclass(frozen=True)
class CaseRow:
    """One line of the office's case list: ids, dates, status, the latest decision; no personal data."""

    application_id: UUID
    household_id: UUID
    office_id: str
    received_at: datetime
    channel: str
    urgent: bool
    status: str
    applicant_birth_date: date
    adults: int
    children: int
    decision_id: UUID | None
    outcome: str | None
    period_from: date | None
    period_to: date | None
    decision_status: str | None
    warnings: list[str] | None
    decided_by: str | None
    reference: str | None = None  # the office's own reference for the household

    @property
    def id(self) -> UUID:
        return self.application_id


@dataclass(frozen=True)
class HouseholdRow:
    """One line of the office's household list: the office's reference, its size, its latest application's
    status and that application's latest decision; no personal data."""

    household_id: UUID
    reference: str | None
    created_at: datetime
    adults: int
    children: int
    application_id: UUID | None
    application_status: str | None
    decision_id: UUID | None
    outcome: str | None
    decision_status: str | None
    period_from: date | None
    period_to: date | None
    decided_at: datetime | None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    username: str
    role: str
    office_id: str | None
    household_id: UUID | None
    action: str
    purpose: str
    reference: str | None = None  # the entry's office's reference for the household


@dataclass(frozen=True)
class Person:
    """Who a household is, for a page: the applicant's name and birth date and the asking office's reference."""

    household_id: UUID
    name: str = field(repr=False)
    birth_date: date
    reference: str | None


@dataclass(frozen=True)
class AwaitingRow:
    """A decision waiting for the office's second approval (no personal data)."""

    decision_id: UUID
    application_id: UUID
    household_id: UUID
    outcome: str
    period_from: date | None
    period_to: date | None
    decided_at: datetime
    decided_by: str | None
    warnings: list[str]
    extends_decision_id: UUID | None
    reference: str | None


@dataclass(frozen=True)
class Owner:
    """Whose a case, decision or household is: what the web layer checks before anything is shown."""

    id: UUID
    office_id: str
    application_id: UUID | None = None
    offices_with_applications: frozenset[str] = frozenset()


@dataclass
class Case:
    application: Application
    household: Household
    decisions: list[Decision]
    reference: str | None = None  # the application's office's reference for the household


@dataclass
class HouseholdHistory:
    household: Household
    applications: list[Application] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    reference: str | None = None


@dataclass(frozen=True)
class CaseFilters:
    """What narrows the case list; None matches everything."""

    open_only: bool = False
    status: str | None = None
    urgent: bool | None = None
    reference: str | None = None  # the start of the office's reference, any case


@dataclass(frozen=True)
class HouseholdFilters:
    """What narrows the household list; None matches everything. `decision`: the latest application's latest
    decision is `in_effect`, `awaiting_approval`, or `none` (no decision, or one sent back)."""

    decision: str | None = None
    has_children: bool | None = None
    reference: str | None = None  # the start of the office's reference


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None
    username: str | None = None
    date_from: date | None = None  # days in Norway's time, both ends included
    date_to: date | None = None


CASE_SORTING = Sorting({"received": "a.received_at", "urgent": ("a.urgent", "a.received_at"), "status": "a.status",
                        "reference": "r.reference", "channel": "a.channel"}, "-urgent", "a.id")
HOUSEHOLD_SORTING = Sorting({"reference": "r.reference", "created": "h.created_at",
                             "decision": ("d.decided_at", "h.created_at")},  # those without one: by creation
                            "-created", "h.id")
AUDIT_SORTING = Sorting({"at": "l.at", "username": "l.username", "action": "l.action", "office": "l.office_id"},
                        "-at", "l.id")

# The column lists are constants of records.py, never input.
_APPLICATIONS = f"SELECT {APPLICATION_COLUMNS} FROM applications"  # noqa: S608
_DECISIONS = f"SELECT {DECISION_COLUMNS} FROM decisions"  # noqa: S608


class IntakeQueries:
    def __init__(self, conn: asyncpg.Connection, records: Records):
        self.conn = conn
        self.records = records

    async def case_list(self, office_id: str | None, paging: Paging = Paging(), filters: CaseFilters = CaseFilters(),
                        ) -> Page[CaseRow]:
        """The office's cases (`office_id` None: every office's), filtered and one page of them, in SQL."""
        rows, total = await fetch_page(
            self.conn,
            "a.id AS application_id, a.household_id, a.office_id, a.received_at, a.channel, a.urgent, "
            "a.status, h.applicant_birth_date, h.adults, cardinality(h.children_birth_dates) AS children, "
            "d.id AS decision_id, d.outcome, d.period_from, d.period_to, d.status AS decision_status, "
            "d.warnings, d.decided_by, r.reference",
            "FROM applications a JOIN households h ON h.id = a.household_id "
            "LEFT JOIN household_references r ON r.household_id = a.household_id AND r.office_id = a.office_id "
            "LEFT JOIN LATERAL (SELECT * FROM decisions x WHERE x.application_id = a.id "
            "  ORDER BY x.decided_at DESC LIMIT 1) d ON true "
            "WHERE ($1::text IS NULL OR a.office_id = $1) "
            "AND (NOT $2 OR a.status IN ('received', 'awaiting_approval')) "
            "AND ($3::text IS NULL OR a.status = $3) AND ($4::bool IS NULL OR a.urgent = $4) "
            "AND ($5::text IS NULL OR starts_with(lower(r.reference), lower($5)))",
            [office_id, filters.open_only, filters.status, filters.urgent, filters.reference],
            CASE_SORTING.sql(paging.sort), paging)
        return Page([CaseRow(**without_total(r)) for r in rows], total, paging.page, paging.page_size)

    async def household_list(self, office_id: str, paging: Paging = Paging(),
                             filters: HouseholdFilters = HouseholdFilters()) -> Page[HouseholdRow]:
        """The households whose office is `office_id` now, each with its latest application at that office and
        that application's latest decision, filtered and one page of them, in SQL."""
        rows, total = await fetch_page(
            self.conn,
            "h.id AS household_id, r.reference, h.created_at, h.adults, "
            "coalesce(cardinality(h.children_birth_dates), 0) AS children, a.id AS application_id, "
            "a.status AS application_status, d.id AS decision_id, d.outcome, d.status AS decision_status, "
            "d.period_from, d.period_to, d.decided_at",
            "FROM households h "
            "LEFT JOIN household_references r ON r.household_id = h.id AND r.office_id = h.office_id "
            "LEFT JOIN LATERAL (SELECT x.id, x.status FROM applications x WHERE x.household_id = h.id "
            "  AND x.office_id = h.office_id ORDER BY x.received_at DESC, x.id DESC LIMIT 1) a ON true "
            "LEFT JOIN LATERAL (SELECT y.id, y.outcome, y.status, y.period_from, y.period_to, y.decided_at "
            "  FROM decisions y WHERE y.application_id = a.id ORDER BY y.decided_at DESC LIMIT 1) d ON true "
            "WHERE h.office_id = $1 "
            "AND ($2::text IS NULL OR ($2 = 'none' AND (d.id IS NULL OR d.status = 'returned')) OR d.status = $2) "
            "AND ($3::bool IS NULL OR (coalesce(cardinality(h.children_birth_dates), 0) > 0) = $3) "
            "AND ($4::text IS NULL OR starts_with(lower(r.reference), lower($4)))",
            [office_id, filters.decision, filters.has_children, filters.reference],
            HOUSEHOLD_SORTING.sql(paging.sort), paging)
        return Page([HouseholdRow(**without_total(r)) for r in rows], total, paging.page, paging.page_size)

    async def audit_entries(self, office_id: str | None, paging: Paging = Paging(),
                            filters: AuditFilters = AuditFilters()) -> Page[AuditRow]:
        """The audit log of `office_id` (None: every office's), filtered, one page of it; days in Norway's time."""
        rows, total = await fetch_page(
            self.conn,
            "l.id, l.at, l.username, l.role, l.office_id, l.household_id, l.action, l.purpose, r.reference",
            "FROM audit_log l LEFT JOIN household_references r "
            "ON r.household_id = l.household_id AND r.office_id = l.office_id "
            "WHERE ($1::text IS NULL OR l.office_id = $1) AND ($2::text IS NULL OR l.action = $2) "
            "AND ($3::text IS NULL OR l.username = $3) "
            "AND ($4::date IS NULL OR (l.at AT TIME ZONE 'Europe/Oslo')::date >= $4) "
            "AND ($5::date IS NULL OR (l.at AT TIME ZONE 'Europe/Oslo')::date <= $5)",
            [office_id, filters.action, filters.username, filters.date_from, filters.date_to],
            AUDIT_SORTING.sql(paging.sort), paging)
        return Page([AuditRow(**without_total(r)) for r in rows], total, paging.page, paging.page_size)

    # -- owners (for the web layer's 404/403) -------------------------------------------------------------
    async def application_owner(self, application_id: UUID) -> Owner | None:
        row = await self.conn.fetchrow("SELECT id, office_id FROM applications WHERE id = $1", application_id)
        return Owner(row["id"], row["office_id"], row["id"]) if row else None

    async def decision_owner(self, decision_id: UUID) -> Owner | None:
        row = await self.conn.fetchrow("SELECT id, office_id, application_id FROM decisions WHERE id = $1",
                                       decision_id)
        return Owner(row["id"], row["office_id"], row["application_id"]) if row else None

    async def household_owner(self, household_id: UUID) -> Owner | None:
        row = await self.conn.fetchrow(
            "SELECT h.id, h.office_id, array(SELECT DISTINCT a.office_id FROM applications a "
            "WHERE a.household_id = h.id) AS offices FROM households h WHERE h.id = $1", household_id)
        return Owner(row["id"], row["office_id"], None, frozenset(row["offices"])) if row else None

    # -- views with personal data (read by the handlers that audit them) ------------------------------------
    async def case(self, application_id: UUID) -> Case | None:
        row = await self.conn.fetchrow(_APPLICATIONS + " WHERE id = $1",
                                       application_id)
        if row is None:
            return None
        application = self.records.application(row)
        household = await self._household(application.household_id)
        rows = await self.conn.fetch(
            _DECISIONS + " WHERE application_id = $1 ORDER BY decided_at", application.id)
        return Case(application, household, [self.records.decision(r) for r in rows],
                    await self.reference(household.id, application.office_id))

    async def household_history(self, household_id: UUID, *, office_id: str | None) -> HouseholdHistory | None:
        """The household with the applications and decisions of `office_id` (None: of every office). An office
        sees what it did; what another office wrote stays with that office."""
        household = await self._household(household_id)
        if household is None:
            return None
        applications = await self.conn.fetch(
            _APPLICATIONS + " WHERE household_id = $1 "
            "AND ($2::text IS NULL OR office_id = $2) ORDER BY received_at", household_id, office_id)
        decisions = await self.conn.fetch(
            _DECISIONS + " WHERE household_id = $1 "
            "AND ($2::text IS NULL OR office_id = $2) ORDER BY decided_at", household_id, office_id)
        return HouseholdHistory(household, [self.records.application(r) for r in applications],
                                [self.records.decision(r) for r in decisions],
                                await self.reference(household.id, office_id or household.office_id))

    async def people(self, household_ids: list[UUID], *, office_id: str | None) -> list[Person]:
        """Who these households are, for `office_id` (None: every office): the households it may see — its own,
        and those it worked with before a transfer — with its reference for them; the others are left out."""
        rows = await self.conn.fetch(
            "SELECT h.id, h.name_encrypted, h.applicant_birth_date, r.reference FROM households h "
            "LEFT JOIN household_references r ON r.household_id = h.id AND r.office_id = coalesce($2, h.office_id) "
            "WHERE h.id = ANY($1::uuid[]) AND ($2::text IS NULL OR h.office_id = $2 OR EXISTS "
            "(SELECT 1 FROM applications a WHERE a.household_id = h.id AND a.office_id = $2)) ORDER BY h.id",
            list(household_ids), office_id)
        return [Person(r["id"], self.records.dec(r["name_encrypted"]) or "", r["applicant_birth_date"], r["reference"])
                for r in rows]

    async def office_people(self, office_id: str, *, reference: str | None = None,
                            household_id: UUID | None = None) -> list[Person]:
        """Who the households of `office_id` are (their current office), decrypted here for the search to match
        (an office has at most a few thousand); only the one with `reference` or `household_id` when given."""
        rows = await self.conn.fetch(
            "SELECT h.id, h.name_encrypted, h.applicant_birth_date, r.reference FROM households h "
            "LEFT JOIN household_references r ON r.household_id = h.id AND r.office_id = h.office_id "
            "WHERE h.office_id = $1 AND ($2::text IS NULL OR r.reference = $2) AND ($3::uuid IS NULL OR h.id = $3)",
            office_id, reference, household_id)
        return [Person(r["id"], self.records.dec(r["name_encrypted"]) or "", r["applicant_birth_date"], r["reference"])
                for r in rows]

    async def reference(self, household_id: UUID, office_id: str) -> str | None:
        return await self.conn.fetchval(
            "SELECT reference FROM household_references WHERE household_id = $1 AND office_id = $2",
            household_id, office_id)

    async def _household(self, household_id: UUID) -> Household | None:
        row = await self.conn.fetchrow("SELECT * FROM households WHERE id = $1", household_id)
        return self.records.household(row) if row else None

    # -- what the decision rules count --------------------------------------------------------------------
    async def granted_nights(self, household_id: UUID) -> int:
        """Nights granted to the household by decisions in effect, at any office (the three months)."""
        return await self.conn.fetchval(
            "SELECT coalesce(sum(period_to - period_from + 1), 0) FROM decisions "
            "WHERE household_id = $1 AND outcome = 'granted' AND status = 'in_effect'", household_id)

    async def is_extended(self, decision_id: UUID) -> bool:
        return await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM decisions WHERE extends_decision_id = $1 AND status <> 'returned')",
            decision_id)

    # -- the leader's queue --------------------------------------------------------------------------------
    async def awaiting_approval(self, office_id: str) -> list[AwaitingRow]:
        """The office's decisions waiting for the second approval, oldest first."""
        rows = await self.conn.fetch(
            "SELECT d.id AS decision_id, d.application_id, d.household_id, d.outcome, d.period_from, d.period_to, "
            "d.decided_at, d.decided_by, d.warnings, d.extends_decision_id, r.reference FROM decisions d "
            "LEFT JOIN household_references r ON r.household_id = d.household_id AND r.office_id = d.office_id "
            "WHERE d.office_id = $1 AND d.status = 'awaiting_approval' ORDER BY d.decided_at", office_id)
        return [AwaitingRow(**{**dict(r), "warnings": list(r["warnings"] or [])}) for r in rows]

    async def awaiting_approval_count(self, office_id: str, *, not_by: str) -> int:
        """Those another leader than `not_by` may approve (no one approves their own)."""
        return await self.conn.fetchval(
            "SELECT count(*) FROM decisions WHERE office_id = $1 AND status = 'awaiting_approval' "
            "AND decided_by IS DISTINCT FROM $2", office_id, not_by)

    # -- the office registry -------------------------------------------------------------------------------
    async def offices(self) -> list[Office]:
        return [offices.office_of(r) for r in await self.conn.fetch(offices.ALL)]

    async def office(self, office_id: str) -> Office | None:
        row = await self.conn.fetchrow(offices.ONE, office_id)
        return offices.office_of(row) if row else None

    async def office_names(self) -> dict[str, str]:
        """Every office's name by its id, closed ones too (the page header's)."""
        return {r["id"]: r["name"] for r in await self.conn.fetch("SELECT id, name FROM offices")}

    # -- the demo loader ----------------------------------------------------------------------------------
    async def granted_in_effect(self) -> list[Decision]:
        rows = await self.conn.fetch(
            _DECISIONS + " WHERE outcome = 'granted' AND status = 'in_effect' "
            "ORDER BY decided_at")
        return [self.records.decision(r) for r in rows]

    async def is_empty(self) -> bool:
        return not await self.conn.fetchval("SELECT EXISTS (SELECT 1 FROM households)")
