from uuid import UUID

from botilbud.kit import outbox
from botilbud.kit.logging import current_correlation_id
from botilbud.kit.unit_of_work import UnitOfWork
from contracts import Envelope
from services.placement.adapters.repository import PlacementRepository


class PlacementUnitOfWork(UnitOfWork):
    repo: PlacementRepository

    async def __aenter__(self):
        await super().__aenter__()
        self.repo = PlacementRepository(self.conn)
        return self

    async def commit(self) -> list[Envelope]:
        """As the kit's commit, but a domain event that names its events' ids (`event_ids()`, imported history)
        keeps them: the same imported row always gives the same envelope ids, so every inbox drops a repeat."""
        envelopes = []
        for domain_event in self._events:
            ids: list[UUID] = list(domain_event.event_ids()) if hasattr(domain_event, "event_ids") else []
            for i, event in enumerate(self._translate(domain_event)):
                envelope = Envelope.wrap(event, source=f"/botilbud/{self.service}",
                                         correlation_id=current_correlation_id())
                if i < len(ids):
                    envelope = envelope.model_copy(update={"id": ids[i]})
                envelopes.append(envelope)
        if envelopes:
            await outbox.add(self.conn, self.service, envelopes, self._topic)
        await self._tx.commit()
        self._done = True
        self._events = []
        return envelopes
