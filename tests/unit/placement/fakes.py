"""Placement without a database: its tables in memory, repositories and queries over them, and a unit of work
that rolls back what a refused command wrote (as the real transaction does) and translates the recorded events
into wire events at commit (tests/fakes.py)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from kit import clock
from kit.paging import Page, Paging
from services.placement.adapters import events
from services.placement.adapters.queries import (
    CapacityRow,
    ExtensionRow,
    ImportRunRow,
    InspectionDueRow,
    OpenStayRow,
    ProviderFilters,
    StayFilters,
    StayRow,
)
from services.placement.adapters.repository import CONFLICTS
from services.placement.adapters.rows import address_key
from services.placement.domain.errors import Conflict
from services.placement.domain.history import Office
from services.placement.domain.matching import Candidate
from services.placement.domain.model import GrantedDecision, Inspection, Provider, Stay, Unit
from services.placement.service_layer.unit_of_work import collect
from tests.fakes import FakeUnitOfWork

CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def _copy(aggregate):
    """What a database would hand back: a copy, without the events the original has recorded."""
    out = copy.deepcopy(aggregate)
    if hasattr(out, "events"):
        out.events = []
    return out


@dataclass
class Tables:
    providers: dict[UUID, Provider] = field(default_factory=dict)
    units: dict[UUID, Unit] = field(default_factory=dict)
    inspections: list[tuple[UUID, Inspection]] = field(default_factory=list)
    decisions: dict[UUID, GrantedDecision] = field(default_factory=dict)
    imported_decisions: set[UUID] = field(default_factory=set)
    stays: dict[UUID, Stay] = field(default_factory=dict)
    imported_stays: set[UUID] = field(default_factory=set)
    extensions: list[ExtensionRow] = field(default_factory=list)
    actions: list = field(default_factory=list)  # the stays' history (model.StayAction)
    offices: dict[str, tuple[Office, bool]] = field(default_factory=dict)  # id → (office, closed)
    import_runs: dict[UUID, ImportRunRow] = field(default_factory=dict)

    def provider(self, provider_id: UUID) -> Provider | None:
        p = self.providers.get(provider_id)
        if p is None:
            return None
        p = _copy(p)
        mine = [i for pid, i in self.inspections if pid == provider_id]
        p.inspection = max(mine, key=lambda i: i.inspected_on) if mine else None
        return p

    def households_in(self, unit_id: UUID, excluding: UUID | None = None) -> int:
        return sum(1 for s in self.stays.values() if s.unit_id == unit_id and s.check_out is None
                   and s.id != excluding)


class _Repository:
    def __init__(self, tables: Tables, seen: list):
        self.t, self.seen = tables, seen

    def _seen(self, aggregate):
        if aggregate is not None and not any(a is aggregate for a in self.seen):
            self.seen.append(aggregate)
        return aggregate


class FakeProviderRepository(_Repository):
    async def add(self, p: Provider) -> None:
        if any(o.orgnr == p.orgnr for o in self.t.providers.values()):  # the unique index on orgnr
            raise Conflict(*CONFLICTS["providers_orgnr"])
        self.t.providers[p.id] = _copy(p)
        self._seen(p)

    async def save(self, p: Provider) -> None:
        if any(o.orgnr == p.orgnr and o.id != p.id for o in self.t.providers.values()):
            raise Conflict(*CONFLICTS["providers_orgnr"])
        self.t.providers[p.id] = _copy(p)

    async def get(self, provider_id: UUID, *, for_update: bool = False) -> Provider | None:
        return self._seen(self.t.provider(provider_id))

    async def all(self) -> list[Provider]:
        return [self._seen(self.t.provider(i)) for i in self.t.providers]

    async def any_registered(self) -> bool:
        return bool(self.t.providers)

    async def add_inspection(self, provider_id: UUID, i: Inspection) -> None:
        self.t.inspections.append((provider_id, i))

    async def add_unit(self, u: Unit) -> None:
        self.t.units[u.id] = _copy(u)
        self._seen(u)

    async def save_unit(self, u: Unit) -> None:
        self.t.units[u.id] = _copy(u)

    async def unit(self, unit_id: UUID, *, for_update: bool = False) -> Unit | None:
        u = self.t.units.get(unit_id)
        return self._seen(_copy(u) if u else None)

    async def lock_address(self, address: str) -> None:
        pass

    async def candidate(self, unit_id: UUID) -> Candidate:
        [c] = candidates(self.t, unit_id)
        return c

    async def all_units(self) -> list[Unit]:
        return [_copy(u) for u in sorted(self.t.units.values(), key=lambda u: (str(u.provider_id), u.name))]

    async def lock_imports(self) -> None:
        pass

    async def units_with_households(self) -> list[tuple[Unit, int]]:
        units = sorted(self.t.units.values(), key=lambda u: (str(u.provider_id), u.name, str(u.id)))
        return [(_copy(u), self.t.households_in(u.id)) for u in units]


class FakeStayRepository(_Repository):
    async def add(self, s: Stay, *, imported: bool = False) -> None:
        if s.check_out is None and any(o.household_id == s.household_id and o.check_out is None
                                       for o in self.t.stays.values()):  # one open stay per household
            raise Conflict(*CONFLICTS["stays_one_open_per_household"])
        self.t.stays[s.id] = _copy(s)
        if imported:
            self.t.imported_stays.add(s.id)
        self._seen(s)

    async def save(self, s: Stay) -> None:
        self.t.stays[s.id] = _copy(s)

    async def get(self, stay_id: UUID, *, for_update: bool = False) -> Stay | None:
        s = self.t.stays.get(stay_id)
        return self._seen(_copy(s) if s else None)

    async def open_of_household(self, household_id: UUID, *, for_update: bool = False) -> Stay | None:
        s = next((s for s in self.t.stays.values() if s.household_id == household_id and s.check_out is None), None)
        return self._seen(_copy(s) if s else None)

    async def household_has_open_stay(self, household_id: UUID) -> bool:
        return any(s.household_id == household_id and s.check_out is None for s in self.t.stays.values())

    async def earlier_nights(self, household_id: UUID, *, excluding: UUID | None = None) -> int:
        return sum((s.check_out - s.check_in).days for s in self.t.stays.values()
                   if s.household_id == household_id and s.check_out is not None and s.id != excluding
                   and self.t.providers[s.provider_id].accommodation == "temporary")

    async def households_in(self, unit_id: UUID, *, excluding: UUID | None = None) -> int:
        return self.t.households_in(unit_id, excluding)

    async def add_extension(self, s: Stay, previous_authorised_to: date, at: datetime) -> None:
        self.t.extensions.append(ExtensionRow(uuid4(), s.id, s.decision_id, previous_authorised_to,
                                              s.authorised_to, at))

    async def add_action(self, a) -> None:
        self.t.actions.append(a)

    async def lock_imports(self) -> None:
        pass

    async def existing_ids(self, ids: list[UUID]) -> set[UUID]:
        return set(ids) & set(self.t.stays)

    async def spans(self, household_ids: list[UUID]) -> dict[UUID, list[tuple[UUID, date, date | None]]]:
        out: dict[UUID, list] = {}
        for s in self.t.stays.values():
            if s.household_id in household_ids:
                out.setdefault(s.household_id, []).append((s.id, s.check_in, s.check_out))
        return out

    async def add_imported(self, imported: list[tuple[Stay, GrantedDecision]]) -> None:
        for s, d in imported:
            self.t.decisions.setdefault(d.decision_id, copy.deepcopy(d))
            self.t.imported_decisions.add(d.decision_id)
            await self.add(s, imported=True)


class FakeImportRunRepository(_Repository):
    async def start(self, run_id: UUID, *, office_id, file_name, rows, to_write, already_imported, rejected,
                    rejected_count, done) -> None:
        at = datetime.now(UTC)
        self.t.import_runs[run_id] = ImportRunRow(run_id, office_id, file_name, rows, to_write, 0, already_imported,
                                                  rejected_count, list(rejected), "done" if done else "running",
                                                  None, at, at, at if done else None)

    async def progress(self, run_id: UUID, *, written, already_imported, rejected, rejected_count) -> None:
        r = self.t.import_runs[run_id]
        self.t.import_runs[run_id] = replace(r, written=r.written + written,
                                             already_imported=r.already_imported + already_imported,
                                             rejected=r.rejected + list(rejected),
                                             rejected_count=r.rejected_count + rejected_count,
                                             updated_at=datetime.now(UTC))

    async def stop(self, run_id: UUID, rejected, rejected_count, error) -> None:
        await self.progress(run_id, written=0, already_imported=0, rejected=rejected, rejected_count=rejected_count)
        await self.finish(run_id, error)

    async def finish(self, run_id: UUID, error) -> None:
        r = self.t.import_runs[run_id]
        if r.status == "running":
            self.t.import_runs[run_id] = replace(r, status="failed" if error else "done", error=error,
                                                 finished_at=datetime.now(UTC))


class FakeDecisionRepository(_Repository):
    async def add(self, d: GrantedDecision) -> None:
        self.t.decisions.setdefault(d.decision_id, copy.deepcopy(d))

    async def get(self, decision_id: UUID) -> GrantedDecision | None:
        d = self.t.decisions.get(decision_id)
        return copy.deepcopy(d) if d else None


class FakeOfficeRepository:
    def __init__(self, tables: Tables):
        self.tables = tables

    async def record(self, o) -> None:
        self.tables.offices[o.office_id] = (Office(o.office_id, o.name, o.municipality, o.district), o.closed)

    async def get(self, office_id: str) -> Office | None:
        found = self.tables.offices.get(office_id)
        return found[0] if found else None

    async def all(self) -> list[Office]:
        return [office for office, _ in self.tables.offices.values()]


class FakePlacementUnitOfWork(FakeUnitOfWork):
    def __init__(self, tables: Tables):
        super().__init__(events.translate, service="placement")
        self.tables = tables

    async def __aenter__(self):
        await super().__aenter__()
        self._before = copy.deepcopy(vars(self.tables))
        self.seen: list = []
        self.providers = FakeProviderRepository(self.tables, self.seen)
        self.stays = FakeStayRepository(self.tables, self.seen)
        self.decisions = FakeDecisionRepository(self.tables, self.seen)
        self.offices = FakeOfficeRepository(self.tables)
        self.imports = FakeImportRunRepository(self.tables, self.seen)
        return self

    def collect_new_events(self):
        return list(collect(self.seen))

    async def rollback(self) -> None:
        vars(self.tables).update(self._before)  # the transaction's writes undone
        await super().rollback()


def candidates(t: Tables, unit_id: UUID | None = None) -> list[Candidate]:
    open_stays = [s for s in t.stays.values() if s.check_out is None]
    at_address: dict[str, list[Stay]] = {}
    for s in open_stays:
        at_address.setdefault(address_key(t.units[s.unit_id].address), []).append(s)
    out = []
    for u in sorted(t.units.values(), key=lambda u: u.name):
        if unit_id is not None and u.id != unit_id:
            continue
        there = at_address.get(address_key(u.address), [])
        out.append(Candidate(t.provider(u.provider_id), _copy(u), t.households_in(u.id),
                             any(s.substance_group for s in there), any(not s.substance_group for s in there)))
    return out


class FakeQueries:
    """PlacementQueries over the tables in memory."""

    def __init__(self, tables: Tables):
        self.t = tables

    async def providers(self) -> list[Provider]:
        return sorted((self.t.provider(i) for i in self.t.providers), key=lambda p: (p.municipality, p.name))

    async def provider_page(self, paging: Paging = Paging(), filters: ProviderFilters = ProviderFilters(),
                            today: date | None = None) -> Page[Provider]:
        today = today or clock.today()
        found = [p for p in await self.providers()
                 if filters.municipality in (None, p.municipality)
                 and (filters.target_group is None or filters.target_group in p.agreement.target_groups)
                 and (filters.name is None or filters.name.lower() in p.name.lower())
                 and filters.agreement_in_force in (None, p.agreement.covers(today))]
        return Page.of(found, paging)

    async def municipalities_of_providers(self) -> list[str]:
        return sorted({p.municipality for p in await self.providers()})

    async def offices(self) -> dict[str, dict]:
        return {o.id: {"name": o.name, "municipality": o.municipality, "district": o.district}
                for o, closed in self.t.offices.values() if not closed}

    async def moved_to(self, stay_id: UUID) -> Stay | None:
        return next((copy.deepcopy(s) for s in self.t.stays.values() if s.moved_from_stay_id == stay_id), None)

    async def office(self, office_id: str) -> Office | None:
        found = self.t.offices.get(office_id)
        return found[0] if found else None

    async def provider(self, provider_id: UUID) -> Provider | None:
        return self.t.provider(provider_id)

    async def unit(self, unit_id: UUID) -> Unit | None:
        u = self.t.units.get(unit_id)
        return _copy(u) if u else None

    async def candidates(self) -> list[Candidate]:
        return candidates(self.t)

    async def capacity(self, municipality: str | None) -> list[CapacityRow]:
        rows = []
        for u in self.t.units.values():
            p = self.t.providers[u.provider_id]
            if municipality is None or p.municipality == municipality:
                living = next((s for s in self.t.stays.values() if s.unit_id == u.id and s.check_out is None), None)
                rows.append(CapacityRow(p.id, p.name, p.municipality, p.district, p.accommodation, p.agreement_kind,
                                        u.id, u.name, u.beds, u.address, dict(u.facilities),
                                        self.t.households_in(u.id), living and living.planned_check_out,
                                        living and living.planned_destination))
        return sorted(rows, key=lambda r: (r.municipality, r.provider, r.unit))

    async def decision(self, decision_id: UUID) -> GrantedDecision | None:
        d = self.t.decisions.get(decision_id)
        return copy.deepcopy(d) if d else None

    async def decisions_of(self, household_id: UUID) -> list[GrantedDecision]:
        return sorted((copy.deepcopy(d) for d in self.t.decisions.values() if d.household_id == household_id),
                      key=lambda d: d.period_from or date.min)

    async def awaiting_place(self, office_id: str | None, today: date) -> list[GrantedDecision]:
        stays = self.t.stays.values()
        return sorted((copy.deepcopy(d) for d in self.t.decisions.values()
                       if d.outcome == "granted" and d.period_to and d.period_to >= today
                       and d.decision_id not in self.t.imported_decisions
                       and (office_id is None or d.office_id == office_id)
                       and not any(s.household_id == d.household_id and s.check_out is None for s in stays)
                       and not any(s.decision_id == d.decision_id for s in stays)
                       and not any(e.decision_id == d.decision_id for e in self.t.extensions)),
                      key=lambda d: d.period_from)

    async def stay(self, stay_id: UUID) -> Stay | None:
        s = self.t.stays.get(stay_id)
        return _copy(s) if s else None

    async def extensions_of(self, stay_id: UUID) -> list[ExtensionRow]:
        return [e for e in self.t.extensions if e.stay_id == stay_id]

    async def stays_of_office(self, office_id: str | None, paging: Paging = Paging(),
                              filters: StayFilters = StayFilters(), today: date | None = None) -> Page[StayRow]:
        """The filters and the default order (the SQL's other orders are the stack tests')."""
        today = today or clock.today()

        def status(s: Stay) -> str:
            return "ended" if s.check_out else ("planned" if s.check_in > today else "ongoing")
        stays = sorted((s for s in self.t.stays.values() if (office_id is None or s.office_id == office_id)
                        and filters.status in (None, status(s)) and filters.provider_id in (None, s.provider_id)),
                       key=lambda s: (s.check_out is not None, -s.check_in.toordinal()))
        return Page.of([StayRow(_copy(s), self.t.providers[s.provider_id].name, self.t.units[s.unit_id].name,
                                CREATED, s.id in self.t.imported_stays) for s in stays], paging)

    def _nights(self, household_id: UUID, today: date) -> int:
        return sum(max(0, (min(s.check_out or today, today) - s.check_in).days) for s in self.t.stays.values()
                   if s.household_id == household_id
                   and self.t.providers[s.provider_id].accommodation == "temporary")

    async def open_stays(self, office_id: str | None, today: date) -> list[OpenStayRow]:
        out = []
        for s in sorted(self.t.stays.values(), key=lambda s: s.check_in):
            if s.check_out is None and (office_id is None or s.office_id == office_id):
                p, d = self.t.providers[s.provider_id], self.t.decisions[s.decision_id]
                out.append(OpenStayRow(_copy(s), d.household, p.name, self.t.units[s.unit_id].name,
                                       p.accommodation, p.agreement_kind, self._nights(s.household_id, today)))
        return out

    async def inspections_due(self, today: date, within_days: int) -> list[InspectionDueRow]:
        out = []
        for pid in self.t.providers:
            p = self.t.provider(pid)
            i = p.inspection
            if p.agreement_kind == "none" and (i is None or i.result == "failed"
                                               or (i.next_due - today).days <= within_days):
                out.append(InspectionDueRow(p.id, p.name, p.municipality, i and i.inspected_on, i and i.result,
                                            i and i.next_due, sum(1 for s in self.t.stays.values()
                                                                  if s.provider_id == p.id and s.check_out is None)))
        return sorted(out, key=lambda r: (r.next_due is not None, r.next_due or date.min, r.name))

    async def import_run(self, run_id: UUID) -> ImportRunRow | None:
        return self.t.import_runs.get(run_id)

    async def import_runs(self, office_id: str | None, limit: int = 10) -> list[ImportRunRow]:
        runs = [r for r in self.t.import_runs.values() if office_id is None or r.office_id == office_id]
        return sorted(runs, key=lambda r: r.started_at, reverse=True)[:limit]

    async def planned_move_outs_due(self, today: date) -> list[UUID]:
        return [s.id for s in sorted(self.t.stays.values(), key=lambda s: s.planned_check_out or date.max)
                if s.check_out is None and s.planned_check_out is not None and s.planned_check_out <= today]
