"""Stays: place a household, follow the stay (extend, move, move out, a planned move-out changed or cancelled).
Case workers and office leaders, their own office's stays only."""

from __future__ import annotations

from fastapi import APIRouter

from kit.paging import PageOut
from services.placement.domain import commands
from services.placement.entrypoints.answers import (
    ExtensionOut,
    MoveOutOut,
    PlacedOut,
    StayListOut,
    StayOut,
    StayWithExtensionsOut,
)
from services.placement.entrypoints.deps import Bus, Queries, Today, VisibleStay, Worker, decision_for
from services.placement.entrypoints.lists import StayFiltersApi, StayPaging
from services.placement.entrypoints.schemas import ExtendIn, MoveIn, MoveOutIn, PlacementIn

router = APIRouter(prefix="/api/stays", tags=["stays"])


@router.post("", status_code=201, response_model=PlacedOut)
async def place(body: PlacementIn, user: Worker, queries: Queries, bus: Bus):
    await decision_for(user, body.decision_id, queries)
    placed = await bus.handle(commands.PlaceHousehold(body.decision_id, body.unit_id, body.check_in,
                                                      body.justification, body.night_shelter, user.username,
                                                      user.name or None))
    return PlacedOut.of(placed.stay, flags=[f.message for f in placed.match.flags])


@router.get("", response_model=PageOut[StayListOut])
async def office_stays(user: Worker, queries: Queries, paging: StayPaging, filters: StayFiltersApi, today: Today):
    """One page of the office's stays (`page`, `page_size` 1–200, default 50), open ones first, newest check-in
    first, unless `sort` says otherwise; narrowed by `status` (ongoing, planned: moves in later, ended) and
    `provider_id`; `total` counts them all."""
    return PageOut.of(await queries.stays_of_office(user.office_id, paging, filters, today), StayListOut.of)


@router.get("/{stay_id}", response_model=StayWithExtensionsOut)
async def get_stay(stay: VisibleStay, queries: Queries):
    extensions = [ExtensionOut(**vars(e)) for e in await queries.extensions_of(stay.id)]
    return StayWithExtensionsOut.of(stay, extensions=extensions)


@router.post("/{stay_id}/extend", response_model=StayOut)
async def extend(stay: VisibleStay, body: ExtendIn, user: Worker, queries: Queries, bus: Bus):
    await decision_for(user, body.decision_id, queries)
    return StayOut.of(await bus.handle(commands.ExtendStay(stay.id, body.decision_id, user.username,
                                                                user.name or None)))


@router.post("/{stay_id}/move", status_code=201, response_model=StayOut)
async def move(stay: VisibleStay, body: MoveIn, user: Worker, bus: Bus):
    """Move to another unit: the old stay ends (moved_to_other_provider) and a new one begins, on a day that has
    come (a move is not planned ahead)."""
    placed = await bus.handle(commands.MoveToOtherProvider(stay.id, body.unit_id, body.moved_on,
                                                           body.justification, user.username, user.name or None))
    return StayOut.of(placed.stay)


@router.post("/{stay_id}/move-out", response_model=MoveOutOut)
async def move_out(stay: VisibleStay, body: MoveOutIn, user: Worker, bus: Bus):
    """Check-out today or earlier: the household has moved out. A later day plans the move-out (BRIEF §4): the
    unit stays taken and the stay open until that day, when placement carries it out by itself; posting again
    changes the plan."""
    return MoveOutOut.of(await bus.handle(commands.MoveOut(stay.id, body.check_out, body.destination,
                                                                    user.username, user.name or None)))


@router.delete("/{stay_id}/planned-move-out", response_model=StayOut)
async def cancel_planned_move_out(stay: VisibleStay, user: Worker, bus: Bus):
    """Cancel a planned move-out: the household stays."""
    return StayOut.of(await bus.handle(commands.CancelPlannedMoveOut(stay.id, user.username, user.name or None)))
