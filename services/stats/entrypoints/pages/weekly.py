"""GET /rapporter/uke: the weekly report for a week — length of stay per office and free beds per night."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.stats.domain.weekly import WEEKDAYS_NB, tables
from services.stats.entrypoints import presentation, weekly_files
from services.stats.entrypoints.deps import Municipal, Reader, Views
from services.stats.entrypoints.pages.form import PAGES
from services.stats.entrypoints.pages.reports import table_chart
from services.stats.entrypoints.pages.week_form import read_week
from services.stats.service_layer.views import REPORTS, WEEKLY, Area

router = APIRouter(include_in_schema=False)


@router.get("/rapporter/uke", response_class=HTMLResponse)
async def weekly_page(request: Request, user: Reader, views: Views, scope: Municipal, year: str | None = None,
                      week: str | None = None, date: str | None = None, municipality: str | None = None,
                      district: str | None = None):
    form = read_week(year, week, date, municipality or scope.municipality, district, views.today())
    shown = chart = None
    area = presentation.area_name(form.values["municipality"], form.values["district"] or None)
    if form.week is not None:
        scope.check(form.values["municipality"], WEEKLY)
        named = views.named(Area(form.week.year, form.values["municipality"], form.values["district"] or None))
        shown = tables(await views.weekly(form.week, named.municipality, named.district))
        area = presentation.area_name(named.municipality, named.district)
        free = [r for r in shown.nights.rows if r[1] is not None and not isinstance(r[0], str)]
        chart = table_chart(replace(shown.nights, rows=[(weekly_files.night_label(r[0]), *r[1:]) for r in free]))
    districts = await views.districts(form.values["municipality"]) if "municipality" not in form.errors else []
    return PAGES.TemplateResponse(
        request, "weekly.html",
        {"user": user, "tables": shown, "chart": chart, "week": form.week, "key": WEEKLY, "title": REPORTS[WEEKLY],
         "values": form.values, "errors": form.errors, "reports": scope.reports, "query": form.query, "area": area,
         "districts": districts, "weekdays": WEEKDAYS_NB},
        status_code=422 if form.errors else 200)
