"""API: requisitions (list, PDF) and their mailings to the provider (what was sent when; send again)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kit.auth import request_token
from services.billing.domain.commands import SendRequisitionAgain
from services.billing.entrypoints.deps import Bus, Papers, Queries, Reader, VisibleRequisition, office_of
from services.billing.entrypoints.schemas import MailingOut, RequisitionOut

router = APIRouter(prefix="/api/requisitions", tags=["requisitions"])


@router.get("", response_model=list[RequisitionOut])
async def list_requisitions(
        user: Reader, queries: Queries,
        stay_id: Annotated[UUID | None, Query(description="Only the requisitions of this stay.")] = None,
        status: Annotated[Literal["open", "closed"] | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=5000, description="At most this many, newest first.")] = 1000,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> list[RequisitionOut]:
    """The requisitions the user may see: case workers and leaders their own office's, finance all."""
    rows = await queries.requisitions(office_of(user), stay_id=stay_id, status=status, limit=limit, offset=offset)
    return [RequisitionOut.of(r) for r in rows]


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
