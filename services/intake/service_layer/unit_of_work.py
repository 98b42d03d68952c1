from botilbud.kit.unit_of_work import UnitOfWork
from services.intake.adapters.repository import IntakeRepository


class IntakeUnitOfWork(UnitOfWork):
    repo: IntakeRepository

    async def __aenter__(self):
        await super().__aenter__()
        self.repo = IntakeRepository(self.conn)
        return self
