"""Intake's web app: the JSON API (OpenAPI) and the Norwegian pages, with the domain's errors answered in
one place. What the routes read from `app.state`: the bus, the unit-of-work factory (for queries) and the
municipalities' names (the reference data)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fastapi import FastAPI, Request

from kit.auth import request_token, user_from_request
from kit.messagebus import MessageBus
from kit.problems import install_error_handlers
from services.intake.adapters.case_parts import CasePartsLookup
from services.intake.adapters.placement import PlacementQueueClient
from services.intake.domain.errors import Conflict, Forbidden, NotFound, RuleBroken
from services.intake.entrypoints.api import applications, audit, decisions, households, offices, people, queue, search
from services.intake.entrypoints.pages import applications as application_pages
from services.intake.entrypoints.pages import cases as case_pages
from services.intake.entrypoints.pages import households as household_pages
from services.intake.entrypoints.pages import office_import as office_import_pages
from services.intake.entrypoints.pages import offices as office_pages
from services.intake.entrypoints.pages import queue as queue_pages
from services.intake.entrypoints.pages import search as search_pages
from services.intake.service_layer.queue import queue_count


def _no_address(service: str) -> str:
    raise LookupError(service)


ERRORS = {NotFound: 404, Forbidden: 403, Conflict: 409, RuleBroken: 422}
ROUTERS = (applications.router, decisions.router, search.router, households.router, people.router, queue.router,
           audit.router,
           offices.router,  # last of the API: its paths come after the case work's in the OpenAPI document
           application_pages.router,  # before the case pages: /applications/new is not an application id
           case_pages.router, household_pages.router, search_pages.router, queue_pages.router,
           office_import_pages.router,  # before the office pages: /offices/import is not an office id
           office_pages.router)


def create_app(*, bus: MessageBus, uow_factory: Callable, municipalities: Mapping[str, str],
               case_parts: CasePartsLookup | None = None, placement: PlacementQueueClient | None = None) -> FastAPI:
    """`case_parts`: asks placement and billing for their parts of a household's case page (none given: the
    page says their addresses are not set); `placement`: the leader's queue's part from placement."""
    app = FastAPI(title="Botilbud intake", version="1",
                  description="Husstander, søknader og vedtak om midlertidig botilbud (sosialtjenesteloven § 27).")
    app.state.bus = bus
    app.state.uow_factory = uow_factory
    app.state.municipalities = municipalities
    app.state.case_parts = case_parts or CasePartsLookup(_no_address)
    app.state.placement = placement or PlacementQueueClient(lambda: _no_address("placement"))

    async def header_count(request: Request) -> int | None:
        """The leader's queue count on intake's own pages: asked in process (placement's part over HTTP)."""
        user = user_from_request(request)
        if user is None or not user.office_id:
            return None
        count, _ = await queue_count(uow_factory, app.state.placement, office_id=user.office_id,
                                     username=user.username, token=request_token(request))
        return count

    app.state.header_count = header_count
    install_error_handlers(app, ERRORS)
    for router in ROUTERS:
        app.include_router(router)
    return app
