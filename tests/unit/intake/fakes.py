"""Intake's fake unit of work for fast tests: the repository and the queries over dictionaries, no database.

Like the database it stands for, it keeps what a handler saved and nothing else: objects are copied on the
way in and out, and a unit of work that does not commit leaves the store as it was."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from uuid import UUID

from contracts import reference
from kit.paging import Page, Paging
from services.intake.adapters import events
from services.intake.adapters.queries import (
    AuditFilters,
    AuditRow,
    AwaitingRow,
    Case,
    CaseFilters,
    CaseRow,
    HouseholdHistory,
    Owner,
    Person,
)
from services.intake.bootstrap import make_bus
from services.intake.domain.decisions import Decision, WarningRules
from services.intake.domain.errors import Conflict
from services.intake.domain.model import Application, AuditEntry, Household, Transfer, reference_text
from services.intake.domain.offices import Office, key
from services.intake.service_layer.unit_of_work import collect_events
from tests.fakes import FakeUnitOfWork

OFFICES = {
    "nav-grunerlokka": Office("nav-grunerlokka", "Nav Grünerløkka", "0301", "Grünerløkka", True),
    "nav-falkenborg": Office("nav-falkenborg", "Nav Falkenborg", "5001", None, False),
    "nav-bodo": Office("nav-bodo", "Nav Bodø", "1804", None, False),
}
"""The offices registered in a fresh fake intake."""
MUNICIPALITIES = reference.municipalities()
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@dataclass
class Store:
    households: dict[UUID, Household] = field(default_factory=dict)
    applications: dict[UUID, Application] = field(default_factory=dict)
    decisions: dict[UUID, Decision] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    offices: dict[str, Office] = field(default_factory=lambda: copy.deepcopy(OFFICES))
    references: dict[tuple[UUID, str], str] = field(default_factory=dict)  # (household, office) → reference
    counters: dict[tuple[str, int], int] = field(default_factory=dict)  # (office, year) → last number

    def household_by_number(self, number: str) -> Household | None:
        return next((h for h in self.households.values() if h.identity_number == number), None)


def _copy(obj):
    return copy.deepcopy(obj)


def _stored(aggregate):
    """What a row holds: the aggregate's state, not the events it recorded (those went to the outbox)."""
    row = copy.deepcopy(aggregate)
    row.events = []
    return row


class FakeRepository:
    def __init__(self, store: Store):
        self.store = store
        self.seen: list[object] = []

    def _load(self, obj):
        if obj is None:
            return None
        obj = _copy(obj)
        self.seen.append(obj)
        return obj

    async def household_by_identity(self, number: str, *, for_update: bool = False):
        return self._load(self.store.household_by_number(number))

    async def household(self, household_id: UUID, *, for_update: bool = False):
        return self._load(self.store.households.get(household_id))

    async def add_household(self, h: Household) -> None:
        if self.store.household_by_number(h.identity_number):
            raise Conflict("Husstanden ble nettopp registrert av en annen; send skjemaet på nytt.", "identity_number")
        self.store.households[h.id] = _stored(h)
        self.seen.append(h)

    async def save_household(self, h: Household) -> None:
        self.store.households[h.id] = _stored(h)

    async def add_application(self, a: Application) -> None:
        self.store.applications[a.id] = _stored(a)
        self.seen.append(a)

    async def application(self, application_id: UUID, *, for_update: bool = False):
        return self._load(self.store.applications.get(application_id))

    async def applications_of_household(self, household_id: UUID) -> list[Application]:
        return [self._load(a) for a in self.store.applications.values() if a.household_id == household_id]

    async def save_application(self, a: Application) -> None:
        self.store.applications[a.id].status = a.status

    async def add_decision(self, d: Decision) -> None:
        self.store.decisions[d.id] = _stored(d)
        self.seen.append(d)

    async def decision(self, decision_id: UUID, *, for_update: bool = False):
        return self._load(self.store.decisions.get(decision_id))

    async def decisions_of_household(self, household_id: UUID) -> list[Decision]:
        return [self._load(d) for d in self.store.decisions.values() if d.household_id == household_id]

    async def save_decision(self, d: Decision) -> None:
        self.store.decisions[d.id] = _stored(d)

    async def add_audit(self, e: AuditEntry) -> None:
        self.store.audit.append(e)

    async def add_audits(self, entries: list[AuditEntry]) -> None:
        self.store.audit.extend(entries)

    async def assign_reference(self, household_id: UUID, office_id: str, year: int) -> str:
        if (household_id, office_id) not in self.store.references:
            number = self.store.counters[office_id, year] = self.store.counters.get((office_id, year), 0) + 1
            self.store.references[household_id, office_id] = reference_text(year, number)
        return self.store.references[household_id, office_id]

    async def add_transfer(self, t: Transfer) -> None:
        self.store.transfers.append(t)


