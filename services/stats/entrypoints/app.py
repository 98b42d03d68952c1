"""Stats' web app: the API and page routers, and the errors answered in one place (`kit.problems`)."""

from __future__ import annotations

from fastapi import FastAPI

from kit.problems import install_error_handlers
from services.stats.domain.errors import Conflict, Forbidden, NotFound, RuleBroken, Unavailable
from services.stats.entrypoints.api import kostra as kostra_api
from services.stats.entrypoints.api import rebuild as rebuild_api
from services.stats.entrypoints.api import reports as reports_api
from services.stats.entrypoints.api import weekly as weekly_api
from services.stats.entrypoints.deps import RunRebuild
from services.stats.entrypoints.pages import kostra as kostra_page
from services.stats.entrypoints.pages import rebuild as rebuild_page
from services.stats.entrypoints.pages import reports as reports_page
from services.stats.entrypoints.pages import weekly as weekly_page
from services.stats.service_layer.views import StatsViews

# The weekly report's routes before the reports' `{key}` routes, which would take `uke` for a year's report.
ROUTERS = (kostra_api.router, weekly_api.router, reports_api.router, rebuild_api.router, kostra_page.router,
           weekly_page.router, reports_page.router, rebuild_page.router)
ERRORS = {NotFound: 404, Forbidden: 403, Conflict: 409, RuleBroken: 422, Unavailable: 503}


def create_app(views: StatsViews, rebuild: RunRebuild | None = None) -> FastAPI:
    """`rebuild`: runs a rebuild (None where this process has no broker to read the log from)."""
    app = FastAPI(title="Botilbud stats", version="1", description="Statistikk og KOSTRA.")
    app.state.views = views
    app.state.rebuild = rebuild
    for router in ROUTERS:
        app.include_router(router)
    install_error_handlers(app, ERRORS)
    return app
