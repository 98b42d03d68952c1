"""GET /api/reports/uke: the weekly report for an ISO week (year and week, or a date in it; default the current
week) as JSON, CSV or XLSX."""

from __future__ import annotations

from datetime import date as Date  # noqa: N812 (the query parameter is called `date`)
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.stats.domain.weekly import RUN_BUCKETS, iso_week, week_of
from services.stats.entrypoints import weekly_files
from services.stats.entrypoints.deps import Municipal, Reader, Views
from services.stats.entrypoints.schemas import DISTRICT_MAX, DOWNLOADS, District, Format, Municipality, problems
from services.stats.service_layer.views import WEEKLY, Area

router = APIRouter(prefix="/api/reports", tags=["reports"])


class OfficeWeekOut(BaseModel):
    office: str = Field(max_length=200, description="The office's name; `Alle kontorer` for the total.")
    households: int = Field(description="Households with at least one night in the week.")
    nights: int = Field(description="Their nights in the week.")
    staying_at_end: int = Field(description="Households staying at the week's end.")
    by_length: dict[str, int] = Field(description="Those by the length of their unbroken stay so far.")


class NightOut(BaseModel):
    night: Date
    beds: int | None = Field(description="None: the night is after today.")
    occupied: int | None
    free: int | None


class WeeklyOut(BaseModel):
    year: int = Field(description="The ISO year.")
    week: int
    monday: Date
    counted_to: Date = Field(description="The morning the report counts up to: the week's end, or today.")
    municipality: str = Field(max_length=4)
    district: str | None = Field(max_length=DISTRICT_MAX)
    offices: list[OfficeWeekOut]
    nights: list[NightOut]


@router.get("/uke", response_model=WeeklyOut, responses={**DOWNLOADS, **problems(403, 422)})
async def weekly(user: Reader, views: Views, scope: Municipal, municipality: Municipality,
                 year: Annotated[int | None, Query(ge=2000, le=2100, description="ISO year.")] = None,
                 week: Annotated[int | None, Query(ge=1, le=53, description="ISO week.")] = None,
                 date: Annotated[Date | None, Query(description="A date in the week (instead of year and week).")]
                 = None, district: District = None, format: Format = "json"):
    """Length of stay per office and free beds per night for one ISO week (the current one by default)."""
    scope.check(municipality, WEEKLY)
    current = week_of(views.today())
    chosen = week_of(date) if date else iso_week(year or current.year, week or current.week)
    area = views.named(Area(chosen.year, municipality, district))
    report = await views.weekly(chosen, area.municipality, area.district)
    if format != "json":
        return weekly_files.weekly_file(format, report, area.municipality, area.district)
    labels = [label for _, _, label in RUN_BUCKETS]
    return WeeklyOut(
        year=chosen.year, week=chosen.week, monday=chosen.monday, counted_to=report.counted_to,
        municipality=area.municipality, district=area.district,
        offices=[OfficeWeekOut(office=o.office, households=o.households, nights=o.nights,
                               staying_at_end=o.staying_at_end, by_length=dict(zip(labels, o.by_length, strict=True)))
                 for o in report.offices],
        nights=[NightOut(night=n.night, beds=n.beds, occupied=n.occupied, free=n.free) for n in report.nights])
