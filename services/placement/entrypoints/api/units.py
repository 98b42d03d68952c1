"""Units (enhet/plass/hybel) of a provider: office leaders and admins register and change them."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from services.placement.domain import commands
from services.placement.entrypoints.answers import UnitChangedOut, UnitOut
from services.placement.entrypoints.deps import Bus, ProviderAdmin
from services.placement.entrypoints.schemas import UnitChangeIn, UnitIn

router = APIRouter(prefix="/api", tags=["providers"])


@router.post("/providers/{provider_id}/units", status_code=201, response_model=UnitOut)
async def register_unit(provider_id: UUID, body: UnitIn, _user: ProviderAdmin, bus: Bus):
    unit = await bus.handle(commands.RegisterUnit(provider_id, body.name, body.beds, body.address,
                                                  body.facilities.model_dump(exclude_none=True)))
    return UnitOut(unit_id=unit.id, provider_id=unit.provider_id, name=unit.name, beds=unit.beds,
                   address=unit.address, facilities=unit.facilities)


@router.patch("/units/{unit_id}", response_model=UnitChangedOut)
async def change_unit(unit_id: UUID, body: UnitChangeIn, _user: ProviderAdmin, bus: Bus):
    unit = await bus.handle(commands.ChangeUnit(
        unit_id, body.name, body.beds, body.facilities.model_dump(exclude_none=True) if body.facilities else None))
    return UnitChangedOut(unit_id=unit.id, name=unit.name, beds=unit.beds, facilities=unit.facilities)
