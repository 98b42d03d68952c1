"""Pages: the office's cases, a new application with the household lookup, and a leader's transfer of a
household from another office. The lookup and the transfer take the identity number in a POST's body."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from kit.auth import CurrentUser, Role, require_role
from services.intake.domain.commands import LookupHousehold, TransferHousehold, ViewPeople
from services.intake.domain.errors import Conflict, RuleBroken
from services.intake.entrypoints.deps import WORKER_ROLES, Bus, Leader, Queries, Worker, actor_of
from services.intake.entrypoints.lists import CaseFiltersPage, CasePagingPage
from services.intake.entrypoints.mapping import receive_command
from services.intake.entrypoints.pages.common import (
    NEED_FLAGS,
    blank_to_none,
    domain_errors,
    form_errors,
    form_values,
    parse_dates,
    received_at,
    render,
)
from services.intake.entrypoints.schemas import ApplicationIn, LookupIn, TransferIn
from services.intake.service_layer.handlers import NOT_REGISTERED_NB

router = APIRouter(include_in_schema=False)
NEW_FORM = {"adults": "1", "channel": "in_person"}


def _new_page(request: Request, user, *, values=None, errors=None, lookup=None, lookup_done=False,
              transferred=None, status_code: int = 200, office_problem: str | None = None):
    return render(request, "new.html", status_code=status_code, user=user, values={**NEW_FORM, **(values or {})},
                  errors=errors or {}, lookup=lookup, lookup_done=lookup_done, transferred=transferred,
                  is_leader=user.role == Role.OFFICE_LEADER, office_problem=office_problem)


def office_problem(user, office) -> str | None:
    """Why the user cannot take applications at their office (not registered, or closed), or None."""
    if office is None:
        return NOT_REGISTERED_NB.format(office_id=user.office_id)
    return None if not office.closed else f"{office.name} er lagt ned og tar ikke imot nye søknader."


@router.get("/", response_class=HTMLResponse)
async def cases_page(request: Request, user: CurrentUser, queries: Queries, bus: Bus, paging: CasePagingPage,
                     filters: CaseFiltersPage):
    """The office's cases, one page of them with the filters' total; an administrator's part of intake is the
    office registry (the menu leads here). Only the names on the page shown are looked up (and audited)."""
    if user.role == Role.ADMIN:
        return RedirectResponse("/intake/offices", status_code=303)
    require_role(user, *WORKER_ROLES)
    result = await queries.case_list(user.office_id, paging, filters)
    rows = result.items
    office = await queries.office(user.office_id or "")
    people = await bus.handle(ViewPeople(actor_of(user), tuple(r.household_id for r in rows), "Saksliste")) \
        if rows else []
    return render(request, "cases.html", user=user, cases=rows, result=result, paging=paging,
                  filters=dict(request.query_params), all_cases=not filters.open_only, office=office,
                  people={p.household_id: p for p in people}, office_problem=office_problem(user, office))


@router.get("/applications/new", response_class=HTMLResponse)
async def new_application_page(request: Request, user: Worker, queries: Queries):
    return _new_page(request, user, office_problem=office_problem(user, await queries.office(user.office_id or "")))


@router.post("/lookup", response_class=HTMLResponse)
async def lookup_page(request: Request, user: Worker, bus: Bus):
    form = await form_values(request)
    number = form.get("lookup_identity_number", "").strip()
    purpose = form.get("lookup_purpose", "").strip()
    values = {"lookup_identity_number": number, "lookup_purpose": purpose}
    errors: dict[str, str] = {}
    history = None
    try:
        body = LookupIn(identity_number=number, purpose=purpose)
        history = await bus.handle(LookupHousehold(actor_of(user), body.identity_number, body.purpose))
    except ValidationError as exc:
        errors = form_errors(exc, prefix="lookup_")
    except RuleBroken as exc:
        errors = domain_errors(exc, prefix="lookup_", default="identity_number")
    if not errors:
        values["identity_number"] = number
        if history is not None:
            h = history.household
            values.update(name=h.name or "", phone=h.phone or "", address=h.address or "",
                          no_fixed_address="on" if h.no_fixed_address else "",
                          preferred_language=h.preferred_language or "", adults=str(h.adults),
                          children_birth_dates=", ".join(c.strftime("%d.%m.%Y") for c in h.children_birth_dates),
                          sex=str(h.needs.get("sex") or ""), **{k: "on" for k, _ in NEED_FLAGS if h.needs.get(k)})
    return _new_page(request, user, values=values, errors=errors, lookup=history, lookup_done=not errors,
                     status_code=422 if errors else 200)


@router.post("/applications/new", response_class=HTMLResponse)
async def create_application_page(request: Request, user: Worker, bus: Bus):
    form = await form_values(request)
    errors: dict[str, str] = {}
    try:
        children = parse_dates(form.get("children_birth_dates", ""))
    except ValueError as exc:
        errors["children_birth_dates"] = f"Ugyldig dato: «{exc}». Skriv dd.mm.åååå, skill med komma."
        children = []
    data = {
        "identity_number": form.get("identity_number", "").strip(), "name": form.get("name", "").strip(),
        "office_id": user.office_id or "", "channel": form.get("channel", "in_person"),
        "received_at": received_at(form.get("received_at")), "urgent": "urgent" in form,
        "children_birth_dates": children, "adults": form.get("adults") or "1",
        "phone": blank_to_none(form.get("phone")), "address": blank_to_none(form.get("address")),
        "no_fixed_address": "no_fixed_address" in form,
        "preferred_language": blank_to_none(form.get("preferred_language")),
        "provider_org_number": blank_to_none(form.get("provider_org_number")),
        "wishes": blank_to_none(form.get("wishes")), "notes": blank_to_none(form.get("notes")),
        "needs": {**{k: k in form for k, _ in NEED_FLAGS}, "sex": form.get("sex") or None},
    }
    body = None
    try:
        body = ApplicationIn.model_validate(data)
    except ValidationError as exc:
        errors = {**form_errors(exc), **errors}
    if body is not None and not errors:
        try:
            received = await bus.handle(receive_command(body, actor_of(user)))
            return RedirectResponse(f"/intake/applications/{received.application_id}", status_code=303)
        except (RuleBroken, Conflict) as exc:
            errors = domain_errors(exc)
    return _new_page(request, user, values=form, errors=errors, lookup_done=True, status_code=422)


@router.post("/households/transfer", response_class=HTMLResponse)
async def transfer_page(request: Request, user: Leader, bus: Bus):
    """A leader moves a household of another office to their own (the rule is in docs/intake.md)."""
    form = await form_values(request)
    values = {"transfer_identity_number": form.get("transfer_identity_number", "").strip(),
              "transfer_reason": form.get("transfer_reason", "")}
    try:
        body = TransferIn(identity_number=values["transfer_identity_number"], reason=values["transfer_reason"])
        moved = await bus.handle(TransferHousehold(actor_of(user), body.identity_number, None, body.reason))
    except ValidationError as exc:
        errors = form_errors(exc, prefix="transfer_")
    except (RuleBroken, Conflict) as exc:
        errors = domain_errors(exc, prefix="transfer_", default="identity_number")
    else:
        return _new_page(request, user, transferred=moved)
    return _new_page(request, user, values=values, errors=errors, status_code=422)
