"""Placement's use cases: plain functions over a unit of work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import asyncpg

from kit.logging import get_logger
from services.placement.adapters.repository import facts_from_json
from services.placement.domain import commands, history, matching, model
from services.placement.service_layer.unit_of_work import PlacementUnitOfWork

log = get_logger(__name__)
CONSUMER = "placement"
UowFactory = Callable[[], PlacementUnitOfWork]
OfficeCheck = Callable[[str], None]


def _today() -> date:
    return datetime.now(UTC).date()


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Placed:
    stay: model.Stay
    match: matching.Match


async def record_decision(cmd: commands.RecordDecision, uow_factory: UowFactory) -> bool:
    """Keep a decision from intake. Idempotent: a redelivered event changes nothing. A granted decision that
    extends another one extends the household's open stay on that decision (forlengelse)."""
    async with uow_factory() as uow:
        if not await uow.claim_event(CONSUMER, cmd.event_id):
            return False
        decision = model.GrantedDecision(
            cmd.decision_id, cmd.household_id, cmd.office_id, cmd.municipality, cmd.district, cmd.outcome,
            cmd.period_from, cmd.period_to, facts_from_json(cmd.household), cmd.extends_decision_id,
            tuple(cmd.conditions))
        await uow.repo.upsert_decision(decision)
        if decision.extends_decision_id and decision.outcome == "granted":
            stay = await uow.repo.open_stay_of(decision.household_id, for_update=True)
            if stay is not None and stay.decision_id == decision.extends_decision_id:
                try:
                    await _extend(uow, stay, decision)
                except model.PlacementError as exc:
                    # The decision is kept; the case worker sees the stay still on the old period.
                    log.warning("extension_not_applied", stay_id=str(stay.id), reason=str(exc))
        await uow.commit()
        return True


async def _extend(uow: PlacementUnitOfWork, stay: model.Stay, decision: model.GrantedDecision) -> model.StayExtended:
    event = model.extend(stay, decision, at=_now(),
                         earlier_nights=await uow.repo.earlier_nights(stay.household_id, excluding=stay.id))
    await uow.repo.save_extension(stay, event.previous_authorised_to, event.at)
    uow.emit(event)
    return event


async def _decision_for(uow: PlacementUnitOfWork, decision_id: UUID, office_check: OfficeCheck):
    decision = await uow.repo.decision(decision_id)
    if decision is None:
        raise model.PlacementError("Fant ikke vedtaket (er det mottatt fra søknadsmottaket?).", "decision_id", 404)
    office_check(decision.office_id)
    return decision


async def find_places(cmd: commands.FindPlaces, uow_factory: UowFactory, office_check: OfficeCheck):
    """Matching: the places that fit, best first, and those left out with the reasons."""
    async with uow_factory() as uow:
        decision = await _decision_for(uow, cmd.decision_id, office_check)
        model.check_placeable(decision, cmd.check_in, household_has_open_stay=False)
        candidates = await uow.repo.candidates()
    fits, left_out = matching.match(decision, candidates, check_in=cmd.check_in, today=_today(),
                                    night_shelter=cmd.night_shelter)
    return decision, fits, left_out


async def _place(uow: PlacementUnitOfWork, decision: model.GrantedDecision, unit_id: UUID, check_in: date,
                 justification: str | None, *, night_shelter: bool = False, moved_from: model.Stay | None = None,
                 ) -> Placed:
    unit = await uow.repo.unit(unit_id)
    if unit is None:
        raise model.PlacementError("Fant ikke enheten.", "unit_id", 404)
    await uow.repo.lock_address(unit.address)
    unit = await uow.repo.unit_for_update(unit_id)
    [candidate] = await uow.repo.candidates(unit_id)
    m = matching.check_place(decision, candidate, check_in=check_in, today=_today(), justification=justification,
                             night_shelter=night_shelter)
    stay = model.place(decision, m.provider, unit, check_in=check_in, justification=justification,
                       earlier_nights=await uow.repo.earlier_nights(decision.household_id),
                       moved_from=moved_from.id if moved_from else None,
                       authorised_to=moved_from.authorised_to if moved_from else None)
    try:
        await uow.repo.add_stay(stay)
    except asyncpg.UniqueViolationError as exc:
        raise model.PlacementError("Husstanden ble nettopp plassert et annet sted.", "decision_id", 409) from exc
    uow.emit(model.HouseholdPlaced(stay, decision, m.provider, unit))
    uow.emit(model.CapacityChanged(m.provider, unit, 1, _now()))
    return Placed(stay, m)


