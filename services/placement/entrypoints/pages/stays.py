"""A stay's page and its forms: extend, move to another unit, move out (now, or planned for a later day, which
can be changed and cancelled). Case workers and office leaders of the stay's office."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from kit.auth import User
from kit.formatting import date_nb
from services.placement.adapters.queries import PlacementQueries
from services.placement.domain import commands, model
from services.placement.domain.errors import PlacementError, RuleBroken
from services.placement.entrypoints.deps import (
    Bus,
    PlaceFilters,
    Queries,
    Today,
    VisibleStay,
    Worker,
    decision_for,
    stay_for,
)
from services.placement.entrypoints.pages.common import (
    LongField,
    ShortField,
    form_date,
    people_of,
    render,
    safe_date,
    status_of,
)
from services.placement.entrypoints.pages.decisions import form_unit, places_page
from services.placement.entrypoints.schemas import DateText, Notice

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


async def stay_page(request: Request, user: User, queries: PlacementQueries, today: date, stay_id: UUID, *,
                    error: PlacementError | None = None, form: dict | None = None, status_code: int = 200,
                    notice: str | None = None) -> HTMLResponse:
    stay = await stay_for(user, stay_id, queries)
    later = [d for d in await queries.decisions_of(stay.household_id)
             if d.outcome == "granted" and d.period_to and d.period_to > stay.authorised_to]
    moved_from = await queries.stay(stay.moved_from_stay_id) if stay.moved_from_stay_id else None
    moved_to = await queries.moved_to(stay_id) if stay.destination == "moved_to_other_provider" else None
    return render(request, "stay.html", {
        "user": user, "stay": stay, "people": await people_of(request, [stay.household_id], "Plassering: oppholdet"),
        "provider": await queries.provider(stay.provider_id),
        "moved_from": moved_from, "moved_to": moved_to,
        "moved_from_provider": await queries.provider(moved_from.provider_id) if moved_from else None,
        "moved_to_provider": await queries.provider(moved_to.provider_id) if moved_to else None,
        "unit": await queries.unit(stay.unit_id), "decision": await queries.decision(stay.decision_id),
        "later_decisions": later, "extensions": await queries.extensions_of(stay_id), "error": error,
        "form": form or {}, "notice": notice, "today": today, "nights": stay.nights_until(today)},
        status_code=status_code)


@router.get("/stays/{stay_id}")
async def stay_view(request: Request, stay: VisibleStay, user: Worker, queries: Queries, today: Today,
                    placed: Notice = 0):
    return await stay_page(request, user, queries, today, stay.id,
                           notice="Husstanden er plassert." if placed else None)


@router.post("/stays/{stay_id}/extend")
async def extend_form(request: Request, stay: VisibleStay, user: Worker, queries: Queries, bus: Bus, today: Today,
                      decision_id: ShortField = ""):
    try:
        try:
            new = UUID(decision_id)
        except ValueError:
            raise RuleBroken("Velg det nye vedtaket.", "decision_id") from None
        await decision_for(user, new, queries)
        await bus.handle(commands.ExtendStay(stay.id, new, user.username, user.name or None))
    except PlacementError as exc:
        return await stay_page(request, user, queries, today, stay.id, error=exc, form={"decision_id": decision_id},
                               status_code=status_of(exc))
    return await stay_page(request, user, queries, today, stay.id, notice="Oppholdet er forlenget.")


@router.post("/stays/{stay_id}/move-out")
async def move_out_form(request: Request, stay: VisibleStay, user: Worker, queries: Queries, bus: Bus,
                        today: Today, check_out: ShortField = "", destination: ShortField = ""):
    """Register a move-out; a date after today plans it (or changes the plan)."""
    form = {"check_out": check_out, "destination": destination}
    try:
        day = form_date(check_out, "check_out", "Utflyttingsdato")
        if destination not in model.MOVE_OUT_DESTINATIONS:
            raise RuleBroken("Velg hvor husstanden flyttet.", "destination")
        after = await bus.handle(commands.MoveOut(stay.id, day, destination, user.username,
                                                          user.name or None))
    except PlacementError as exc:
        return await stay_page(request, user, queries, today, stay.id, error=exc, form=form,
                               status_code=status_of(exc))
    notice = ("Utflytting er registrert." if after.check_out else
              f"Utflyttingen er planlagt til {date_nb(after.planned_check_out)}. Enheten er opptatt til da.")
    return await stay_page(request, user, queries, today, stay.id, notice=notice)


@router.post("/stays/{stay_id}/planned-move-out/cancel")
async def cancel_planned_move_out_form(request: Request, stay: VisibleStay, user: Worker, queries: Queries,
                                       bus: Bus, today: Today):
    try:
        await bus.handle(commands.CancelPlannedMoveOut(stay.id, user.username, user.name or None))
    except PlacementError as exc:
        return await stay_page(request, user, queries, today, stay.id, error=exc, status_code=status_of(exc))
    return await stay_page(request, user, queries, today, stay.id, notice="Den planlagte utflyttingen er avlyst.")


@router.get("/stays/{stay_id}/move")
async def move_page(request: Request, stay: VisibleStay, user: Worker, queries: Queries, today: Today,
                    filters: PlaceFilters, moved_on: DateText = None):
    return await places_page(request, user, queries, today, stay.decision_id, safe_date(moved_on, today), False,
                             move_stay=stay, filters=filters)


@router.post("/stays/{stay_id}/move")
async def move_form(request: Request, stay: VisibleStay, user: Worker, queries: Queries, bus: Bus, today: Today,
                    unit_id: ShortField = "", check_in: ShortField = "", justification: LongField = ""):
    try:
        day = form_date(check_in, "check_in", "Flyttedato")
        if not unit_id:
            raise RuleBroken("Velg en plass.", "unit_id")
        placed = await bus.handle(commands.MoveToOtherProvider(stay.id, form_unit(unit_id), day,
                                                               justification or None, user.username,
                                                               user.name or None))
    except PlacementError as exc:
        if exc.field == "moved_on":  # the form's field for the day of the move
            exc.field = "check_in"
        return await places_page(request, user, queries, today, stay.decision_id, safe_date(check_in, today),
                                 False, form={"unit_id": unit_id, "justification": justification}, error=exc,
                                 status_code=status_of(exc), move_stay=stay)
    return RedirectResponse(f"/placement/stays/{placed.stay.id}?placed=1", status_code=303)
