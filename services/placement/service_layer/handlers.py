"""Placement's use cases, one handler per command, all of one shape: `async def handler(cmd, uow, **deps)`.

The message bus opens the unit of work, claims an incoming event in the inbox, calls the handler and commits;
a handler loads aggregates, asks the domain, and saves them. The aggregates record their own events. The
dependencies — the clock (`today`, `now`) and the municipalities of the reference data — are bound in
`bootstrap.py`, so a test can fix the date."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from kit.logging import get_logger
from services.placement.adapters.rows import facts_from_json
from services.placement.domain import commands, matching, model
from services.placement.domain.errors import (
    DECISION_NOT_FOUND,
    STAY_NOT_FOUND,
    Forbidden,
    NotFound,
    PlacementError,
    RuleBroken,
)
from services.placement.service_layer.imports import (
    finish_import_run,
    import_stays,
    start_import_run,
    write_import_run,
)
from services.placement.service_layer.provider_imports import import_providers
from services.placement.service_layer.providers import (
    change_provider,
    change_unit,
    find_provider,
    find_unit,
    load_reference_providers,
    record_inspection,
    register_provider,
    register_unit,
)
from services.placement.service_layer.unit_of_work import PlacementUnitOfWork as Uow

log = get_logger(__name__)
Today = Callable[[], date]
Now = Callable[[], datetime]


@dataclass(frozen=True)
class Placed:
    stay: model.Stay
    match: matching.Match


# --- decisions from intake ----------------------------------------------------------------------------------

async def record_decision(cmd: commands.RecordDecision, uow: Uow, *, now: Now) -> None:
    """Keep a decision from intake (the bus has claimed its event: a redelivery never gets here). A granted
    decision that extends another one extends the household's open stay on that decision (forlengelse)."""
    decision = model.GrantedDecision(
        cmd.decision_id, cmd.household_id, cmd.office_id, cmd.municipality, cmd.district, cmd.outcome,
        cmd.period_from, cmd.period_to, facts_from_json(cmd.household), cmd.extends_decision_id,
        tuple(cmd.conditions))
    await uow.decisions.add(decision)
    if decision.extends_decision_id and decision.outcome == "granted":
        stay = await uow.stays.open_of_household(decision.household_id, for_update=True)
        if stay is not None and stay.decision_id == decision.extends_decision_id:
            try:
                await _extend(uow, stay, decision, now())
            except PlacementError as exc:
                # The decision is kept; the case worker sees the stay still on the old period.
                log.warning("extension_not_applied", stay_id=str(stay.id), reason=str(exc))


async def _extend(uow: Uow, stay: model.Stay, decision: model.GrantedDecision, at: datetime, *,
                  by: str | None = None, by_name: str | None = None) -> None:
    event = stay.extend(decision, at=at,
                        earlier_nights=await uow.stays.earlier_nights(stay.household_id, excluding=stay.id))
    await uow.stays.save(stay)
    await uow.stays.add_extension(stay, event.previous_authorised_to, event.at)
    await _did(uow, stay, "extended", at, stay.authorised_to, by=by, by_name=by_name)


async def _did(uow: Uow, stay: model.Stay, action: str, at: datetime, on_date: date | None, *,
               destination: str | None = None, by: str | None = None, by_name: str | None = None) -> None:
    """The stay's history: who did what, when (in the transaction of the change itself)."""
    await uow.stays.add_action(model.StayAction(stay.id, action, at, on_date, destination, by, by_name))


async def _decision(uow: Uow, decision_id: UUID) -> model.GrantedDecision:
    decision = await uow.decisions.get(decision_id)
    if decision is None:
        raise NotFound(DECISION_NOT_FOUND, "decision_id")
    return decision


async def _stay(uow: Uow, stay_id: UUID) -> model.Stay:
    """The stay, locked for the change."""
    stay = await uow.stays.get(stay_id, for_update=True)
    if stay is None:
        raise NotFound(STAY_NOT_FOUND, "stay_id")
    return stay


# --- the stay's life cycle ----------------------------------------------------------------------------------

async def _place(uow: Uow, decision: model.GrantedDecision, unit_id: UUID, check_in: date,
                 justification: str | None, *, today: date, at: datetime, night_shelter: bool = False,
                 moved_from: model.Stay | None = None, by: str | None = None, by_name: str | None = None) -> Placed:
    unit = await find_unit(uow, unit_id)
    await uow.providers.lock_address(unit.address)
    unit = await find_unit(uow, unit_id, for_update=True)
    m = matching.check_place(decision, await uow.providers.candidate(unit_id), check_in=check_in, today=today,
                             justification=justification, night_shelter=night_shelter,
                             home=office.home if (office := await uow.offices.get(decision.office_id)) else None)
    stay = model.place(decision, m.provider, unit, check_in=check_in, at=at, justification=justification,
                       justified_rules=m.flag_codes,
                       earlier_nights=await uow.stays.earlier_nights(decision.household_id),
                       moved_from=moved_from.id if moved_from else None,
                       authorised_to=moved_from.authorised_to if moved_from else None, placed_by=by,
                       placed_by_name=by_name)
    await uow.stays.add(stay)
    await _did(uow, stay, "placed", at, check_in, by=by, by_name=by_name)
    return Placed(stay, m)


async def place_household(cmd: commands.PlaceHousehold, uow: Uow, *, today: Today, now: Now) -> Placed:
    decision = await _decision(uow, cmd.decision_id)
    model.check_placeable(decision, cmd.check_in,
                          household_has_open_stay=await uow.stays.household_has_open_stay(decision.household_id))
    return await _place(uow, decision, cmd.unit_id, cmd.check_in, cmd.justification, today=today(), at=now(),
                        night_shelter=cmd.night_shelter, by=cmd.by, by_name=cmd.by_name)


