"""Placement's unit of work: its repositories on one transaction, and the events their aggregates recorded."""

from __future__ import annotations

from collections.abc import Iterator

from kit.unit_of_work import UnitOfWork
from services.placement.adapters.offices import OfficeRepository
from services.placement.adapters.repository import (
    DecisionRepository,
    ImportRunRepository,
    ProviderRepository,
    StayRepository,
)
from services.placement.domain.events import Aggregate


class PlacementUnitOfWork(UnitOfWork):
    providers: ProviderRepository
    stays: StayRepository
    decisions: DecisionRepository
    offices: OfficeRepository
    imports: ImportRunRepository

    async def __aenter__(self) -> PlacementUnitOfWork:
        await super().__aenter__()
        self.seen: list[Aggregate] = []
        self.providers = ProviderRepository(self.conn, self.seen)
        self.stays = StayRepository(self.conn, self.seen)
        self.decisions = DecisionRepository(self.conn, self.seen)
        self.offices = OfficeRepository(self.conn)
        self.imports = ImportRunRepository(self.conn, self.seen)
        return self

    def collect_new_events(self) -> Iterator[object]:
        yield from collect(self.seen)


def collect(seen: list[Aggregate]) -> Iterator[object]:
    """The events the aggregates recorded, aggregate by aggregate in the order the unit of work first met them
    (a move: the old stay's move-out before the new stay's placement), each aggregate's in its own order."""
    for aggregate in seen:
        while aggregate.events:
            yield aggregate.events.pop(0)
