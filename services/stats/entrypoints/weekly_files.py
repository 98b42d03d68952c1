"""The weekly report's files: the offices' table, then the nights', then what they mean and the area, in one
sheet (CSV and XLSX through `presentation.table_file`, like every stats download)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from fastapi.responses import Response

from kit.formatting import date_nb
from services.stats.domain.weekly import WEEKDAYS_NB, WeeklyReport, tables
from services.stats.entrypoints.presentation import slug, table_file


def night_label(value) -> str:
    """A night of the weekly report as people read it: "mandag 29.12.2025" (a total row's label as it is)."""
    if isinstance(value, date):
        return f"{WEEKDAYS_NB[value.weekday()]} {date_nb(value)}"
    return str(value)


def weekly_file(kind: Literal["csv", "xlsx"], report: WeeklyReport, municipality: str,
                district: str | None) -> Response:
    t = tables(report)
    w = report.week
    notes = [tuple(t.nights.columns), *[(night_label(r[0]), *r[1:]) for r in t.nights.rows], (),
             (t.offices.note,), (t.nights.note,), ("Uke", w.title), ("Fra", date_nb(w.monday)),
             ("Til og med", date_nb(w.end - timedelta(days=1))), ("Kommunenummer", municipality),
             ("Bydel", district or "")]
    name = f"uke-{w.year}-{w.week:02d}-{municipality}" + (f"-{slug(district)}" if district else "") + f".{kind}"
    return table_file(kind, f"Uke {w.week} {w.year}", list(t.offices.columns), t.offices.rows, notes, name)
