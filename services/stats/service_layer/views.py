"""Stats' read side: the KOSTRA counters and the municipality's reports, from the queries and the pure domain.
The KOSTRA rules and the clock ("today" in Norway) are bound once, in `bootstrap.py`; tests bind a fixed day."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from services.stats.adapters.queries import GroupCount, PlacesRow, RebuildRow, StatsQueries
from services.stats.domain import kostra, reports, weekly
from services.stats.domain.errors import NotFound, RuleBroken

REPORTS = {
    "maned": "Personer og døgn per måned",
    "avtaler": "Opphold innenfor og utenfor avtale",
    "botid": "Botid i året",
    "tre-maneder": "Husstander nær eller over tre måneder nå",
    "familier-unge": "Barnefamilier og unge nå",
    "utflytting": "Utflytting etter hvor de flyttet",
    "vedtak": "Vedtak og ulike husstander",
    "belegg": "Belegg og ledige plasser per tilbyder nå",
    "kostnader": "Utgifter per tilbyder",
    "uke": "Ukerapport: botid og ledige plasser",
}
WEEKLY = "uke"
"""The weekly report: for a week, not a year (its own routes, `weekly`)."""
OFFICE_LISTS = frozenset({"tre-maneder"})
"""Reports that list households: someone who works at one office sees that office's rows only."""


@dataclass(frozen=True)
class Area:
    year: int
    municipality: str
    district: str | None = None


@dataclass
class StatsViews:
    queries: StatsQueries  # or an in-memory fake of it in unit tests
    rules: kostra.KostraRules
    today: Callable[[], date]
    oslo_districts: Mapping[str, str] = field(default_factory=dict)
    """Oslo's district numbers and names (the reference data): a district asked for by number is named."""

    def named(self, area: Area) -> Area:
        """The area with an Oslo district given by number (`3`, `03`, `030103`) named as stays name it."""
        d = area.district or ""
        number = d.removeprefix("0301") if len(d) == 6 else d
        if area.municipality == "0301" and number.isdigit() and number.zfill(2) in self.oslo_districts:
            return replace(area, district=self.oslo_districts[number.zfill(2)])
        return area

    async def districts(self, municipality: str) -> list[str]:
        """The districts the municipality's offices are in, by name (for the district field's choices)."""
        return await self.queries.districts(municipality)

    async def kostra(self, area: Area) -> dict[str, int]:
        area = self.named(area)
        stays = await self.queries.stays_for_kostra(area.municipality, area.district, area.year)
        return kostra.compute(stays, area.year, self.today(), self.rules)

    async def report(self, key: str, area: Area, *, office: str | None = None) -> reports.Table:
        """One report; `office` limits the lists of households to one office's."""
        if key not in REPORTS:
            raise NotFound(f"Ukjent rapport; velg en av {', '.join(REPORTS)}.")
        if key == WEEKLY:
            raise RuleBroken("Ukerapporten gjelder en uke, ikke et år: se `weekly`.", field="key")
        table = await self._table(key, self.named(area), self.today())
        if office is not None and key in OFFICE_LISTS:
            table = replace(table, rows=[r for r in table.rows if r[0] == office])
        return table

    async def _table(self, key: str, area: Area, today: date) -> reports.Table:
        q, (year, municipality, district) = self.queries, (area.year, area.municipality, area.district)
        if key in ("maned", "avtaler", "botid"):
            stays = await q.stays_in_period(municipality, district, date(year, 1, 1), date(year + 1, 1, 1))
            if key == "maned":
                return reports.monthly(stays, year, today, self.rules)
            return reports.agreements(stays, year, today) if key == "avtaler" else \
                reports.length_of_stay(stays, year, today)
        if key in ("tre-maneder", "familier-unge"):
            # Unbroken runs can be long: look back far enough to find where tonight's run began.
            stays = await q.stays_in_period(municipality, district, today - timedelta(days=3 * 366),
                                            today + timedelta(days=1))
            return reports.three_months_now(stays, today, self.rules) if key == "tre-maneder" else \
                reports.families_and_young_now(stays, today, self.rules)
        if key == "utflytting":
            return reports.exits(await q.exits(municipality, district, year, today))
        if key == "vedtak":
            return reports.decisions(await q.decisions(municipality, district, year))
        if key == "belegg":
            return reports.occupancy(await q.occupancy(municipality, district))
        return reports.spend(await q.spend(municipality, district, year))

    async def weekly(self, week: weekly.Week, municipality: str, district: str | None) -> weekly.WeeklyReport:
        """The weekly report for the area (`district` named as stays name it): stays looked back far enough
        to find where the runs at the week's end began."""
        q, today = self.queries, self.today()
        weekly.check_started(week, today)
        stays = await q.stays_in_period(municipality, district, week.monday - timedelta(days=3 * 366), week.end)
        units = await q.unit_beds(municipality, district)
        unit_stays, first_stays = await q.stays_in_units([u.unit_id for u in units], week.monday, week.end)
        return weekly.weekly(stays, units, unit_stays, week, today, await q.office_names(), first_stays)

    async def this_years_kostra(self) -> dict[tuple[str, str], int]:
        """For the gauges: this year's counters so far, per municipality and key."""
        today = self.today()
        out = {}
        for municipality in await self.queries.municipalities():
            counts = await self.kostra(Area(today.year, municipality))
            out |= {(municipality, key): counts[key] for key in kostra.KEYS}
        return out

    async def municipalities(self) -> list[str]:
        return await self.queries.municipalities()

    async def over_three_months_now(self) -> list[GroupCount]:
        return await self.queries.open_stays_over(self.rules, self.today())

    async def households_now(self) -> list[GroupCount]:
        return await self.queries.households_now(self.today())

    async def places(self) -> list[PlacesRow]:
        return await self.queries.places()

    async def rebuilds(self) -> list[RebuildRow]:
        return await self.queries.rebuilds()
