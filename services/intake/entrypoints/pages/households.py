"""Pages: a household's history at the user's office, and the leader's audit log."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.intake.domain.commands import ViewHousehold
from services.intake.entrypoints.deps import AuditReader, Bus, Queries, VisibleHousehold, Worker, actor_of
from services.intake.entrypoints.pages.common import render

router = APIRouter(include_in_schema=False)


@router.get("/households/{household_id}", response_class=HTMLResponse)
async def household_page(request: Request, household: VisibleHousehold, user: Worker, bus: Bus):
    history = await bus.handle(ViewHousehold(actor_of(user), household.id, "Saksbehandling: så historikken"))
    return render(request, "household.html", user=user, history=history)


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(request: Request, user: AuditReader, queries: Queries):
    return render(request, "audit.html", user=user, entries=await queries.audit_entries(user.office_id))
