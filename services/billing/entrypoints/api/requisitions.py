"""API: requisitions (list, PDF) and their mailings to the provider (what was sent when; send again)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kit.auth import request_token
from kit.paging import PageOut
from services.billing.domain.commands import SendRequisitionAgain
from services.billing.entrypoints.deps import Bus, Papers, Queries, Reader, VisibleRequisition, office_of
from services.billing.entrypoints.lists import RequisitionFiltersApi, RequisitionPaging
from services.billing.entrypoints.schemas import MailingOut, RequisitionOut

router = APIRouter(prefix="/api/requisitions", tags=["requisitions"])


@router.get("", response_model=PageOut[RequisitionOut])
async def list_requisitions(user: Reader, queries: Queries, paging: RequisitionPaging,
                            filters: RequisitionFiltersApi) -> PageOut[RequisitionOut]:
    """The requisitions the user may see — case workers and leaders their own office's, finance all — one page
    (`page`, `page_size` 1–200, default 50), newest number first unless `sort` says otherwise, narrowed by
    `stay_id`, `status`, `provider` (its organisation number or a part of its name) and the period
    `period_from`–`period_to` (those overlapping it); `total` counts them all."""
    return PageOut.of(await queries.requisition_page(office_of(user), paging, filters), RequisitionOut.of)


@router.get("/{number}.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}, "description": "The requisition as a PDF."}})
async def requisition_pdf_file(found: VisibleRequisition, request: Request, queries: Queries,
                               papers: Papers) -> Response:
    """The requisition as the provider gets it. The guest's name and birth date are intake's, for the user who
    downloads it (a case worker or leader of the office; others get the PDF without them)."""
    r = found.requisition
    context = await queries.paper(r.number)
    pdf, _ = await papers.pdf(context, token=request_token(request), purpose=f"Rekvisisjon {r.number}: PDF")
    return Response(pdf, media_type="application/pdf",
                    headers={"content-disposition": f'inline; filename="rekvisisjon-{r.number}.pdf"'})


@router.get("/{number}/mailings", response_model=list[MailingOut])
async def requisition_mailings(found: VisibleRequisition, queries: Queries) -> list[MailingOut]:
    """Each sending of the requisition to the provider's e-mail, oldest first: when it was asked for and why,
    and when it was sent, to whom, with which attachment (its size and SHA-256), or why it has not gone yet."""
    return [MailingOut.model_validate(m) for m in await queries.mailings(found.requisition.id)]


@router.post("/{number}/mailings", status_code=202, response_model=MailingOut,
             responses={409: {"description": "A sending of it still waits."}})
async def send_again(found: VisibleRequisition, user: Reader, bus: Bus) -> MailingOut:
    """Send the requisition, as it is now, to the provider again (the sender takes it within seconds); 409
    while a sending of it still waits."""
    mailing = await bus.handle(SendRequisitionAgain(found.requisition.number, user.username))
    return MailingOut.model_validate(mailing)
