"""Inspections (tilsyn) of providers without agreement: case workers, office leaders and admins record them."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from services.placement.domain import commands
from services.placement.entrypoints.answers import InspectionOut
from services.placement.entrypoints.deps import Bus, Inspector
from services.placement.entrypoints.schemas import InspectionIn

router = APIRouter(prefix="/api/providers", tags=["providers"])


@router.post("/{provider_id}/inspections", status_code=201, response_model=InspectionOut)
async def record_inspection(provider_id: UUID, body: InspectionIn, _user: Inspector, bus: Bus):
    i = await bus.handle(commands.RecordInspection(provider_id, body.inspected_on, body.result, body.next_due,
                                                   dict(body.checklist)))
    return InspectionOut(inspected_on=i.inspected_on, result=i.result, next_due=i.next_due)
