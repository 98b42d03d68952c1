"""Providers: everyone reads them; office leaders and admins register and change them."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from kit.paging import PageOut
from services.placement.domain import commands
from services.placement.entrypoints.answers import (
    ProviderOut,
    ProviderUnitOut,
    ProviderWithUnitsOut,
    planned_move_out,
)
from services.placement.entrypoints.deps import Bus, ProviderAdmin, Queries, Today, Viewer
from services.placement.entrypoints.lists import ProviderFiltersApi, ProviderPaging
from services.placement.entrypoints.schemas import ProviderIn

router = APIRouter(prefix="/api/providers", tags=["providers"])


def provider_command(body: ProviderIn) -> commands.RegisterProvider:
    a, lim = body.agreement, body.limits
    return commands.RegisterProvider(
        body.name, body.orgnr, body.kind, body.municipality, body.district, body.address, body.accommodation,
        a.kind, a.price_per_night, a.fixed_places, a.valid_from, a.valid_to, tuple(a.target_groups), lim.sex,
        lim.min_age, lim.max_age, lim.substance_free, body.email)


@router.get("", response_model=PageOut[ProviderWithUnitsOut])
async def list_providers(_user: Viewer, queries: Queries, paging: ProviderPaging, filters: ProviderFiltersApi,
                         today: Today):
    """One page of the providers with their units (`page`, `page_size` 1–200, default 50), by municipality and
    name unless `sort` says otherwise, narrowed by `municipality`, `target_group`, a part of the `name` and
    `agreement_in_force` (an agreement, not «uten avtale», in force today); `total` counts them all."""
    page = await queries.provider_page(paging, filters, today)
    shown = {p.id for p in page.items}
    units: dict[UUID, list[ProviderUnitOut]] = {}
    for r in [r for r in await queries.capacity(None) if r.provider_id in shown]:
        units.setdefault(r.provider_id, []).append(ProviderUnitOut(
            unit_id=r.unit_id, name=r.unit, beds=r.beds, address=r.address, facilities=r.facilities,
            occupied=r.occupied, planned_move_out=planned_move_out(r.planned_check_out, r.planned_destination)))
    return PageOut.of(page, lambda p: ProviderWithUnitsOut.of(p, units=units.get(p.id, [])))


@router.post("", status_code=201, response_model=ProviderOut)
async def register_provider(body: ProviderIn, _user: ProviderAdmin, bus: Bus):
    return ProviderOut.of(await bus.handle(provider_command(body)))


@router.put("/{provider_id}", response_model=ProviderOut)
async def change_provider(provider_id: UUID, body: ProviderIn, _user: ProviderAdmin, bus: Bus):
    return ProviderOut.of(await bus.handle(commands.ChangeProvider(provider_id, provider_command(body))))
