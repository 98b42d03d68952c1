"""Placement's read use cases over its queries: matching for a decision, and the live views (three months,
families and young people, outside agreement, inspections due). Reads only: no unit of work, no events."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from services.placement.adapters.queries import InspectionDueRow, OpenStayRow, PlacementQueries
from services.placement.domain import matching, model
from services.placement.domain.geography import Nearness

INSPECTIONS_DUE_WITHIN_DAYS = 14


async def find_places(queries: PlacementQueries, decision: model.GrantedDecision, *, check_in: date, today: date,
                      night_shelter: bool = False, filters: matching.PlaceFilter = matching.PlaceFilter(),
                      ) -> matching.Places:
    """The places that fit, nearest and best first, and those left out with the reasons, narrowed by the filters
    (the decision must be placeable on that day)."""
    model.check_placeable(decision, check_in, household_has_open_stay=False)
    fits, left_out = matching.match(decision, await queries.candidates(), check_in=check_in, today=today,
                                    night_shelter=night_shelter,
                                    home=office.home if (office := await queries.office(decision.office_id)) else None)
    return matching.select(fits, left_out, filters)


@dataclass(frozen=True)
class MatchGroup:
    match: matching.Match
    count: int
    units: list[model.Unit]


def group_matches(matches: list[matching.Match]) -> list[MatchGroup]:
    """Collapse units of one provider that match the same way into one line (with the first unit to pick)."""
    groups: dict[tuple, list[matching.Match]] = {}
    for m in matches:
        key = (m.provider.id, m.unit.beds, tuple(sorted((k, str(v)) for k, v in m.unit.facilities.items())),
               m.refusals, m.flags)
        groups.setdefault(key, []).append(m)
    return [MatchGroup(ms[0], len(ms), [m.unit for m in ms]) for ms in groups.values()]


def by_nearness(groups: list[MatchGroup]) -> list[tuple[Nearness, list[MatchGroup]]]:
    """The groups (nearest first, as matching sorts them) under their nearness: the page's sections."""
    return [(near, list(gs)) for near, gs in itertools.groupby(groups, key=lambda g: g.match.nearness)]


@dataclass(frozen=True)
class ViewStay:
    row: OpenStayRow
    children: int
    young: bool

    @property
    def status(self) -> str:
        return "over" if self.row.nights > model.THREE_MONTHS_NIGHTS else "near"


@dataclass(frozen=True)
class DueInspection:
    row: InspectionDueRow
    overdue: bool


@dataclass(frozen=True)
class LiveViews:
    three_months: list[ViewStay]
    families_and_young: list[ViewStay]
    outside_agreement: list[ViewStay]
    inspections_due: list[DueInspection]


async def live_views(queries: PlacementQueries, *, office_id: str | None, today: date) -> LiveViews:
    """`office_id`: an office's stays only (None: every office's)."""
    stays = [ViewStay(r, r.household.children_on(today), r.household.young_on(today))
             for r in await queries.open_stays(office_id, today)]
    temporary = [s for s in stays if s.row.accommodation == "temporary"]
    due = await queries.inspections_due(today, INSPECTIONS_DUE_WITHIN_DAYS)
    return LiveViews(
        three_months=sorted((s for s in temporary if s.row.nights >= model.NEAR_THREE_MONTHS_NIGHTS),
                            key=lambda s: -s.row.nights),
        families_and_young=[s for s in temporary if s.children or s.young],
        outside_agreement=[s for s in stays if s.row.agreement_kind == "none"],
        inspections_due=[DueInspection(d, d.next_due is None or d.next_due < today or d.result == "failed")
                         for d in due])
