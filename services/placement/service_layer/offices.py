"""Placement's projection of the offices: each of intake's office events, kept (the bus has claimed it)."""

from __future__ import annotations

from services.placement.domain.offices import RecordOffice
from services.placement.service_layer.unit_of_work import PlacementUnitOfWork


async def record_office(cmd: RecordOffice, uow: PlacementUnitOfWork) -> None:
    await uow.offices.record(cmd)


HANDLERS = {RecordOffice: record_office}
