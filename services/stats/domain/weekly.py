"""The weekly report Oslo's Velferdsetaten asks for, for any ISO week: length of stay per office and free beds
per night. Pure Python, the same nights rule as KOSTRA: the night of a date is the one that starts that
evening; a stay counts from check-in up to the morning of check-out, and never a night after today (an open
stay, or a move-out dated ahead, counts up to today); night shelters apart.

* Per office (the office of the household's latest stay in the week): households with at least one night in
  the week, their nights in the week (several stays of one household: nights counted once), and the
  households still staying at the week's end (the morning after its Sunday night, or today if that is
  earlier) by the length of their unbroken stay so far (a move between providers does not break it).
* Per night: the beds of the temporary accommodation units, those taken and those free. A unit is taken by one
  household, so all its beds or none. A unit has the beds of its newest state on or before the night; before
  its first registration it has the beds it was registered with if a household stayed in it by then (units
  are often registered after the history of their stays is imported), else none. Nights after today are not
  counted yet."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from services.stats.domain.errors import RuleBroken
from services.stats.domain.kostra import StayFacts, last_morning
from services.stats.domain.reports import Table

RUN_BUCKETS = ((0, 7, "0–7 døgn"), (8, 30, "8–30 døgn"), (31, 90, "31–90 døgn"), (91, None, "Over 90 døgn"))
WEEKDAYS_NB = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
ALL_OFFICES = "Alle kontorer"


@dataclass(frozen=True)
class Week:
    year: int  # the ISO year (week 1 of 2026 begins on Monday 29 December 2025)
    week: int
    monday: date

    @property
    def end(self) -> date:
        """The Monday after: the morning the week's last night ends."""
        return self.monday + timedelta(days=7)

    @property
    def nights(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]

    @property
    def title(self) -> str:
        return f"uke {self.week} {self.year}"


def iso_week(year: int, week: int) -> Week:
    """The ISO week, or a Norwegian message for one that does not exist (week 53 only in some years)."""
    if not 2000 <= year <= 2100:
        raise RuleBroken("Skriv et årstall mellom 2000 og 2100.", field="year")
    weeks = date(year, 12, 28).isocalendar().week  # 28 December is always in the year's last week
    if not 1 <= week <= weeks:
        raise RuleBroken(f"{year} har uke 1 til {weeks}.", field="week")
    return Week(year, week, date.fromisocalendar(year, week, 1))


def week_of(day: date) -> Week:
    """The ISO week `day` is in; a day outside 2000–2100 is refused as a year is (a Norwegian message)."""
    if not 2000 <= day.year <= 2100:
        raise RuleBroken("Skriv en dato mellom år 2000 og 2100.", field="date")
    iso = day.isocalendar()
    return Week(iso.year, iso.week, day - timedelta(days=iso.weekday - 1))


def check_started(week: Week, today: date) -> None:
    if week.monday > today:
        raise RuleBroken(f"Uke {week.week} {week.year} har ikke begynt ennå.", field="week")


@dataclass(frozen=True)
class OfficeWeek:
    office: str
    households: int
    nights: int
    staying_at_end: int
    by_length: tuple[int, ...]  # households per RUN_BUCKETS


@dataclass(frozen=True)
class NightBeds:
    night: date
    beds: int | None  # None: the night is after today
    occupied: int | None

    @property
    def free(self) -> int | None:
        return None if self.beds is None else max(self.beds - self.occupied, 0)


@dataclass(frozen=True)
class UnitBeds:
    """A unit's beds over time: (the date a state took effect, beds), any order."""

    unit_id: object
    states: tuple[tuple[date, int], ...]


@dataclass(frozen=True)
class WeeklyReport:
    week: Week
    offices: tuple[OfficeWeek, ...]  # by office name, then all offices
    nights: tuple[NightBeds, ...]
    counted_to: date  # the morning the report counts up to: the week's end, or today


