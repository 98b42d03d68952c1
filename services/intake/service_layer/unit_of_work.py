from kit.unit_of_work import UnitOfWork
from services.intake.adapters.identity import IdentityProtector
from services.intake.adapters.repository import IntakeRepository


class IntakeUnitOfWork(UnitOfWork):
    repo: IntakeRepository

    def __init__(self, pool, *, protector: IdentityProtector, **kwargs):
        super().__init__(pool, **kwargs)
        self.protector = protector

    async def __aenter__(self):
        await super().__aenter__()
        self.repo = IntakeRepository(self.conn, self.protector)
        return self