async def place_household(cmd: commands.PlaceHousehold, uow_factory: UowFactory,
                          office_check: OfficeCheck) -> Placed:
    async with uow_factory() as uow:
        decision = await _decision_for(uow, cmd.decision_id, office_check)
        model.check_placeable(decision, cmd.check_in,
                              household_has_open_stay=await uow.repo.has_open_stay(decision.household_id))
        placed = await _place(uow, decision, cmd.unit_id, cmd.check_in, cmd.justification,
                              night_shelter=cmd.night_shelter)
        await uow.commit()
        return placed


async def extend_stay(cmd: commands.ExtendStay, uow_factory: UowFactory, office_check: OfficeCheck) -> model.Stay:
    async with uow_factory() as uow:
        stay = await _stay_for(uow, cmd.stay_id, office_check)
        decision = await _decision_for(uow, cmd.decision_id, office_check)
        await _extend(uow, stay, decision)
        await uow.commit()
        return stay


async def _stay_for(uow: PlacementUnitOfWork, stay_id: UUID, office_check: OfficeCheck) -> model.Stay:
    stay = await uow.repo.stay(stay_id, for_update=True)
    if stay is None:
        raise model.PlacementError("Fant ikke oppholdet.", "stay_id", 404)
    office_check(stay.office_id)
    return stay


async def _move_out(uow: PlacementUnitOfWork, stay: model.Stay, check_out: date, destination: str) -> None:
    event = model.move_out(stay, check_out=check_out, destination=destination)
    await uow.repo.save_move_out(stay)
    unit = await uow.repo.unit(stay.unit_id)
    provider = await uow.repo.provider(stay.provider_id)
    uow.emit(event)
    uow.emit(model.CapacityChanged(provider, unit, await uow.repo.occupied(unit.id), _now()))


async def move_out(cmd: commands.MoveOut, uow_factory: UowFactory, office_check: OfficeCheck) -> model.Stay:
    async with uow_factory() as uow:
        stay = await _stay_for(uow, cmd.stay_id, office_check)
        await _move_out(uow, stay, cmd.check_out, cmd.destination)
        await uow.commit()
        return stay


async def move_to_other_provider(cmd: commands.MoveToOtherProvider, uow_factory: UowFactory,
                                 office_check: OfficeCheck) -> Placed:
    """A move is a move-out (destination: another provider) and a placement, in one transaction."""
    async with uow_factory() as uow:
        stay = await _stay_for(uow, cmd.stay_id, office_check)
        if cmd.unit_id == stay.unit_id:
            raise model.PlacementError("Husstanden bor allerede i denne enheten.", "unit_id")
        decision = await _decision_for(uow, stay.decision_id, office_check)
        if not stay.check_in < cmd.moved_on <= stay.authorised_to:
            raise model.PlacementError(f"Flyttedatoen må være etter innflyttingen ({stay.check_in}) og innen "
                                       f"vedtaksperioden (til {stay.authorised_to}).", "moved_on")
        await _move_out(uow, stay, cmd.moved_on, "moved_to_other_provider")
        placed = await _place(uow, decision, cmd.unit_id, cmd.moved_on, cmd.justification, moved_from=stay)
        await uow.commit()
        return placed


# --- providers, units, inspections ---------------------------------------------------------------------------

def _provider_from(cmd: commands.RegisterProvider, provider_id: UUID | None = None,
                   slug: str | None = None) -> model.Provider:
    return model.new_provider(
        name=cmd.name, orgnr=cmd.orgnr, kind=cmd.kind, municipality=cmd.municipality, district=cmd.district,
        address=cmd.address, accommodation=cmd.accommodation,
        agreement=model.Agreement(cmd.agreement_kind, cmd.price_per_night, cmd.fixed_places, cmd.valid_from,
                                  cmd.valid_to, tuple(cmd.target_groups)),
        limits=model.Limits(cmd.sex, cmd.min_age, cmd.max_age, cmd.substance_free), slug=slug,
        provider_id=provider_id)


async def _orgnr_must_be_free(uow: PlacementUnitOfWork, orgnr: str, other_than: UUID | None = None) -> None:
    if await uow.repo.orgnr_taken(orgnr, other_than=other_than):
        raise model.PlacementError("En tilbyder med dette organisasjonsnummeret finnes allerede.", "orgnr", 409)


