from kit.unit_of_work import UnitOfWork
from services.placement.adapters.repository import PlacementRepository


class PlacementUnitOfWork(UnitOfWork):
    repo: PlacementRepository

    async def __aenter__(self):
        await super().__aenter__()
        self.repo = PlacementRepository(self.conn)
        return self
