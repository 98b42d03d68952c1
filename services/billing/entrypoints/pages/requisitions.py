"""Page: the requisitions the user may see."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.billing.entrypoints.deps import FINANCE, Queries, Reader, office_of
from services.billing.entrypoints.pages.common import pages

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def requisitions_page(request: Request, user: Reader, queries: Queries):
    return pages.TemplateResponse(request, "requisitions.html", {
        "user": user, "requisitions": await queries.requisitions(office_of(user)), "finance": user.role in FINANCE})
