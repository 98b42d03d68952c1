"""The week form of the weekly report: a year and a week number, or a date in the week (then the date wins);
without them the current week. Read from the query string with a Norwegian message next to each field at
fault, and what was typed shown back (without control characters)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from kit.formatting import read_date_nb
from services.stats.domain.errors import RuleBroken
from services.stats.domain.weekly import Week, iso_week, week_of
from services.stats.entrypoints.pages.form import _CONTROL, SHOWN_MAX, read_area

FIELDS = ("year", "week", "date", "municipality", "district")


@dataclass
class WeekForm:
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    week: Week | None = None

    @property
    def query(self) -> str:
        return urlencode({k: v for k, v in self.values.items() if v}) if not self.errors else ""


def read_date(text: str) -> date:
    """05.03.2026 (or 5.3.2026), or 2026-03-05 as the browser's date field sends it."""
    try:
        return read_date_nb(text)
    except ValueError:
        raise RuleBroken("Skriv en dato som dd.mm.åååå, for eksempel 05.03.2026.", field="date") from None


def read_week(year: str | None, week: str | None, day: str | None, municipality: str | None,
              district: str | None, today: date) -> WeekForm:
    current = week_of(today)
    area = read_area(None, municipality, district, today.year)
    raw = {"year": (year or "").strip(), "week": (week or "").strip(), "date": (day or "").strip(),
           "municipality": area.values["municipality"], "district": area.values["district"]}
    errors = {k: v for k, v in area.errors.items() if k != "year"}
    chosen = None
    try:
        if raw["date"]:
            chosen = week_of(read_date(raw["date"]))
        else:
            if raw["year"] and not re.fullmatch(r"\d{4}", raw["year"]):
                raise RuleBroken("Skriv et årstall med fire sifre, for eksempel 2026.", field="year")
            if raw["week"] and not re.fullmatch(r"\d{1,2}", raw["week"]):
                raise RuleBroken("Skriv et ukenummer fra 1 til 53.", field="week")
            chosen = iso_week(int(raw["year"] or current.year), int(raw["week"] or current.week))
        if chosen.monday > today:
            raise RuleBroken(f"Uke {chosen.week} {chosen.year} har ikke begynt ennå.",
                             field="date" if raw["date"] else "week")
    except RuleBroken as exc:
        errors[exc.field or "week"] = str(exc)
        chosen = None
    if chosen is not None and not raw["date"]:
        raw["year"], raw["week"] = str(chosen.year), str(chosen.week)
    shown = {k: _CONTROL.sub("", v)[:SHOWN_MAX] for k, v in raw.items()}
    return WeekForm(raw if not errors else shown, errors, chosen if not errors else None)
