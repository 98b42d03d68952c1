"""Page: spend per provider and agreement kind, and the export download."""

from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.billing.entrypoints.deps import Finance, Queries
from services.billing.entrypoints.pages.common import pages

router = APIRouter(include_in_schema=False)


@router.get("/export", response_class=HTMLResponse)
async def export_page(request: Request, user: Finance, queries: Queries):
    spend, lines = await queries.spend(), await queries.approved_lines()
    return pages.TemplateResponse(request, "export.html", {
        "user": user, "spend": spend, "outside": spend.outside_agreements, "lines": len(lines),
        "total": sum((r.payable_amount for r in lines), Decimal(0))})
