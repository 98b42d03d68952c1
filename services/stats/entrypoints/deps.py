"""Stats' typed dependencies: who may read and who may rebuild, what this user may see, and the service's
parts that the composition root put on `app.state` (the read side and the rebuild)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from kit.auth import OFFICE_SCOPED, Role, User, requires
from services.stats.domain.errors import Unavailable
from services.stats.domain.rebuild import RebuildOutcome
from services.stats.service_layer.views import StatsViews

READERS = (Role.OFFICE_LEADER, Role.CASE_WORKER, Role.OPERATIONS, Role.FINANCE, Role.ADMIN)
REBUILDERS = (Role.OPERATIONS, Role.ADMIN)

Reader = Annotated[User, Depends(requires(*READERS))]
Operator = Annotated[User, Depends(requires(*REBUILDERS))]


def _office_scope(user: Reader) -> str | None:
    """Statistics hold no personal data: every reader may see every municipality's and district's. A list of
    households (pseudonymous ids) is for the office's own people only."""
    return user.office_id if user.role in OFFICE_SCOPED else None


OfficeScope = Annotated[str | None, Depends(_office_scope)]
"""The office whose households this user may see in a list (None: every office's)."""


def _views(request: Request) -> StatsViews:
    return request.app.state.views


Views = Annotated[StatsViews, Depends(_views)]

RunRebuild = Callable[[], Awaitable[RebuildOutcome]]


def _rebuild(request: Request) -> RunRebuild:
    run = request.app.state.rebuild
    if run is None:
        raise Unavailable("Gjenoppbygging er ikke tilgjengelig i denne prosessen (den har ingen meldingsmegler).")
    return run


Rebuild = Annotated[RunRebuild, Depends(_rebuild)]
