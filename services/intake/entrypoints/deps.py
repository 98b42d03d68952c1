"""Intake's typed dependencies: who the user is and may be, the bus, the queries, and "the case, decision or
household this user may see" — each 404 when missing and 403 when it is another office's, before the route
runs. The handlers check the office again: a route cannot forget it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from kit.auth import CurrentUser, Role, User, requires
from kit.messagebus import MessageBus
from services.intake.adapters.placement import PlacementQueueClient
from services.intake.adapters.queries import IntakeQueries, Owner
from services.intake.domain.errors import Forbidden, NotFound, RuleBroken
from services.intake.domain.model import OTHER_OFFICE_NB, Actor

WORKER_ROLES = (Role.CASE_WORKER, Role.OFFICE_LEADER)

Worker = Annotated[User, Depends(requires(*WORKER_ROLES))]
"""Case workers and office leaders: the office's case work."""
Leader = Annotated[User, Depends(requires(Role.OFFICE_LEADER))]
"""Office leaders: approving and returning decisions."""
AuditReader = Annotated[User, Depends(requires(Role.OFFICE_LEADER, Role.ADMIN))]
"""Who reads the audit log: a leader (own office), an admin (all)."""
Transferrer = Annotated[User, Depends(requires(Role.OFFICE_LEADER, Role.ADMIN))]
"""Who moves a household to another office: a leader of the receiving office, or an admin."""
Admin = Annotated[User, Depends(requires(Role.ADMIN))]
"""Administrators: the office registry."""
Anyone = CurrentUser
"""Every logged-in user: the list of offices (no personal data)."""
PeopleAsker = Annotated[User, Depends(requires(*WORKER_ROLES, Role.SERVICE))]
"""Who may ask who households are: case workers and leaders (their office's households), and a service acting
for an office (billing's requisitions), which names the case worker it acts for."""


def actor_of(user: User) -> Actor:
    return Actor(user.username, user.role.value, user.office_id)


def asker_of(user: User, on_behalf_of: str | None) -> Actor:
    """The actor of a people lookup. A service acts for its office and for the case worker it names (audited as
    theirs, with the service's role); a person acts for themselves."""
    if user.role != Role.SERVICE:
        if on_behalf_of:
            raise RuleBroken("Bare en tjeneste kan slå opp på vegne av en annen.", "on_behalf_of")
        return actor_of(user)
    if not on_behalf_of:
        raise RuleBroken("Oppgi saksbehandleren oppslaget gjøres for.", "on_behalf_of")
    if not user.office_id:
        raise Forbidden(OTHER_OFFICE_NB)
    return Actor(on_behalf_of, Role.SERVICE.value, user.office_id)


def _bus(request: Request) -> MessageBus:
    return request.app.state.bus


def _municipalities(request: Request) -> Mapping[str, str]:
    return request.app.state.municipalities


async def _queries(request: Request) -> AsyncIterator[IntakeQueries]:
    """Reads on one short transaction (rolled back: a query changes nothing)."""
    async with request.app.state.uow_factory() as uow:
        yield uow.queries


def _placement(request: Request) -> PlacementQueueClient:
    return request.app.state.placement


Bus = Annotated[MessageBus, Depends(_bus)]
Placement = Annotated[PlacementQueueClient, Depends(_placement)]
"""Placement's part of the leader's queue, asked on behalf of the user."""
Municipalities = Annotated[Mapping[str, str], Depends(_municipalities)]
"""Kommunenummer → name (SSB), for showing offices."""
Queries = Annotated[IntakeQueries, Depends(_queries)]


def _visible(owner: Owner | None, user: User, missing: str, field: str) -> Owner:
    if owner is None:
        raise NotFound(missing, field)
    if not user.may_see_office(owner.office_id):
        raise Forbidden(OTHER_OFFICE_NB)
    return owner


async def _owner(request: Request, find: Callable[[IntakeQueries], Awaitable[Owner | None]]) -> Owner | None:
    """A short read of its own, so that no connection is held while the route's command runs."""
    async with request.app.state.uow_factory() as uow:
        return await find(uow.queries)


async def _visible_application(application_id: UUID, user: Worker, request: Request) -> Owner:
    owner = await _owner(request, lambda q: q.application_owner(application_id))
    return _visible(owner, user, "Fant ikke søknaden.", "application_id")


async def _visible_decision(decision_id: UUID, user: Worker, request: Request) -> Owner:
    owner = await _owner(request, lambda q: q.decision_owner(decision_id))
    return _visible(owner, user, "Fant ikke vedtaket.", "decision_id")


async def _visible_household(household_id: UUID, user: Worker, request: Request) -> Owner:
    """The household's own office, or an office it was transferred from (which keeps seeing what it did)."""
    owner = await _owner(request, lambda q: q.household_owner(household_id))
    if owner is not None and user.office_id in owner.offices_with_applications:
        return owner
    return _visible(owner, user, "Fant ikke husstanden.", "household_id")


VisibleApplication = Annotated[Owner, Depends(_visible_application)]
VisibleDecision = Annotated[Owner, Depends(_visible_decision)]
VisibleHousehold = Annotated[Owner, Depends(_visible_household)]
