"""GET /rapporter/{key}: a report page, an SVG bar chart beside a table of the same numbers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.stats.domain.errors import NotFound
from services.stats.domain.reports import Table
from services.stats.entrypoints import charts, presentation
from services.stats.entrypoints.deps import Municipal, OfficeScope, Reader, Views
from services.stats.entrypoints.pages.form import PAGES, read_area
from services.stats.entrypoints.schemas import ReportKey
from services.stats.service_layer.views import REPORTS

router = APIRouter(include_in_schema=False)


def table_chart(table: Table) -> str:
    if not table.chart or not table.rows:
        return ""
    return charts.bar_chart(table.title, [str(r[0]) for r in table.rows],
                            [(table.columns[i], [float(r[i] or 0) for r in table.rows]) for i in table.chart])


@router.get("/rapporter/{key}", response_class=HTMLResponse)
async def report_page(request: Request, user: Reader, views: Views, office: OfficeScope, scope: Municipal,
                      key: ReportKey, year: str | None = None, municipality: str | None = None,
                      district: str | None = None):
    if key not in REPORTS:
        raise NotFound("Ukjent rapport.")
    form = read_area(year, municipality or scope.municipality, district, views.today().year)
    table = chart = None
    area = form.area_name
    if form.area is not None:
        scope.check(form.area.municipality, key)
        named = views.named(form.area)
        table = await views.report(key, named, office=office)
        chart = table_chart(table)
        area = presentation.area_name(named.municipality, named.district)
    return PAGES.TemplateResponse(
        request, "report.html",
        {"user": user, "table": table, "chart": chart, "key": key, "title": REPORTS[key],
         "values": form.values, "errors": form.errors, "reports": scope.reports, "query": form.query,
         "area": area, "districts": await form.districts(views)},
        status_code=422 if form.errors else 200)
