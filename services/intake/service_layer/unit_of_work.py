"""Intake's unit of work: the repositories (cases, offices) and the queries on one transaction's connection,
and the events the aggregates recorded, collected at commit."""

from collections.abc import Iterator

from kit.unit_of_work import UnitOfWork
from services.intake.adapters.identity import IdentityProtector
from services.intake.adapters.offices import OfficeRepository
from services.intake.adapters.queries import IntakeQueries
from services.intake.adapters.records import Records
from services.intake.adapters.repository import IntakeRepository


class IntakeUnitOfWork(UnitOfWork):
    repo: IntakeRepository
    offices: OfficeRepository
    queries: IntakeQueries

    def __init__(self, pool, *, protector: IdentityProtector, **kwargs):
        super().__init__(pool, **kwargs)
        self.records = Records(protector)

    async def __aenter__(self):
        await super().__aenter__()
        self.repo = IntakeRepository(self.conn, self.records)
        self.offices = OfficeRepository(self.conn, self.repo.seen)
        self.queries = IntakeQueries(self.conn, self.records)
        return self

    def collect_new_events(self) -> Iterator[object]:
        return collect_events(self.repo.seen)


def collect_events(seen: list[object]) -> Iterator[object]:
    """The events each aggregate recorded, in the order they were recorded, each once."""
    for aggregate in seen:
        events = getattr(aggregate, "events", [])
        while events:
            yield events.pop(0)
