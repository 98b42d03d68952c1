"""GET and POST /gjenoppbygging: operations rebuild stats' projections from a page, and see how the last
rebuilds went — a rebuild that was refused says why."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.stats.entrypoints.deps import Operator, Rebuild, Views
from services.stats.entrypoints.pages.form import PAGES

router = APIRouter(include_in_schema=False)


@router.get("/gjenoppbygging", response_class=HTMLResponse)
async def rebuild_page(request: Request, user: Operator, views: Views):
    return PAGES.TemplateResponse(request, "rebuild.html",
                                  {"user": user, "rebuilds": await views.rebuilds(), "done": None})


@router.post("/gjenoppbygging", response_class=HTMLResponse)
async def rebuild_from_page(request: Request, user: Operator, views: Views, run: Rebuild):
    """A refusal (another rebuild running, a log that lacks events) is an error page with the reason."""
    outcome = await run()
    return PAGES.TemplateResponse(request, "rebuild.html",
                                  {"user": user, "rebuilds": await views.rebuilds(), "done": outcome.tally})