def _merge(spans: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[list[date]] = []
    for first, end in sorted(spans):
        if merged and first <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([first, end])
    return [(a, b) for a, b in merged]


def _bucket(nights: int) -> int:
    return next(i for i, (low, high, _) in enumerate(RUN_BUCKETS) if nights >= low and (high is None
                                                                                         or nights <= high))


def length_of_stay(stays: Sequence[StayFacts], week: Week, today: date,
                   office_names: Mapping[str, str] | None = None) -> tuple[OfficeWeek, ...]:
    """Per office and for all: households in the week, their nights in it, and those staying at its end by the
    length of their unbroken stay (`stays`: each stay of the households, looked back far enough)."""
    names = office_names or {}
    at = min(week.end, today)
    per: dict[object, list[StayFacts]] = {}
    for s in stays:
        if s.accommodation == "temporary":
            per.setdefault(s.household_id, []).append(s)
    rows: dict[str, list] = {}

    def row(office: str | None) -> list:
        return rows.setdefault(names.get(office or "", office or "Ukjent kontor"), [0, 0, 0, [0] * len(RUN_BUCKETS)])

    for own in per.values():
        counted = [(max(s.check_in, week.monday), min(last_morning(s, today), week.end), s) for s in own]
        counted = [(a, b, s) for a, b, s in counted if b > a]
        if counted:
            r = row(max(counted, key=lambda c: (c[2].check_in, c[0]))[2].office_id)
            r[0] += 1
            r[1] += sum((b - a).days for a, b in _merge((a, b) for a, b, _ in counted))
        # Staying at the week's end: a night just before `at` that is not after today.
        last_night = at - timedelta(days=1)
        if last_night < week.monday:
            continue
        ongoing = [s for s in own if s.check_in <= last_night and (s.check_out is None or s.check_out > last_night)]
        if not ongoing:
            continue
        runs = _merge((s.check_in, min(s.check_out or at, at)) for s in own if s.check_in < at)
        start = next(a for a, b in runs if a <= last_night < b)
        r = row(max(ongoing, key=lambda s: s.check_in).office_id)
        r[2] += 1
        r[3][_bucket((at - start).days)] += 1
    offices = [OfficeWeek(name, n, nights, end, tuple(b)) for name, (n, nights, end, b) in sorted(rows.items())]
    total = OfficeWeek(ALL_OFFICES, sum(o.households for o in offices), sum(o.nights for o in offices),
                       sum(o.staying_at_end for o in offices),
                       tuple(sum(o.by_length[i] for o in offices) for i in range(len(RUN_BUCKETS))))
    return (*offices, total)


def _beds_on(unit: UnitBeds, night: date, first_stay: date | None) -> int:
    states = sorted(unit.states)
    known = [beds for since, beds in states if since <= night]
    if known:
        return known[-1]
    return states[0][1] if states and first_stay is not None and first_stay <= night else 0


def free_beds(units: Sequence[UnitBeds], stays: Sequence[StayFacts], week: Week, today: date,
              first_stays: Mapping[object, date] | None = None) -> tuple[NightBeds, ...]:
    """Beds, taken and free, for each night of the week (`stays`: the stays in these units in the week;
    `first_stays`: each unit's first check-in ever, where known)."""
    by_unit: dict[object, list[StayFacts]] = {}
    for s in stays:
        by_unit.setdefault(s.unit_id, []).append(s)
    out = []
    for night in week.nights:
        if night > today:
            out.append(NightBeds(night, None, None))
            continue
        beds = occupied = 0
        for unit in units:
            own = by_unit.get(unit.unit_id, [])
            first_stay = min([s.check_in for s in own] + [d for d in [(first_stays or {}).get(unit.unit_id)] if d],
                             default=None)
            n = _beds_on(unit, night, first_stay)
            beds += n
            if any(s.check_in <= night and (s.check_out is None or s.check_out > night) for s in own):
                occupied += n
        out.append(NightBeds(night, beds, occupied))
    return tuple(out)


def weekly(stays: Sequence[StayFacts], units: Sequence[UnitBeds], unit_stays: Sequence[StayFacts], week: Week,
           today: date, office_names: Mapping[str, str] | None = None,
           first_stays: Mapping[object, date] | None = None) -> WeeklyReport:
    check_started(week, today)
    return WeeklyReport(week, length_of_stay(stays, week, today, office_names),
                        free_beds(units, unit_stays, week, today, first_stays), min(week.end, today))


@dataclass(frozen=True)
class WeeklyTables:
    offices: Table
    nights: Table


def tables(report: WeeklyReport) -> WeeklyTables:
    """The report as two tables (the nights' first column: the date of the night)."""
    w = report.week
    office_rows = [(o.office, o.households, o.nights, o.staying_at_end, *o.by_length) for o in report.offices]
    night_rows = [(n.night, n.beds, n.occupied, n.free) for n in report.nights]
    counted = [n for n in report.nights if n.beds is not None]
    if counted:
        night_rows.append(("Hele uka (plassdøgn)", sum(n.beds for n in counted), sum(n.occupied for n in counted),
                           sum(n.free for n in counted)))
    return WeeklyTables(
        Table("uke", f"Botid per kontor, {w.title}",
              ("Kontor", "Husstander i uka", "Døgn i uka", "I botilbud ved ukeslutt",
               *(f"Sammenhengende {label[:1].lower()}{label[1:]}" for _, _, label in RUN_BUCKETS)), office_rows,
              note=f"Midlertidig botilbud, ikke natthjem. Ved ukeslutt: morgenen {report.counted_to:%d.%m.%Y}; "
                   "sammenhengende botid fram til da (flytting mellom tilbydere bryter ikke oppholdet)."),
        Table("uke-plasser", f"Ledige plasser per natt, {w.title}", ("Natt", "Plasser", "Opptatt", "Ledige"),
              night_rows, chart=(3,),
              note="Enheter i midlertidig botilbud hos tilbydere i området. En enhet tas av én husstand: alle "
                   "plassene eller ingen. Netter etter i dag er ikke talt ennå."))
