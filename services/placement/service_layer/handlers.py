"""Placement's use cases: plain functions over a unit of work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from services.placement.domain import model
from services.placement.domain.commands import MoveOut, PlaceHousehold, RecordDecision
from services.placement.service_layer.unit_of_work import PlacementUnitOfWork

CONSUMER = "placement"
UowFactory = Callable[[], PlacementUnitOfWork]


async def record_decision(cmd: RecordDecision, uow_factory: UowFactory) -> bool:
    """Keep a decision from intake. Idempotent: a redelivered event changes nothing."""
    async with uow_factory() as uow:
        if not await uow.claim_event(CONSUMER, cmd.event_id):
            return False
        h = cmd.household
        facts = model.HouseholdFacts(
            date.fromisoformat(str(h["applicant_birth_date"])),
            tuple(date.fromisoformat(str(c)) for c in h.get("children_birth_dates", [])),
            int(h.get("adults", 1)), dict(h.get("needs", {})))
        await uow.repo.upsert_decision(model.GrantedDecision(
            cmd.decision_id, cmd.household_id, cmd.office_id, cmd.municipality, cmd.district, cmd.outcome,
            cmd.period_from, cmd.period_to, facts))
        await uow.commit()
        return True


async def place_household(cmd: PlaceHousehold, uow_factory: UowFactory,
                          office_check: Callable[[str], None]) -> UUID:
    async with uow_factory() as uow:
        decision = await uow.repo.decision(cmd.decision_id)
        if decision is None:
            raise model.PlacementError("Fant ikke vedtaket (er det mottatt fra søknadsmottaket?).",
                                       "decision_id", 404)
        office_check(decision.office_id)
        unit = await uow.repo.unit_for_update(cmd.unit_id)
        if unit is None:
            raise model.PlacementError("Fant ikke enheten.", "unit_id", 404)
        provider = await uow.repo.provider(unit.provider_id)
        stay = model.place(
            decision, provider, unit, occupied=await uow.repo.occupied(unit.id), check_in=cmd.check_in,
            household_has_open_stay=await uow.repo.has_open_stay(decision.household_id),
            justification=cmd.justification)
        await uow.repo.add_stay(stay)
        uow.emit(model.HouseholdPlaced(stay, decision, provider, unit))
        uow.emit(model.CapacityChanged(provider, unit, await uow.repo.occupied(unit.id), datetime.now(UTC)))
        await uow.commit()
        return stay.id


async def move_out(cmd: MoveOut, uow_factory: UowFactory, office_check: Callable[[str], None]) -> None:
    async with uow_factory() as uow:
        stay = await uow.repo.stay_for_update(cmd.stay_id)
        if stay is None:
            raise model.PlacementError("Fant ikke oppholdet.", "stay_id", 404)
        decision = await uow.repo.decision(stay.decision_id)
        office_check(decision.office_id)
        event = model.move_out(stay, check_out=cmd.check_out, destination=cmd.destination)
        await uow.repo.save_move_out(stay)
        unit = await uow.repo.unit_for_update(stay.unit_id)
        provider = await uow.repo.provider(stay.provider_id)
        uow.emit(event)
        uow.emit(model.CapacityChanged(provider, unit, await uow.repo.occupied(unit.id), datetime.now(UTC)))
        await uow.commit()


async def load_reference_providers(reference: dict, uow_factory: UowFactory) -> int:
    """Register the reference providers and their units once, into an empty database."""
    async with uow_factory() as uow:
        if await uow.repo.count_providers() > 0:
            return 0
        for p in reference["providers"]:
            agreement = p["agreement"]
            price = agreement.get("price_per_night_nok")
            provider = model.Provider(
                uuid4(), p["name"], p["orgnr"], p["kind"], p["municipality"], p.get("district"),
                p["accommodation"], agreement["kind"],
                Decimal(str(price)) if price is not None else None, int(agreement.get("fixed_places", 0)))
            await uow.repo.add_provider(provider, {k: p.get(k) for k in ("limits", "inspection", "address")}
                                        | {"agreement": agreement, "slug": p["id"]})
            uow.emit(model.ProviderRegistered(provider))
            for line in p["units"]:
                count = int(line.get("count", 1))
                for i in range(1, count + 1):
                    name = line["name"] if count == 1 else f"{line['name']} – {i}"
                    unit = model.Unit(uuid4(), provider.id, name, int(line["beds"]), p.get("address", ""),
                                      dict(line.get("facilities", {})))
                    await uow.repo.add_unit(unit)
                    uow.emit(model.UnitRegistered(unit))
        await uow.commit()
        return len(reference["providers"])
