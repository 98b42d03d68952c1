"""Pages of the office registry, for administrators: the list, the form to register an office or change one,
and closing one. A whole file goes in with `botilbud offices import` (or the API)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from services.intake.domain.commands import ChangeOffice, CloseOffice, RegisterOffice
from services.intake.domain.errors import Conflict, NotFound, RuleBroken
from services.intake.entrypoints.deps import Admin, Bus, Municipalities, Queries, actor_of
from services.intake.entrypoints.mapping import office_details
from services.intake.entrypoints.pages.common import blank_to_none, domain_errors, form_errors, form_values, render
from services.intake.entrypoints.schemas import OfficeIn

router = APIRouter(include_in_schema=False)
DONE_NB = {"registrert": "Kontoret er registrert.", "endret": "Endringene er lagret.",
           "uendret": "Ingenting var endret.", "lagt-ned": "Kontoret er lagt ned."}
FIELDS = ("name", "municipality", "district", "address", "phone", "email")


def _form(request: Request, user, municipalities, *, office=None, values=None, errors=None, status_code=200):
    return render(request, "office_form.html", status_code=status_code, user=user, office=office,
                  values=values or {}, errors=errors or {}, municipalities=municipalities)


def _values_of(office) -> dict:
    return {**{k: getattr(office, k) or "" for k in FIELDS}, "second_approval": "on" if office.second_approval
            else ""}


def _body(form: dict) -> OfficeIn:
    return OfficeIn.model_validate({**{k: blank_to_none(form.get(k)) for k in FIELDS},
                                    "name": (form.get("name") or "").strip(),
                                    "municipality": (form.get("municipality") or "").strip(),
                                    "second_approval": "second_approval" in form})


def _to_list(office_id: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/intake/offices?{done}={office_id}", status_code=303)


@router.get("/offices", response_class=HTMLResponse)
async def offices_page(request: Request, user: Admin, queries: Queries, municipalities: Municipalities):
    done = next(((DONE_NB[k], request.query_params[k]) for k in DONE_NB if k in request.query_params), None)
    return render(request, "offices.html", user=user, offices=await queries.offices(),
                  municipalities=municipalities, done=done)


@router.get("/offices/new", response_class=HTMLResponse)
async def new_office_page(request: Request, user: Admin, municipalities: Municipalities):
    return _form(request, user, municipalities)


@router.post("/offices/new", response_class=HTMLResponse)
async def register_office_page(request: Request, user: Admin, bus: Bus, municipalities: Municipalities):
    form = await form_values(request)
    try:
        office = await bus.handle(RegisterOffice(actor_of(user), office_details(_body(form))))
    except ValidationError as exc:
        errors = form_errors(exc)
    except (RuleBroken, Conflict) as exc:
        errors = domain_errors(exc)
    else:
        return _to_list(office.id, "registrert")
    return _form(request, user, municipalities, values=form, errors=errors, status_code=422)


async def _office(queries: Queries, office_id: str):
    office = await queries.office(office_id[:64])
    if office is None:
        raise NotFound("Fant ikke Nav-kontoret.", "office_id")
    return office


@router.get("/offices/{office_id}", response_class=HTMLResponse)
async def office_page(request: Request, office_id: str, user: Admin, queries: Queries,
                      municipalities: Municipalities):
    office = await _office(queries, office_id)
    return _form(request, user, municipalities, office=office, values=_values_of(office))


@router.post("/offices/{office_id}", response_class=HTMLResponse)
async def change_office_page(request: Request, office_id: str, user: Admin, bus: Bus, queries: Queries,
                             municipalities: Municipalities):
    office = await _office(queries, office_id)
    form = await form_values(request)
    before = _values_of(office)
    try:
        changed = await bus.handle(ChangeOffice(actor_of(user), office.id, office_details(_body(form))))
    except ValidationError as exc:
        errors = form_errors(exc)
    except (RuleBroken, Conflict) as exc:
        errors = domain_errors(exc)
    else:
        return _to_list(changed.id, "endret" if _values_of(changed) != before else "uendret")
    return _form(request, user, municipalities, office=office, values=form, errors=errors, status_code=422)


@router.post("/offices/{office_id}/close", response_class=HTMLResponse)
async def close_office_page(request: Request, office_id: str, user: Admin, bus: Bus, queries: Queries,
                            municipalities: Municipalities):
    office = await _office(queries, office_id)
    form = await form_values(request)
    if "confirm" not in form:
        return _form(request, user, municipalities, office=office, values=_values_of(office), status_code=422,
                     errors={"confirm": "Kryss av for at du vil legge ned kontoret."})
    try:
        await bus.handle(CloseOffice(actor_of(user), office.id))
    except Conflict as exc:
        return _form(request, user, municipalities, office=office, values=_values_of(office), status_code=409,
                     errors={"confirm": str(exc)})
    return _to_list(office.id, "lagt-ned")
