"""Stats' typed dependencies: who may read and who may rebuild, what this user may see, and the service's
parts that the composition root put on `app.state` (the read side and the rebuild)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from kit.auth import MUNICIPALITY_SCOPED, OFFICE_SCOPED, Role, User, requires
from services.stats.domain.errors import Forbidden, Unavailable
from services.stats.domain.rebuild import RebuildOutcome
from services.stats.service_layer.views import OFFICE_LISTS, REPORTS, StatsViews

READERS = (Role.OFFICE_LEADER, Role.CASE_WORKER, Role.OPERATIONS, Role.FINANCE, Role.ADMIN,
           Role.MUNICIPALITY_STAFF)
REBUILDERS = (Role.OPERATIONS, Role.ADMIN)

Reader = Annotated[User, Depends(requires(*READERS))]
Operator = Annotated[User, Depends(requires(*REBUILDERS))]


def _office_scope(user: Reader) -> str | None:
    """Statistics hold no personal data: every reader may see every municipality's and district's. A list of
    households (pseudonymous ids) is for the office's own people only."""
    return user.office_id if user.role in OFFICE_SCOPED else None


OfficeScope = Annotated[str | None, Depends(_office_scope)]
"""The office whose households this user may see in a list (None: every office's)."""


@dataclass(frozen=True)
class MunicipalityScope:
    """What the municipality's own staff may read: the statistics of every office of their municipality, and
    no list of households (those are for the offices' people). Everyone else: no limit here."""

    municipality: str | None

    @property
    def reports(self) -> dict[str, str]:
        return {k: t for k, t in REPORTS.items() if self.municipality is None or k not in OFFICE_LISTS}

    def check(self, municipality: str, report: str | None = None) -> None:
        if self.municipality is not None and municipality != self.municipality:
            raise Forbidden(f"Du har bare tilgang til statistikken for din egen kommune ({self.municipality}).",
                            field="municipality")
        if report is not None and report in REPORTS and report not in self.reports:
            raise Forbidden("Lister over husstander er for Nav-kontorenes ansatte; kommunens stab ser tallene.")


def _municipality_scope(user: Reader) -> MunicipalityScope:
    return MunicipalityScope(user.municipality if user.role in MUNICIPALITY_SCOPED else None)


Municipal = Annotated[MunicipalityScope, Depends(_municipality_scope)]


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