async def register_provider(cmd: commands.RegisterProvider, uow_factory: UowFactory) -> model.Provider:
    provider = _provider_from(cmd)
    async with uow_factory() as uow:
        await _orgnr_must_be_free(uow, provider.orgnr)
        await uow.repo.add_provider(provider)
        uow.emit(model.ProviderRegistered(provider))
        await uow.commit()
        return provider


async def change_provider(cmd: commands.ChangeProvider, uow_factory: UowFactory) -> model.Provider:
    async with uow_factory() as uow:
        old = await uow.repo.provider(cmd.provider_id, for_update=True)
        if old is None:
            raise model.PlacementError("Fant ikke tilbyderen.", "provider_id", 404)
        provider = _provider_from(cmd.details, old.id, old.slug)
        await _orgnr_must_be_free(uow, provider.orgnr, other_than=old.id)
        await uow.repo.save_provider(provider)
        uow.emit(model.ProviderChanged(provider))
        await uow.commit()
        return provider


async def register_unit(cmd: commands.RegisterUnit, uow_factory: UowFactory) -> model.Unit:
    async with uow_factory() as uow:
        provider = await uow.repo.provider(cmd.provider_id)
        if provider is None:
            raise model.PlacementError("Fant ikke tilbyderen.", "provider_id", 404)
        unit = model.new_unit(provider, name=cmd.name, beds=cmd.beds, address=cmd.address,
                              facilities=cmd.facilities)
        await uow.repo.add_unit(unit)
        uow.emit(model.UnitRegistered(unit))
        uow.emit(model.CapacityChanged(provider, unit, 0, _now()))
        await uow.commit()
        return unit


async def change_unit(cmd: commands.ChangeUnit, uow_factory: UowFactory) -> model.Unit:
    async with uow_factory() as uow:
        unit = await uow.repo.unit_for_update(cmd.unit_id)
        if unit is None:
            raise model.PlacementError("Fant ikke enheten.", "unit_id", 404)
        if cmd.beds is not None:
            model.check_beds(cmd.beds)
            unit.beds = cmd.beds
        if cmd.name is not None:
            if not cmd.name.strip():
                raise model.PlacementError("Navn på enheten må fylles ut.", "name")
            unit.name = cmd.name.strip()
        if cmd.facilities is not None:
            facilities = {**unit.facilities, **cmd.facilities}
            if facilities.get("kitchen") not in model.KITCHENS:
                raise model.PlacementError("Ugyldig kjøkken: velg own, shared eller none.", "facilities.kitchen")
            unit.facilities = facilities
        provider = await uow.repo.provider(unit.provider_id)
        await uow.repo.save_unit(unit)
        uow.emit(model.UnitChanged(unit))
        uow.emit(model.CapacityChanged(provider, unit, await uow.repo.occupied(unit.id), _now()))
        await uow.commit()
        return unit


async def record_inspection(cmd: commands.RecordInspection, uow_factory: UowFactory) -> model.Inspection:
    async with uow_factory() as uow:
        provider = await uow.repo.provider(cmd.provider_id)
        if provider is None:
            raise model.PlacementError("Fant ikke tilbyderen.", "provider_id", 404)
        inspection = model.new_inspection(provider, inspected_on=cmd.inspected_on, result=cmd.result,
                                          next_due=cmd.next_due, checklist=cmd.checklist)
        await uow.repo.add_inspection(provider.id, inspection)
        await uow.commit()
        return inspection


