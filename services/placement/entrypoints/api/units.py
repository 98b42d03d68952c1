"""Units (enhet/plass/hybel) of a provider: everyone reads the list of every provider's units; office leaders and
admins register and change them."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from kit.paging import PageOut
from services.placement.adapters.unit_list import UnitRow
from services.placement.domain import commands
from services.placement.entrypoints.answers import UnitChangedOut, UnitOut
from services.placement.entrypoints.deps import Bus, MunicipalityNames, ProviderAdmin, Queries, Today, Viewer
from services.placement.entrypoints.lists import UnitFiltersApi, UnitPaging
from services.placement.entrypoints.schemas import UnitChangeIn, UnitIn

router = APIRouter(prefix="/api", tags=["providers"])


class UnitListOut(BaseModel):
    unit_id: UUID
    name: str
    beds: int
    occupied: int = Field(description="Households in the unit now (a unit takes one).")
    free_beds: int = Field(description="Its beds when no one lives there now, else 0.")
    provider_id: UUID
    provider: str
    orgnr: str
    municipality: str
    municipality_name: str
    district: str | None
    agreement_kind: str
    agreement_in_force: bool = Field(description="An agreement (not «uten avtale») in force today.")
    target_groups: list[str]
    price_per_night: float | None
    inspected_on: date | None = Field(description="The provider's last inspection, if any.")
    inspection_result: str | None

    @classmethod
    def of(cls, r: UnitRow, names: dict[str, str]) -> UnitListOut:
        fields = {k: v for k, v in vars(r).items() if k not in ("unit", "price_per_night", "target_groups")}
        return cls(**fields, name=r.unit, municipality_name=names.get(r.municipality, r.municipality),
                   target_groups=list(r.target_groups),
                   price_per_night=float(r.price_per_night) if r.price_per_night is not None else None)


@router.get("/units", response_model=PageOut[UnitListOut])
async def list_units(_user: Viewer, queries: Queries, paging: UnitPaging, filters: UnitFiltersApi, today: Today,
                     names: MunicipalityNames):
    """One page of every provider's units (`page`, `page_size` 1–200, default 50), by provider and unit name
    unless `sort` says otherwise (`provider`, `unit`, `free_beds`, `price`; `-key` descending), narrowed by
    `municipality`, `provider` (a part of its name or its organisation number), `target_group`, `free_now`
    (free beds now) and `agreement_in_force` (an agreement, not «uten avtale», in force today); `total` counts
    them all."""
    page = await queries.unit_page(paging, filters, today)
    return PageOut.of(page, lambda r: UnitListOut.of(r, names))


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
