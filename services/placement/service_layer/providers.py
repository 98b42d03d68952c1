"""Placement's use cases for providers, units and inspections (the pages', the API's and the providers import's),
of the one handler shape `async def handler(cmd, uow, **deps)`."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from uuid import UUID

from services.placement.domain import commands, model, reference
from services.placement.domain.errors import PROVIDER_NOT_FOUND, UNIT_NOT_FOUND, NotFound
from services.placement.domain.offices import check_municipality
from services.placement.service_layer.unit_of_work import PlacementUnitOfWork as Uow

Now = Callable[[], datetime]


async def find_provider(uow: Uow, provider_id: UUID, *, for_update: bool = False) -> model.Provider:
    found = await uow.providers.get(provider_id, for_update=for_update)
    if found is None:
        raise NotFound(PROVIDER_NOT_FOUND, "provider_id")
    return found


async def find_unit(uow: Uow, unit_id: UUID, *, for_update: bool = False) -> model.Unit:
    found = await uow.providers.unit(unit_id, for_update=for_update)
    if found is None:
        raise NotFound(UNIT_NOT_FOUND, "unit_id")
    return found


def _details(cmd: commands.RegisterProvider, provider_id: UUID | None = None, slug: str | None = None) -> dict:
    return dict(
        name=cmd.name, orgnr=cmd.orgnr, kind=cmd.kind, municipality=cmd.municipality, district=cmd.district,
        address=cmd.address, accommodation=cmd.accommodation,
        agreement=model.Agreement(cmd.agreement_kind, cmd.price_per_night, cmd.fixed_places, cmd.valid_from,
                                  cmd.valid_to, tuple(cmd.target_groups)),
        limits=model.Limits(cmd.sex, cmd.min_age, cmd.max_age, cmd.substance_free), slug=slug,
        provider_id=provider_id, email=cmd.email)


async def register_provider(cmd: commands.RegisterProvider, uow: Uow, *,
                            municipalities: Collection[str]) -> model.Provider:
    check_municipality(cmd.municipality, municipalities)
    provider = model.new_provider(**_details(cmd))
    await uow.providers.add(provider)  # a taken org number: Conflict on `orgnr`
    return provider


async def change_provider(cmd: commands.ChangeProvider, uow: Uow, *,
                          municipalities: Collection[str]) -> model.Provider:
    check_municipality(cmd.details.municipality, municipalities)
    provider = await find_provider(uow, cmd.provider_id, for_update=True)
    provider.change_to(model.checked_provider(**_details(cmd.details, provider.id, provider.slug)))
    await uow.providers.save(provider)
    return provider


async def register_unit(cmd: commands.RegisterUnit, uow: Uow, *, now: Now) -> model.Unit:
    provider = await find_provider(uow, cmd.provider_id)
    unit = model.new_unit(provider, name=cmd.name, beds=cmd.beds, address=cmd.address, facilities=cmd.facilities)
    unit.record_capacity(provider, 0, now())
    await uow.providers.add_unit(unit)
    return unit


async def change_unit(cmd: commands.ChangeUnit, uow: Uow, *, now: Now) -> model.Unit:
    unit = await find_unit(uow, cmd.unit_id, for_update=True)
    unit.change(name=cmd.name, beds=cmd.beds, address=cmd.address, facilities=cmd.facilities)
    unit.record_capacity(await find_provider(uow, unit.provider_id), await uow.stays.households_in(unit.id), now())
    await uow.providers.save_unit(unit)
    return unit


async def record_inspection(cmd: commands.RecordInspection, uow: Uow) -> model.Inspection:
    provider = await find_provider(uow, cmd.provider_id)
    inspection = model.new_inspection(provider, inspected_on=cmd.inspected_on, result=cmd.result,
                                      next_due=cmd.next_due, checklist=cmd.checklist)
    await uow.providers.add_inspection(provider.id, inspection)
    return inspection


async def load_reference_providers(cmd: commands.LoadReferenceProviders, uow: Uow) -> int:
    """Register the reference providers, their units and inspections once, into an empty database."""
    if await uow.providers.any_registered():
        return 0
    found = reference.providers(cmd.reference)
    for r in found:
        await uow.providers.add(r.provider)
        if r.inspection is not None:
            await uow.providers.add_inspection(r.provider.id, r.inspection)
        for unit in r.units:
            await uow.providers.add_unit(unit)
    return len(found)
