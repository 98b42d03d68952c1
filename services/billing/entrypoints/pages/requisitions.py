"""Pages: the requisitions the user may see, and one requisition — who it is for (intake's answer, for case
workers and leaders), where, for how long, the PDF, and each sending of it to the provider, with a button to
send it again."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from services.billing.domain.commands import SendRequisitionAgain
from services.billing.domain.papers import REASON_NB
from services.billing.entrypoints.deps import FINANCE, Bus, Queries, Reader, VisibleRequisition, office_of, people_of
from services.billing.entrypoints.pages.common import pages

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def requisitions_page(request: Request, user: Reader, queries: Queries):
    requisitions = await queries.requisitions(office_of(user))
    people = await people_of(request, [r.household_id for r in requisitions], "Rekvisisjoner: listen")
    return pages.TemplateResponse(request, "requisitions.html", {
        "user": user, "requisitions": requisitions, "finance": user.role in FINANCE, "people": people})


@router.get("/requisitions/{number}", response_class=HTMLResponse)
async def requisition_page(request: Request, found: VisibleRequisition, user: Reader, queries: Queries,
                           sendt: bool = False):
    r = found.requisition
    return pages.TemplateResponse(request, "requisition.html", {
        "user": user, "r": r, "stay": found.stay, "paper": await queries.paper(r.number),
        "mailings": await queries.mailings(r.id), "reasons": REASON_NB, "sent_again": sendt,
        "mail_configured": request.app.state.mail_configured,
        "people": await people_of(request, [r.household_id], f"Rekvisisjon {r.number}")})


@router.post("/requisitions/{number}/send", response_class=HTMLResponse)
async def send_again_form(found: VisibleRequisition, user: Reader, bus: Bus):
    await bus.handle(SendRequisitionAgain(found.requisition.number, user.username))
    return RedirectResponse(f"/billing/requisitions/{found.requisition.number}?sendt=1", status_code=303)
