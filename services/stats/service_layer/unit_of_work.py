from kit.unit_of_work import UnitOfWork
from services.stats.adapters.repository import StatsRepository


class StatsUnitOfWork(UnitOfWork):
    repo: StatsRepository

    async def __aenter__(self):
        await super().__aenter__()
        self.repo = StatsRepository(self.conn)
        return self