class FakeOfficeRepository:
    def __init__(self, store: Store, seen: list[object]):
        self.store = store
        self.seen = seen

    async def lock(self) -> None:
        pass

    async def get(self, office_id: str, *, for_update: bool = False):
        office = self.store.offices.get(office_id)
        if office is None:
            return None
        office = _copy(office)
        self.seen.append(office)
        return office

    async def all(self) -> list[Office]:
        found = [_copy(o) for o in sorted(self.store.offices.values(), key=lambda o: (o.municipality, key(o.name)))]
        self.seen.extend(found)
        return found

    async def ids(self) -> set[str]:
        return set(self.store.offices)

    async def add(self, o: Office) -> None:
        if any(x.key == o.key for x in self.store.offices.values()):
            raise Conflict(f"Kommunen har allerede et Nav-kontor som heter {o.name}.", "name")
        self.store.offices[o.id] = _stored(o)
        self.seen.append(o)

    async def save(self, o: Office) -> None:
        self.store.offices[o.id] = _stored(o)


class FakeQueries:
    def __init__(self, store: Store):
        self.store = store

    async def offices(self) -> list[Office]:
        return [_copy(o) for o in sorted(self.store.offices.values(), key=lambda o: (o.municipality, key(o.name)))]

    async def office(self, office_id: str):
        return _copy(self.store.offices.get(office_id))

    async def case_list(self, office_id, paging: Paging = Paging(), filters: CaseFilters = CaseFilters()
                        ) -> Page[CaseRow]:
        """The filters and the default order (the SQL's other orders are the stack tests')."""
        rows = []
        for a in self.store.applications.values():
            if (office_id and a.office_id != office_id) or (filters.open_only and not a.is_open):
                continue
            if (filters.status and a.status != filters.status) or (
                    filters.urgent is not None and a.urgent != filters.urgent):
                continue
            ref = self.store.references.get((a.household_id, a.office_id))
            if filters.reference and not (ref or "").lower().startswith(filters.reference.lower()):
                continue
            h = self.store.households[a.household_id]
            d = max((d for d in self.store.decisions.values() if d.application_id == a.id),
                    key=lambda d: d.decided_at, default=None)
            rows.append(CaseRow(a.id, a.household_id, a.office_id, a.received_at, a.channel, a.urgent, a.status,
                                h.applicant_birth_date, h.adults, len(h.children_birth_dates), d and d.id,
                                d and d.outcome, d and d.period_from, d and d.period_to, d and d.status,
                                d and d.warnings, d and d.decided_by,
                                self.store.references.get((a.household_id, a.office_id))))
        return Page.of(sorted(rows, key=lambda r: (not r.urgent, -r.received_at.timestamp())), paging)

    async def audit_entries(self, office_id, paging: Paging = Paging(), filters: AuditFilters = AuditFilters()
                            ) -> Page[AuditRow]:
        rows = [AuditRow(i + 1, e.at, e.username, e.role, e.office_id, e.household_id, e.action, e.purpose)
                for i, e in enumerate(self.store.audit) if (office_id is None or e.office_id == office_id)
                and filters.action in (None, e.action) and filters.username in (None, e.username)]
        return Page.of(list(reversed(rows)), paging)

    async def application_owner(self, application_id):
        a = self.store.applications.get(application_id)
        return Owner(a.id, a.office_id, a.id) if a else None

    async def decision_owner(self, decision_id):
        d = self.store.decisions.get(decision_id)
        return Owner(d.id, d.office_id, d.application_id) if d else None

    async def household_owner(self, household_id):
        h = self.store.households.get(household_id)
        offices = frozenset(a.office_id for a in self.store.applications.values() if a.household_id == household_id)
        return Owner(h.id, h.office_id, None, offices) if h else None

    async def case(self, application_id):
        a = self.store.applications.get(application_id)
        if a is None:
            return None
        decisions = sorted((d for d in self.store.decisions.values() if d.application_id == a.id),
                           key=lambda d: d.decided_at)
        return _copy(Case(a, self.store.households[a.household_id], decisions,
                          self.store.references.get((a.household_id, a.office_id))))

    async def household_history(self, household_id, *, office_id):
        h = self.store.households.get(household_id)
        if h is None:
            return None
        mine = (lambda x: office_id is None or x.office_id == office_id)  # noqa: E731
        return _copy(HouseholdHistory(
            h, [a for a in self.store.applications.values() if a.household_id == h.id and mine(a)],
            sorted((d for d in self.store.decisions.values() if d.household_id == h.id and mine(d)),
                   key=lambda d: d.decided_at)))

    async def people(self, household_ids, *, office_id) -> list[Person]:
        found = []
        for h in sorted((self.store.households[i] for i in household_ids if i in self.store.households),
                        key=lambda h: h.id):
            worked_with = any(a.household_id == h.id and a.office_id == office_id
                              for a in self.store.applications.values())
            if office_id is None or h.office_id == office_id or worked_with:
                found.append(Person(h.id, h.name or "", h.applicant_birth_date,
                                    self.store.references.get((h.id, office_id or h.office_id))))
        return found

    async def office_people(self, office_id, *, reference=None, household_id=None) -> list[Person]:
        return [Person(h.id, h.name or "", h.applicant_birth_date, self.store.references.get((h.id, h.office_id)))
                for h in self.store.households.values() if h.office_id == office_id
                and (reference is None or self.store.references.get((h.id, h.office_id)) == reference)
                and (household_id is None or h.id == household_id)]

    async def awaiting_approval(self, office_id) -> list[AwaitingRow]:
        return [AwaitingRow(d.id, d.application_id, d.household_id, d.outcome, d.period_from, d.period_to,
                            d.decided_at, d.decided_by, list(d.warnings), d.extends_decision_id,
                            self.store.references.get((d.household_id, d.office_id)))
                for d in sorted(self.store.decisions.values(), key=lambda d: d.decided_at)
                if d.office_id == office_id and d.status == "awaiting_approval"]

    async def awaiting_approval_count(self, office_id, *, not_by) -> int:
        return sum(r.decided_by != not_by for r in await self.awaiting_approval(office_id))

    async def reference(self, household_id, office_id):
        return self.store.references.get((household_id, office_id))

    async def granted_nights(self, household_id) -> int:
        return sum(d.nights for d in self.store.decisions.values()
                   if d.household_id == household_id and d.status == "in_effect")

    async def is_extended(self, decision_id) -> bool:
        return any(d.extends_decision_id == decision_id and d.status != "returned"
                   for d in self.store.decisions.values())

    async def granted_in_effect(self) -> list[Decision]:
        return [d for d in self.store.decisions.values() if d.outcome == "granted" and d.status == "in_effect"]

    async def is_empty(self) -> bool:
        return not self.store.households


