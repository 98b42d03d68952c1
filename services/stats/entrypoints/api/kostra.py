"""GET /api/kostra: the KOSTRA counters (BRIEF §5) of a year and area, with the settings used."""

from __future__ import annotations

from fastapi import APIRouter

from services.stats.entrypoints import presentation
from services.stats.entrypoints.deps import Municipal, Reader, Views
from services.stats.entrypoints.schemas import (
    DOWNLOADS,
    District,
    Format,
    KostraReport,
    Municipality,
    Year,
    problems,
)
from services.stats.service_layer.views import Area

router = APIRouter(prefix="/api", tags=["kostra"])


@router.get("/kostra", response_model=KostraReport, responses={**DOWNLOADS, **problems(403)})
async def kostra(user: Reader, views: Views, scope: Municipal, year: Year, municipality: Municipality,
                 district: District = None, format: Format = "json"):
    """The KOSTRA counters (BRIEF §5) for a year, municipality and (Oslo) district, with the settings used.
    The municipality's staff: their own municipality only (403 for another)."""
    scope.check(municipality)
    area = views.named(Area(year, municipality, district))
    report = presentation.kostra_report(area, await views.kostra(area), views.rules)
    if format == "json":
        return report
    return presentation.kostra_file(format, report, area)
