"""GET /: the KOSTRA page (the form, the counters, the settings used, download links)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.stats.domain.kostra import KEYS
from services.stats.entrypoints import presentation
from services.stats.entrypoints.deps import Municipal, Reader, Views
from services.stats.entrypoints.pages.form import PAGES, read_area

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def kostra_page(request: Request, user: Reader, views: Views, scope: Municipal, year: str | None = None,
                      municipality: str | None = None, district: str | None = None):
    form = read_area(year, municipality or scope.municipality, district, views.today().year)
    report = None
    if form.area is not None:
        scope.check(form.area.municipality)
        report = presentation.kostra_report(form.area, await views.kostra(form.area), views.rules)
    return PAGES.TemplateResponse(
        request, "kostra.html",
        {"user": user, "report": report, "values": form.values, "errors": form.errors,
         "labels": presentation.KOSTRA_LABELS, "setting_labels": presentation.SETTING_LABELS, "keys": KEYS,
         "reports": scope.reports, "query": form.query, "area": form.area_name},
        status_code=422 if form.errors else 200)
