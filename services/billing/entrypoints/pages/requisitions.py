"""Pages: the requisitions the user may see, and one requisition — who it is for (intake's answer, for case
workers and leaders), where, for how long, the PDF, and each sending of it to the provider, with a button to
send it again."""

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from kit.auth import OFFICE_SCOPED, User
from services.billing.adapters.queries import BillingQueries
from services.billing.domain.commands import SendRequisitionAgain
from services.billing.domain.errors import Conflict, NotFound
from services.billing.domain.papers import REASON_NB
from services.billing.entrypoints.deps import (
    FINANCE,
    Bus,
    Queries,
    Reader,
    RequisitionWithStay,
    VisibleRequisition,
    office_of,
    people_of,
)
from services.billing.entrypoints.lists import RequisitionFiltersPage, RequisitionPagingPage
from services.billing.entrypoints.pages.common import pages

router = APIRouter(include_in_schema=False)
LINE_STATUS_NB = {"matched": "Stemmer", "adjusted": "Justert", "disputed": "Bestridt"}
SETTLED_NB = {"adjust": "Justert", "approve": "Godkjent", "dispute": "Bestridt"}


@router.get("/", response_class=HTMLResponse)
async def requisitions_page(request: Request, user: Reader, queries: Queries, paging: RequisitionPagingPage,
                            filters: RequisitionFiltersPage):
    """One page of the requisitions, filtered; only the guests on the page are looked up."""
    result = await queries.requisition_page(office_of(user), paging, filters)
    requisitions = result.items
    people = await people_of(request, [r.household_id for r in requisitions], "Rekvisisjoner: listen")
    return pages.TemplateResponse(request, "requisitions.html", {
        "user": user, "requisitions": requisitions, "result": result, "paging": paging,
        "filters": dict(request.query_params), "finance": user.role in FINANCE, "people": people})


async def _requisition_page(request: Request, found: RequisitionWithStay, user: User, queries: BillingQueries, *,
                            sent_again: bool = False, error: str | None = None, status_code: int = 200):
    r = found.requisition
    return pages.TemplateResponse(request, "requisition.html", status_code=status_code, context={
        "user": user, "r": r, "stay": found.stay, "paper": await queries.paper(r.number),
        "mailings": await queries.mailings(r.id), "reasons": REASON_NB, "sent_again": sent_again, "error": error,
        "mail_configured": request.app.state.mail_configured, "lines": await queries.billed_lines(r.id),
        "finance": user.role in FINANCE, "case_worker": user.role in OFFICE_SCOPED, "line_status": LINE_STATUS_NB,
        "settled": SETTLED_NB,
        "people": await people_of(request, [r.household_id], f"Rekvisisjon {r.number}")})


@router.get("/requisitions/{number}", response_class=HTMLResponse)
async def requisition_page(request: Request, found: VisibleRequisition, user: Reader, queries: Queries,
                           sendt: bool = False):
    return await _requisition_page(request, found, user, queries, sent_again=sendt)


@router.get("/stays/{stay_id}", response_class=HTMLResponse)
async def stay_requisition(stay_id: UUID, user: Reader, queries: Queries):
    """Where placement's stay page links (placement knows the stay, not its requisition's number): the stay's
    requisition, the newest when it has had several. 404 when billing has none the user may see."""
    requisitions = await queries.requisitions(office_of(user), stay_id=stay_id, limit=1)
    if not requisitions:
        raise NotFound("Fant ingen rekvisisjon for oppholdet (den kommer når plasseringen er mottatt).",
                       field="stay_id")
    return RedirectResponse(f"/billing/requisitions/{requisitions[0].number}", status_code=303)


@router.post("/requisitions/{number}/send", response_class=HTMLResponse)
async def send_again_form(request: Request, found: VisibleRequisition, user: Reader, bus: Bus, queries: Queries):
    try:
        await bus.handle(SendRequisitionAgain(found.requisition.number, user.username))
    except Conflict as exc:
        return await _requisition_page(request, found, user, queries, error=str(exc), status_code=409)
    return RedirectResponse(f"/billing/requisitions/{found.requisition.number}?sendt=1", status_code=303)
