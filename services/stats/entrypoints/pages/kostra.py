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
    report, area = None, form.area_name
    if form.area is not None:
        scope.check(form.area.municipality)
        named = views.named(form.area)
        report = presentation.kostra_report(named, await views.kostra(named), views.rules)
        area = presentation.area_name(named.municipality, named.district)
    return PAGES.TemplateResponse(
        request, "kostra.html",
        {"user": user, "report": report, "values": form.values, "errors": form.errors,
         "labels": presentation.KOSTRA_LABELS, "setting_labels": presentation.SETTING_LABELS, "keys": KEYS,
         "reports": scope.reports, "query": form.query, "area": area, "districts": await form.districts(views)},
        status_code=422 if form.errors else 200)