async def load_reference_providers(reference: dict, uow_factory: UowFactory) -> int:
    """Register the reference providers, their units and inspections once, into an empty database."""
    async with uow_factory() as uow:
        if await uow.repo.count_providers() > 0:
            return 0
        for p in reference["providers"]:
            a, lim = p["agreement"], p.get("limits") or {}
            price = a.get("price_per_night_nok")
            provider = model.new_provider(
                name=p["name"], orgnr=p["orgnr"], kind=p["kind"], municipality=p["municipality"],
                district=p.get("district"), address=p.get("address", ""), accommodation=p["accommodation"],
                agreement=model.Agreement(
                    a["kind"], Decimal(str(price)) if price is not None else None, int(a.get("fixed_places", 0)),
                    date.fromisoformat(a["valid_from"]) if a.get("valid_from") else None,
                    date.fromisoformat(a["valid_to"]) if a.get("valid_to") else None,
                    tuple(a.get("target_groups", ()))),
                limits=model.Limits(lim.get("sex"), lim.get("min_age"), lim.get("max_age"),
                                    bool(lim.get("substance_free"))),
                slug=p["id"])
            await uow.repo.add_provider(provider)
            uow.emit(model.ProviderRegistered(provider))
            if p.get("inspection"):
                i = p["inspection"]
                inspection = model.Inspection(date.fromisoformat(i["date"]), i["result"],
                                              date.fromisoformat(i["next_due"]),
                                              {k: v for k, v in i.items()
                                               if k not in ("date", "result", "next_due", "source")})
                await uow.repo.add_inspection(provider.id, inspection)
            for line in p["units"]:
                count = int(line.get("count", 1))
                facilities = {k: v for k, v in line.get("facilities", {}).items() if k != "source"}
                for i in range(1, count + 1):
                    name = line["name"] if count == 1 else f"{line['name']} – {i}"
                    unit = model.new_unit(provider, name=name, beds=int(line["beds"]), address=line.get("address"),
                                          facilities=facilities,
                                          slug=line.get("id") if count == 1 else f"{line.get('id')}-{i}")
                    await uow.repo.add_unit(unit)
                    uow.emit(model.UnitRegistered(unit))
        await uow.commit()
        return len(reference["providers"])


async def inspections_overdue(uow_factory: UowFactory, today: date) -> list:
    """Providers without agreement whose inspection is past due, missing or failed, with the households there."""
    async with uow_factory() as uow:
        return await uow.repo.inspections_due(today, -1)  # next due before today


# --- stay history import ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: list[UUID]
    already_imported: int
    rejected: list[history.RowError]
    written: bool
    dry_run: bool


async def import_stays(cmd: commands.ImportStays, uow_factory: UowFactory,
                       offices: dict[str, history.Office]) -> ImportResult:
    """Check every row first, then write every new stay and its events in one transaction. One bad row writes
    nothing unless `partial`; rows already imported (same stay id) are counted and left as they are."""
    today = _today()
    async with uow_factory() as uow:
        await uow.repo.lock_imports()
        index = history.ProviderIndex(await uow.repo.providers())
        errors: list[history.RowError] = []
        stays: list[history.ImportedStay] = []
        for line, row in cmd.rows:
            checked = history.check_row(line, row, offices=offices, providers=index, today=today)
            if isinstance(checked, history.RowError):
                errors.append(checked)
            elif cmd.only_office and checked.office.id != cmd.only_office:
                errors.append(history.RowError(line, f"raden gjelder {checked.office.name}; du kan bare importere "
                                                     "rader for ditt eget Nav-kontor", "office"))
            else:
                stays.append(checked)
        existing = await uow.repo.existing_stay_ids([s.stay_id for s in stays])
        good, clashes = history.check_together(
            stays, await uow.repo.stay_spans(list({s.household_id for s in stays})))
        errors += clashes
        new = [s for s in good if s.stay_id not in existing]
        errors += history.allocate_units(new, await uow.repo.units_with_households())
        bad_lines = {e.line for e in errors}
        new = [s for s in new if s.line not in bad_lines]
        errors.sort(key=lambda e: e.line)
        write = not cmd.dry_run and (cmd.partial or not errors)
        if write:
            now = _now()
            for s in new:
                stay = model.Stay(s.stay_id, s.household_id, s.decision_id, s.unit_id, s.provider.id, s.check_in,
                                  s.authorised_to, s.check_out, s.destination, None, s.office.id, s.municipality)
                decision = model.GrantedDecision(s.decision_id, s.household_id, s.office.id, s.municipality,
                                                 s.district, "granted", s.check_in, s.authorised_to, s.household)
                await uow.repo.add_imported_stay(stay, decision)
                unit = await uow.repo.unit(s.unit_id)
                uow.emit(history.StayImported(s, unit, today, now))
            await uow.commit()
        log.info("stays_imported", rows=len(cmd.rows), created=len(new) if write else 0,
                 already_imported=len(existing), rejected=len(errors), dry_run=cmd.dry_run, written=write)
        return ImportResult(len(cmd.rows), [s.stay_id for s in new] if write or cmd.dry_run else [],
                            len(existing), errors, write and bool(new), cmd.dry_run)
