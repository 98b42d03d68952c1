"""Placement's typed dependencies: who may do what, the message bus, the queries, the day, and the stay or
decision this user may see (404 when it does not exist, 403 when it is another office's) — one place each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from kit.auth import Role, User, requires
from kit.messagebus import MessageBus
from services.placement.adapters.queries import PlacementQueries, StayHistoryRow
from services.placement.domain import matching, model
from services.placement.domain.errors import (
    DECISION_NOT_FOUND,
    HOUSEHOLD_NOT_FOUND,
    STAY_NOT_FOUND,
    Forbidden,
    NotFound,
)
from services.placement.entrypoints.schemas import KitchenFilter, MinBedsFilter, MunicipalityFilter, TargetGroupFilter

WORKERS = (Role.CASE_WORKER, Role.OFFICE_LEADER)
VIEWERS = (*WORKERS, Role.OPERATIONS, Role.FINANCE, Role.ADMIN)
PROVIDER_ADMINS = (Role.OFFICE_LEADER, Role.ADMIN)

Worker = Annotated[User, Depends(requires(*WORKERS))]
"""Case workers and office leaders: decisions and stays, their own office's only."""
Viewer = Annotated[User, Depends(requires(*VIEWERS))]
"""Everyone: providers, capacity and the live views."""
ProviderAdmin = Annotated[User, Depends(requires(*PROVIDER_ADMINS))]
"""Office leaders and admins: providers and units (and the history import)."""
Inspector = Annotated[User, Depends(requires(*WORKERS, Role.ADMIN))]
"""Case workers, office leaders and admins: inspections."""
OTHER_OFFICE = "Du har bare tilgang til ditt eget Nav-kontor."


def _bus(request: Request) -> MessageBus:
    return request.app.state.bus


def _queries(request: Request) -> PlacementQueries:
    return request.app.state.queries


def _today(request: Request) -> date:
    return request.app.state.today()


def _municipality_names(request: Request) -> dict[str, str]:
    return request.app.state.municipality_names


Bus = Annotated[MessageBus, Depends(_bus)]
Queries = Annotated[PlacementQueries, Depends(_queries)]
Today = Annotated[date, Depends(_today)]
"""The date in Norway (kit.clock), bound in bootstrap so a test can fix it."""
MunicipalityNames = Annotated[dict[str, str], Depends(_municipality_names)]
"""Kommunenummer → name (the reference data)."""


def may_see(user: User, office_id: str, field: str) -> None:
    if not user.may_see_office(office_id):
        raise Forbidden(OTHER_OFFICE, field)


async def decision_for(user: User, decision_id: UUID, queries: PlacementQueries) -> model.GrantedDecision:
    """The decision, when this user may see it (an id from a path or a body)."""
    decision = await queries.decision(decision_id)
    if decision is None:
        raise NotFound(DECISION_NOT_FOUND, "decision_id")
    may_see(user, decision.office_id, "decision_id")
    return decision


async def _visible_decision(decision_id: UUID, user: Worker, queries: Queries) -> model.GrantedDecision:
    return await decision_for(user, decision_id, queries)


async def stay_for(user: User, stay_id: UUID, queries: PlacementQueries) -> model.Stay:
    """The stay, when this user may see it."""
    stay = await queries.stay(stay_id)
    if stay is None:
        raise NotFound(STAY_NOT_FOUND, "stay_id")
    may_see(user, stay.office_id, "stay_id")
    return stay


async def _visible_stay(stay_id: UUID, user: Worker, queries: Queries) -> model.Stay:
    return await stay_for(user, stay_id, queries)


@dataclass(frozen=True)
class HouseholdStays:
    household_id: UUID
    stays: list[StayHistoryRow]


async def _visible_household_stays(household_id: UUID, user: Worker, queries: Queries) -> HouseholdStays:
    """A household placement knows (a decision or a stay of it; 404 otherwise), for a case worker or leader of an
    office that decided on or placed it (403 otherwise): its stays at their office, with their history."""
    offices = await queries.household_offices(household_id)
    if not offices:
        raise NotFound(HOUSEHOLD_NOT_FOUND, "household_id")
    if not any(user.may_see_office(o) for o in offices):
        raise Forbidden(OTHER_OFFICE, "household_id")
    visible = None if user.office_id is None else {user.office_id}
    return HouseholdStays(household_id, await queries.household_stays(household_id, visible))


def _place_filter(everywhere: bool = False, municipality: MunicipalityFilter = None,
                  target_group: TargetGroupFilter = None, kitchen: KitchenFilter = None,
                  min_beds: MinBedsFilter = None) -> matching.PlaceFilter:
    """`everywhere`: also the places outside the office's municipality and its neighbours."""
    return matching.PlaceFilter(everywhere, municipality or None, target_group or None, kitchen or None,
                                int(min_beds) if min_beds else None)


PlaceFilters = Annotated[matching.PlaceFilter, Depends(_place_filter)]
"""Matching's filters from the query (the API's and the places page's)."""

VisibleDecision = Annotated[model.GrantedDecision, Depends(_visible_decision)]
"""The decision in the path, for a case worker or office leader of its office."""
VisibleStay = Annotated[model.Stay, Depends(_visible_stay)]
"""The stay in the path, for a case worker or office leader of its office."""
VisibleHouseholdStays = Annotated[HouseholdStays, Depends(_visible_household_stays)]
"""The household in the path with its stays at the user's office, for a case worker or office leader there."""
