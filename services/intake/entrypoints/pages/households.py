"""Pages: the office's households (one page of them), the household's case — its history at the user's
office, with placement's stays and billing's requisitions and invoice lines in one timeline — and the leader's
audit log.

The case page is the household page (not a new view): it is already the one page per household, scoped to the
offices that worked with it, and links from the other services need only the household id."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kit import clock
from kit.auth import request_token
from services.intake.domain.commands import ViewHousehold, ViewPeople
from services.intake.domain.timeline import timeline
from services.intake.entrypoints.deps import AuditReader, Bus, Queries, VisibleHousehold, Worker, actor_of
from services.intake.entrypoints.lists import (
    AuditFiltersPage,
    AuditPagingPage,
    HouseholdFiltersPage,
    HouseholdPagingPage,
)
from services.intake.entrypoints.pages.common import render

router = APIRouter(include_in_schema=False)


@router.get("/households", response_class=HTMLResponse)
async def households_page(request: Request, user: Worker, queries: Queries, bus: Bus, paging: HouseholdPagingPage,
                          filters: HouseholdFiltersPage):
    """The office's households, one page of them with the filters' total. As on the case list, only the names
    on the page shown are looked up (and audited)."""
    result = await queries.household_list(user.office_id or "", paging, filters)
    rows = result.items
    people = await bus.handle(ViewPeople(actor_of(user), tuple(r.household_id for r in rows), "Husstandsliste")) \
        if rows else []
    return render(request, "households.html", user=user, households=rows, result=result, paging=paging,
                  filters=dict(request.query_params), office=await queries.office(user.office_id or ""),
                  people={p.household_id: p for p in people})


@router.get("/households/{household_id}", response_class=HTMLResponse)
async def household_page(request: Request, household: VisibleHousehold, user: Worker, bus: Bus):
    history = await bus.handle(ViewHousehold(actor_of(user), household.id, "Saksbehandling: så saken"))
    parts = await request.app.state.case_parts.of(household.id, token=request_token(request))
    entries = timeline(history.applications, history.decisions, parts.stays, parts.requisitions,
                       today=clock.today())
    return render(request, "household.html", user=user, history=history, parts=parts, entries=entries)


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(request: Request, user: AuditReader, queries: Queries, paging: AuditPagingPage,
                     filters: AuditFiltersPage):
    result = await queries.audit_entries(user.office_id, paging, filters)
    return render(request, "audit.html", user=user, entries=result.items, result=result, paging=paging,
                  filters=dict(request.query_params))
