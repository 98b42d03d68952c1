"""Stats' API answers and the bounds of every query parameter. The JSON fields are those the API has always
had; downloads (CSV, XLSX) are documented as binary answers of the same routes."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path, Query
from pydantic import BaseModel, Field

from kit import exports
from kit.problems import PROBLEM_JSON, Problem

# A district's name or number: printable text. A control character can go into neither a report nor a
# spreadsheet, PostgreSQL cannot hold a NUL, and U+FFFD stands for bytes that were not UTF-8.
PRINTABLE = r"^[^\x00-\x1f\x7f-\x9f\ufffd-\uffff]+$"
DISTRICT_MAX = 64

Year = Annotated[int, Query(ge=2000, le=2100, description="Reporting year.")]
Municipality = Annotated[str, Query(pattern=r"^\d{4}$", description="Kommunenummer, four digits (0301 = Oslo).")]
District = Annotated[str | None, Query(min_length=1, max_length=DISTRICT_MAX, pattern=PRINTABLE,
                                       description="Oslo district (bydel) by name, as placement names it, or by "
                                                   "number (`03` or `030103`: SSB's numbers).")]
Format = Annotated[Literal["json", "csv", "xlsx"], Query(description="json, or a file: csv or xlsx.")]
ReportKey = Annotated[str, Path(max_length=40, description="A report's key (GET /api/reports).")]

DOWNLOADS = {200: {"content": {"text/csv": {"schema": {"type": "string", "format": "binary"}},
                               exports.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
                   "description": "JSON; with `format=csv` or `format=xlsx` the file instead."}}


def problems(*statuses: int) -> dict:
    """The problem details (RFC 9457) a route may answer with, in the OpenAPI document."""
    return {s: {"model": Problem, "content": {PROBLEM_JSON: {}}} for s in statuses}


class KostraSettingsOut(BaseModel):
    """The settings a report was computed with (BRIEF §5: this project's reading of SSB's wording)."""

    over_days: int
    short_days: int
    young_min_age: int
    young_max_age: int
    child_max_age: int


class KostraReport(BaseModel):
    year: int
    municipality: str = Field(max_length=4)
    district: str | None = Field(max_length=DISTRICT_MAX)
    households: int
    households_over_3_months: int
    households_14_days_or_less: int
    households_with_children: int
    households_with_children_over_3_months: int
    young_households: int
    young_households_over_3_months: int
    night_shelter_households: int
    settings: KostraSettingsOut


class ReportSummary(BaseModel):
    key: str = Field(max_length=40)
    title: str = Field(max_length=200)


Cell = str | int | float | None


class ReportTable(BaseModel):
    key: str = Field(max_length=40)
    title: str = Field(max_length=200)
    year: int
    municipality: str = Field(max_length=4)
    district: str | None = Field(max_length=DISTRICT_MAX)
    columns: list[str]
    rows: list[list[Cell]]
    note: str
    settings: KostraSettingsOut


class RebuildResult(BaseModel):
    events_replayed: int = Field(description="Records read off the log (an event published twice counts twice).")
