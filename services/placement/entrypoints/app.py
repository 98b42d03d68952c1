"""Placement's web app: the API and page routers, and the one place its errors become answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from fastapi import FastAPI

from kit.messagebus import MessageBus
from kit.people import PeopleLookup
from kit.problems import install_error_handlers
from kit.templating import templates
from services.placement.adapters.queries import PlacementQueries
from services.placement.domain.errors import Conflict, Forbidden, NotFound, RuleBroken
from services.placement.entrypoints.api import (
    capacity,
    decisions,
    households,
    imports,
    inspections,
    leader_queue,
    matches,
    providers,
    stays,
    units,
    views,
)
from services.placement.entrypoints.pages import common, overview
from services.placement.entrypoints.pages import decisions as decision_pages
from services.placement.entrypoints.pages import imports as import_pages
from services.placement.entrypoints.pages import providers as provider_pages
from services.placement.entrypoints.pages import stays as stay_pages
from services.placement.entrypoints.pages import units as unit_pages

ROUTERS = (imports, providers, units, inspections, decisions, matches, stays, households, capacity, views,
           leader_queue, overview, decision_pages, stay_pages, provider_pages, unit_pages, import_pages)


def create_app(bus: MessageBus, queries: PlacementQueries, *, today: Callable[[], date], people: PeopleLookup,
               municipality_names: Mapping[str, str] | None = None) -> FastAPI:
    """`municipality_names`: kommunenummer → name (the reference data). The offices the pages name are
    placement's projection of intake's office events (`queries.offices()`); who a household is, intake's
    answer when a page is drawn (`people`)."""
    app = FastAPI(title="Botilbud placement", version="1",
                  description="Plassering og kapasitet: tilbydere, enheter, matching, opphold og levende oversikter.")
    install_error_handlers(app, {NotFound: 404, Forbidden: 403, Conflict: 409, RuleBroken: 422})
    imports.document_answers(app)
    pages = templates(Path(__file__).parent / "templates")
    pages.env.globals.update(destinations=common.DESTINATIONS_NB, agreements=common.AGREEMENTS_NB,
                             accommodations=common.ACCOMMODATION_NB, municipality_names=municipality_names or {})
    app.state.bus, app.state.queries, app.state.today, app.state.people = bus, queries, today, people
    app.state.pages, app.state.municipality_names = pages, dict(municipality_names or {})
    app.state.import_runs = set()  # the history import runs this process writes (api/imports.start_run)
    for module in ROUTERS:
        app.include_router(module.router)
    return app
