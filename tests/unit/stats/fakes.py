"""Stats without a database: a fake unit of work whose repositories keep the commands they were given, and
in-memory queries for the read side and the routes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from services.stats.adapters import events
from services.stats.adapters.queries import CountRow, GroupCount, OccupancyRow, PlacesRow, RebuildRow, SpendRow
from services.stats.adapters.repository import CONSUMER
from services.stats.bootstrap import message_bus
from services.stats.domain.kostra import StayFacts
from services.stats.domain.rebuild import ReplayTally
from services.stats.domain.weekly import UnitBeds
from tests.fakes import FakeUnitOfWork


class FakeProjections:
    """One set of projections: the commands applied, and the events its own inbox holds (a rebuild's)."""

    def __init__(self, uow: FakeStatsUnitOfWork):
        self._uow = uow
        self.applied: list = []
        self.inbox: set = set()

    async def lock_writers(self, *, exclusive: bool = False) -> bool:
        self._uow.locks.append("exclusive" if exclusive else "shared")
        return self._uow.shadow is not None

    async def claim(self, event_ids) -> set:
        new = set(event_ids) - self.inbox
        self.inbox |= new
        return new

    async def apply(self, cmds) -> None:
        self.applied.extend(cmds)

    @property
    def event_ids(self) -> set:
        return {cmd.event_id for cmd in self.applied}


class FakeRebuilds:
    def __init__(self, uow: FakeStatsUnitOfWork):
        self._uow = uow
        self.history: dict = {}

    async def make_shadow(self) -> None:
        self._uow.shadow = FakeProjections(self._uow)

    async def tally(self, events_read: int) -> ReplayTally:
        live = {event_id for consumer, event_id in self._uow.inbox if consumer == CONSUMER}
        return ReplayTally(events_read, len(self._uow.shadow.inbox), len(live), len(live - self._uow.shadow.inbox))

    async def swap(self) -> None:
        self._uow.projections.applied = self._uow.shadow.applied
        self._uow.inbox |= {(CONSUMER, event_id) for event_id in self._uow.shadow.inbox}
        self._uow.shadow = None

    async def drop_shadow(self) -> None:
        self._uow.shadow = None

    async def started(self, rebuild_id, at) -> None:
        self.history[rebuild_id] = {"outcome": "running", "started_at": at}

    async def finished(self, rebuild_id, at, outcome, tally, message) -> None:
        self.history[rebuild_id] |= {"outcome": outcome, "finished_at": at, "tally": tally, "message": message}


class FakeStatsUnitOfWork(FakeUnitOfWork):
    """One instance for a whole test (the bus's factory hands out the same one), so what it holds persists."""

    def __init__(self):
        super().__init__(events.translate, service="stats")
        self.locks: list[str] = []
        self.projections = FakeProjections(self)
        self.shadow: FakeProjections | None = None
        self.rebuilds = FakeRebuilds(self)

    async def claim_event(self, consumer: str, event_id) -> bool:
        await self.projections.lock_writers()
        self.locks.append("inbox")
        return await super().claim_event(consumer, event_id)


def fake_bus(now=lambda: None):
    uow = FakeStatsUnitOfWork()
    return message_bus(lambda: uow, now=now), uow


@dataclass
class FakeQueries:
    """The read side's queries over lists: stays per (municipality, district), and the rows of the SQL-only
    reports as the test sets them."""

    stays: list[tuple[str, str | None, StayFacts]] = field(default_factory=list)
    exit_rows: list[CountRow] = field(default_factory=list)
    decision_rows: list[CountRow] = field(default_factory=list)
    occupancy_rows: list[OccupancyRow] = field(default_factory=list)
    spend_rows: list[SpendRow] = field(default_factory=list)
    rebuild_rows: list[RebuildRow] = field(default_factory=list)
    office_districts: dict[str, list[str]] = field(default_factory=dict)  # municipality → its offices' districts
    units: list[UnitBeds] = field(default_factory=list)  # the temporary accommodation units of every area
    names: dict[str, str] = field(default_factory=dict)  # office id → name
    asked: list[tuple] = field(default_factory=list)

    def _area(self, municipality, district, start, end):
        return [s for m, d, s in self.stays if m == municipality and (district is None or d == district)
                and s.check_in < end and (s.check_out is None or s.check_out > start)]

    async def stays_in_period(self, municipality, district, start, end):
        return self._area(municipality, district, start, end)

    async def stays_for_kostra(self, municipality, district, year):
        return self._area(municipality, district, date(year, 1, 1), date(year + 1, 1, 1))

    async def exits(self, municipality, district, year, today):
        self.asked.append(("exits", year, today))
        return self.exit_rows

    async def decisions(self, municipality, district, year):
        return self.decision_rows

    async def occupancy(self, municipality, district):
        return self.occupancy_rows

    async def spend(self, municipality, district, year):
        return self.spend_rows

    async def unit_beds(self, municipality, district):
        return self.units

    async def stays_in_units(self, unit_ids, start, end):
        own = [s for _, _, s in self.stays if s.unit_id in set(unit_ids)]
        firsts: dict = {}
        for s in own:
            firsts[s.unit_id] = min(firsts.get(s.unit_id, s.check_in), s.check_in)
        return [s for s in own if s.check_in < end and (s.check_out is None or s.check_out > start)], firsts

    async def office_names(self):
        return self.names

    async def districts(self, municipality):
        return self.office_districts.get(municipality, [])

    async def municipalities(self):
        return sorted({m for m, _, _ in self.stays})

    async def open_stays_over(self, rules, today) -> list[GroupCount]:
        return []

    async def households_now(self, today) -> list[GroupCount]:
        return []

    async def places(self) -> list[PlacesRow]:
        return []

    async def rebuilds(self, limit: int = 10):
        return self.rebuild_rows[:limit]
