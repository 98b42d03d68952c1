"""GET /api/reports and /api/reports/{key}: the municipality's own reports as JSON, CSV or XLSX."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from services.stats.entrypoints import presentation
from services.stats.entrypoints.deps import Municipal, OfficeScope, Reader, Views
from services.stats.entrypoints.schemas import (
    DOWNLOADS,
    District,
    Format,
    Municipality,
    ReportKey,
    ReportSummary,
    ReportTable,
    Year,
    problems,
)
from services.stats.service_layer.views import Area

router = APIRouter(prefix="/api/reports", tags=["reports"])


@router.get("", response_model=list[ReportSummary])
async def report_list(user: Reader, scope: Municipal):
    return [ReportSummary(key=k, title=t) for k, t in scope.reports.items()]


@router.get("/{key}", response_model=ReportTable, responses={**DOWNLOADS, **problems(403, 404)})
async def report(user: Reader, views: Views, office: OfficeScope, scope: Municipal, key: ReportKey, year: Year,
                 municipality: Municipality, district: District = None, format: Format = "json"):
    """One of the municipality's reports as JSON (columns and rows), CSV or XLSX. The municipality's staff: their
    own municipality only, and no list of households (403)."""
    scope.check(municipality, key)
    area = views.named(Area(year, municipality, district))
    table = await views.report(key, area, office=office)
    if format != "json":
        return presentation.report_file(format, table, area)
    return ReportTable(key=table.key, title=table.title, year=year, municipality=municipality, district=area.district,
                       columns=list(table.columns), rows=[[presentation.json_cell(v) for v in r] for r in table.rows],
                       note=table.note, settings=asdict(views.rules))