class FakeIntakeUnitOfWork(FakeUnitOfWork):
    """Each unit of work works on a copy of the store and puts it back only when it commits."""

    def __init__(self, store: Store, log: list):
        super().__init__(events.translate, service="intake")
        self._store = store
        self._log = log  # every unit of work made, for assertions on what was committed

    async def __aenter__(self):
        await super().__aenter__()
        self._working = _copy(self._store)
        self.repo = FakeRepository(self._working)
        self.offices = FakeOfficeRepository(self._working, self.repo.seen)
        self.queries = FakeQueries(self._working)
        self._log.append(self)
        return self

    def collect_new_events(self):
        return list(collect_events(self.repo.seen))

    async def commit(self):
        envelopes = await super().commit()
        self._store.__dict__.update(self._working.__dict__)
        return envelopes


class Intake:
    """A fake intake: the store, the bus over fake units of work, and what they published."""

    def __init__(self, *, now: datetime = NOW, rules: WarningRules = WarningRules(), allow_synthetic: bool = True):
        self.store = Store()
        self.units: list[FakeIntakeUnitOfWork] = []
        self.now = now
        self.uow_factory = partial(FakeIntakeUnitOfWork, self.store, self.units)
        self.bus = make_bus(self.uow_factory, rules=rules, allow_synthetic=allow_synthetic, now=lambda: self.now)

    @property
    def published(self) -> list[str]:
        return [e.type for u in self.units for e in u.published]

    async def handle(self, cmd):
        return await self.bus.handle(cmd)
