"""Billing's unit of work: the repository on the transaction's connection; at commit, the events the
aggregates it loaded or added have recorded go to the outbox with the state change."""

from collections.abc import Iterable

from kit.unit_of_work import UnitOfWork
from services.billing.adapters.repository import BillingRepository


class BillingUnitOfWork(UnitOfWork):
    repo: BillingRepository

    async def __aenter__(self):
        await super().__aenter__()
        self.repo = BillingRepository(self.conn)
        return self

    def collect_new_events(self) -> Iterable:
        for aggregate in self.repo.seen:
            while aggregate.events:
                yield aggregate.events.pop(0)
