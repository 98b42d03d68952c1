"""The units list for everyone: every provider's units with their beds free now, the agreement and the last
inspection, filtered, sorted and paged in SQL (the same list as `GET /placement/api/units`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.placement.domain.providers import TARGET_GROUPS
from services.placement.entrypoints.deps import Queries, Today, Viewer
from services.placement.entrypoints.lists import UnitFiltersPage, UnitPagingPage
from services.placement.entrypoints.pages.common import render

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/units")
async def units_page(request: Request, user: Viewer, queries: Queries, today: Today, paging: UnitPagingPage,
                     filters: UnitFiltersPage):
    result = await queries.unit_page(paging, filters, today)
    return render(request, "units.html", {
        "user": user, "units": result.items, "result": result, "paging": paging,
        "filters": dict(request.query_params), "municipalities": await queries.municipalities_of_providers(),
        "target_groups": TARGET_GROUPS, "today": today})
