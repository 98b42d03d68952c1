from kit.unit_of_work import UnitOfWork
from services.stats.adapters.repository import SHADOW, ProjectionRepository, RebuildRepository


class StatsUnitOfWork(UnitOfWork):
    """A transaction of stats' writers: the live projections, the ones a rebuild builds aside, the rebuild's
    own steps."""

    projections: ProjectionRepository
    shadow: ProjectionRepository
    rebuilds: RebuildRepository

    async def __aenter__(self):
        await super().__aenter__()
        self.projections = ProjectionRepository(self.conn)
        self.shadow = ProjectionRepository(self.conn, SHADOW)
        self.rebuilds = RebuildRepository(self.conn)
        return self

    async def claim_event(self, consumer: str, event_id) -> bool:
        # The writers' lock before the inbox row: the order a rebuild's swap takes them in (else the two could
        # each wait for the other).
        await self.projections.lock_writers()
        return await super().claim_event(consumer, event_id)

    async def claim_events(self, consumer: str, event_ids) -> set:
        await self.projections.lock_writers()  # as above
        return await super().claim_events(consumer, event_ids)