async def extend_stay(cmd: commands.ExtendStay, uow: Uow, *, now: Now) -> model.Stay:
    stay = await _stay(uow, cmd.stay_id)
    await _extend(uow, stay, await _decision(uow, cmd.decision_id), now(), by=cmd.by, by_name=cmd.by_name)
    return stay


async def _households_left(uow: Uow, stay: model.Stay) -> tuple[model.Provider, model.Unit, int]:
    """Where the stay is, and the households left in its unit once it ends."""
    return (await find_provider(uow, stay.provider_id), await find_unit(uow, stay.unit_id),
            await uow.stays.households_in(stay.unit_id, excluding=stay.id))


async def move_out(cmd: commands.MoveOut, uow: Uow, *, today: Today, now: Now) -> model.Stay:
    """Today or earlier: the household moves out now. Later: the move-out is planned (or its plan changed)."""
    stay = await _stay(uow, cmd.stay_id)
    provider, unit, left = await _households_left(uow, stay)
    at = now()
    planned = stay.register_move_out(check_out=cmd.check_out, destination=cmd.destination, today=today(),
                                     provider=provider, unit=unit, households_left=left, at=at)
    await uow.stays.save(stay)
    await _did(uow, stay, "move_out_planned" if planned else "moved_out", at, cmd.check_out,
               destination=cmd.destination, by=cmd.by, by_name=cmd.by_name)
    return stay


async def cancel_planned_move_out(cmd: commands.CancelPlannedMoveOut, uow: Uow, *, now: Now) -> model.Stay:
    stay = await _stay(uow, cmd.stay_id)
    planned, destination = stay.planned_check_out, stay.planned_destination
    stay.cancel_planned_move_out()
    await uow.stays.save(stay)
    await _did(uow, stay, "planned_move_out_cancelled", now(), planned, destination=destination, by=cmd.by,
               by_name=cmd.by_name)
    return stay


async def carry_out_planned_move_out(cmd: commands.CarryOutPlannedMoveOut, uow: Uow, *, today: Today,
                                     now: Now) -> bool:
    """On its day a planned move-out happens, with check-out on the planned date and the usual events. A
    second job (another process, a later round) finds nothing left to do."""
    stay = await _stay(uow, cmd.stay_id)
    if not stay.planned_move_out_due(today()):
        return False
    provider, unit, left = await _households_left(uow, stay)
    at = now()
    stay.carry_out_planned_move_out(today=today(), provider=provider, unit=unit, households_left=left, at=at)
    await uow.stays.save(stay)
    await _did(uow, stay, "moved_out", at, stay.check_out, destination=stay.destination)  # by placement itself
    log.info("planned_move_out_carried_out", stay_id=str(stay.id), check_out=str(stay.check_out))
    return True


async def move_to_other_provider(cmd: commands.MoveToOtherProvider, uow: Uow, *, today: Today,
                                 now: Now) -> Placed:
    """A move is a move-out (destination: another provider) and a placement, in one transaction."""
    stay = await _stay(uow, cmd.stay_id)
    if cmd.unit_id == stay.unit_id:
        raise RuleBroken("Husstanden bor allerede i denne enheten.", "unit_id")
    decision = await _decision(uow, stay.decision_id)
    provider, unit, left = await _households_left(uow, stay)
    day, at = today(), now()
    stay.leave_for_other_unit(moved_on=cmd.moved_on, today=day, provider=provider, unit=unit, households_left=left,
                              at=at)
    await uow.stays.save(stay)
    await _did(uow, stay, "moved", at, cmd.moved_on, destination=stay.destination, by=cmd.by, by_name=cmd.by_name)
    return await _place(uow, decision, cmd.unit_id, cmd.moved_on, cmd.justification, today=day, at=at,
                        moved_from=stay, by=cmd.by, by_name=cmd.by_name)


async def mark_seen(cmd: commands.MarkSeen, uow: Uow, *, now: Now) -> datetime:
    """A leader of the stay's office marks a queue item as seen (a second mark changes nothing)."""
    found = await uow.stays.of_queue_item(cmd.item_id)
    if found is None:
        raise NotFound("Fant ikke plasseringen eller forlengelsen.", "item_id")
    stay, kind = found
    if stay.office_id != cmd.office_id:
        raise Forbidden("Du har bare tilgang til ditt eget Nav-kontor.", "item_id")
    return await uow.stays.mark_seen(cmd.item_id, stay.id, kind, by=cmd.by, by_name=cmd.by_name, at=now())


HANDLERS = {
    commands.MarkSeen: mark_seen,
    commands.RecordDecision: record_decision,
    commands.PlaceHousehold: place_household,
    commands.ExtendStay: extend_stay,
    commands.MoveOut: move_out,
    commands.CancelPlannedMoveOut: cancel_planned_move_out,
    commands.CarryOutPlannedMoveOut: carry_out_planned_move_out,
    commands.MoveToOtherProvider: move_to_other_provider,
    commands.RegisterProvider: register_provider,
    commands.ChangeProvider: change_provider,
    commands.RegisterUnit: register_unit,
    commands.ChangeUnit: change_unit,
    commands.RecordInspection: record_inspection,
    commands.LoadReferenceProviders: load_reference_providers,
    commands.ImportStays: import_stays,
    commands.ImportProviders: import_providers,
    commands.StartImportRun: start_import_run,
    commands.WriteImportRun: write_import_run,
    commands.FinishImportRun: finish_import_run,
}
"""Command type → handler; `bootstrap.py` binds each handler's dependencies by name."""
