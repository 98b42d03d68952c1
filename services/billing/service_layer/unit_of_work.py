from kit.unit_of_work import UnitOfWork
from services.billing.adapters.repository import BillingRepository


class BillingUnitOfWork(UnitOfWork):
    repo: BillingRepository

    async def __aenter__(self):
        await super().__aenter__()
        self.repo = BillingRepository(self.conn)
        return self
