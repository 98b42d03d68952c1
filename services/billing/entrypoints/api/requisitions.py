"""API: requisitions (list, PDF)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response

from kit import clock
from services.billing.adapters import requisition_pdf
from services.billing.entrypoints.deps import Queries, Reader, VisibleRequisition, office_of
from services.billing.entrypoints.schemas import RequisitionOut

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
async def requisition_pdf_file(found: VisibleRequisition) -> Response:
    r = found.requisition
    pdf = requisition_pdf.render(r, found.stay, issued_on=clock.today(), office=found.office)
    return Response(pdf, media_type="application/pdf",
                    headers={"content-disposition": f'inline; filename="rekvisisjon-{r.number}.pdf"'})
