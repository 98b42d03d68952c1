"""Decisions waiting for a place, and finding and choosing a place (matching), for case workers and office
leaders of the decision's office."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from kit.auth import User
from services.placement.adapters.queries import PlacementQueries
from services.placement.domain import commands, matching, model
from services.placement.domain.errors import NotFound, PlacementError, RuleBroken
from services.placement.domain.geography import Nearness
from services.placement.entrypoints.deps import Bus, PlaceFilters, Queries, Today, Worker, decision_for
from services.placement.entrypoints.lists import STAY_STATUS_NB, StayFiltersPage, StayPagingPage
from services.placement.entrypoints.pages.common import (
    LongField,
    ShortField,
    form_date,
    people_of,
    render,
    safe_date,
    status_of,
)
from services.placement.entrypoints.schemas import DateText
from services.placement.service_layer import views

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

# The places page's sections, nearest first ("{district}" and "{municipality}": the office's).
SECTION_HEADINGS = {Nearness.HOME_DISTRICT: "I bydelen ({district})", Nearness.HOME: "I kommunen ({municipality})",
                    Nearness.NEAR: "I nabokommunene", Nearness.ELSEWHERE: "I andre kommuner"}


def form_unit(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise RuleBroken("Velg en plass.", "unit_id") from None


@router.get("/decisions")
async def decisions_page(request: Request, user: Worker, queries: Queries, today: Today, paging: StayPagingPage,
                         filters: StayFiltersPage):
    """The decisions waiting for a place, and one page of the office's stays (filtered); only the households on
    the page are looked up."""
    decisions = await queries.awaiting_place(user.office_id, today)
    result = await queries.stays_of_office(user.office_id, paging, filters, today)
    stays = result.items
    people = await people_of(request, [d.household_id for d in decisions] + [s.stay.household_id for s in stays],
                             "Plassering: vedtak som venter på plass, og oppholdene")
    return render(request, "decisions.html", {
        "user": user, "decisions": decisions, "stays": stays, "result": result, "paging": paging,
        "filters": dict(request.query_params), "providers": await queries.providers(),
        "stay_statuses": STAY_STATUS_NB, "today": today, "people": people})


async def places_page(request: Request, user: User, queries: PlacementQueries, today: date, decision_id: UUID,
                      check_in: date, night_shelter: bool, *, form: dict | None = None,
                      error: PlacementError | None = None, status_code: int = 200,
                      move_stay: model.Stay | None = None,
                      filters: matching.PlaceFilter = matching.PlaceFilter()) -> HTMLResponse:
    """The places for a decision on a day, nearest first and narrowed by the filters, with the placement (or
    move) form; a day outside the decision's period is shown as the error and the places of the nearest day in
    it instead."""
    decision = await decision_for(user, decision_id, queries)
    try:
        places = await views.find_places(queries, decision, check_in=check_in, today=today,
                                         night_shelter=night_shelter, filters=filters)
    except RuleBroken as exc:
        if exc.field != "check_in":
            raise
        error, status_code = error or exc, 422 if status_code == 200 else status_code
        form = {**(form or {}), "check_in": check_in.isoformat()}
        check_in = max(decision.period_from, min(today, decision.period_to or decision.period_from))
        places = await views.find_places(queries, decision, check_in=check_in, today=today,
                                         night_shelter=night_shelter, filters=filters)
    people = await people_of(request, [decision.household_id],
                             "Plassering: flytte husstanden" if move_stay else "Plassering: finne plass")
    office = await queries.office(decision.office_id)
    fits = views.group_matches(places.fits)
    return render(request, "places.html", {
        "user": user, "decision": decision, "people": people, "fits": fits, "sections": views.by_nearness(fits),
        "home": office.home if office else matching.home_of(decision), "office": office,
        "headings": SECTION_HEADINGS,
        "left_out": views.group_matches(places.left_out), "places": places, "filters": filters,
        "target_groups": matching.TARGET_GROUP_NB, "check_in": check_in, "night_shelter": night_shelter,
        "form": form or {}, "error": error, "move_stay": move_stay, "today": today}, status_code=status_code)


@router.get("/decisions/{decision_id}/places")
async def find_places_page(request: Request, decision_id: UUID, user: Worker, queries: Queries, today: Today,
                           filters: PlaceFilters, check_in: DateText = None, night_shelter: bool = False):
    day = safe_date(check_in, today)
    if not check_in:  # first visit: today, or the decision's first night if it lies ahead
        d = await queries.decision(decision_id)
        if d is not None and d.period_from and d.period_to:
            day = max(d.period_from, min(day, d.period_to))
    return await places_page(request, user, queries, today, decision_id, day, night_shelter, filters=filters)


@router.post("/decisions/{decision_id}/place")
async def place_form(request: Request, decision_id: UUID, user: Worker, queries: Queries, bus: Bus, today: Today,
                     unit_id: ShortField = "", check_in: ShortField = "", justification: LongField = "",
                     night_shelter: bool = Form(False)):
    await decision_for(user, decision_id, queries)
    form = {"unit_id": unit_id, "justification": justification}
    try:
        day = form_date(check_in, "check_in", "Innflyttingsdato")
        if not unit_id:
            raise RuleBroken("Velg en plass.", "unit_id")
        placed = await bus.handle(commands.PlaceHousehold(decision_id, form_unit(unit_id), day,
                                                          justification or None, night_shelter, user.username,
                                                          user.name or None))
    except PlacementError as exc:
        if isinstance(exc, NotFound) and exc.field == "decision_id":
            raise
        return await places_page(request, user, queries, today, decision_id, safe_date(check_in, today),
                                 night_shelter, form=form, error=exc, status_code=status_of(exc))
    return RedirectResponse(f"/placement/stays/{placed.stay.id}?placed=1", status_code=303)
