"""Stats' HTTP API and pages."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse

from botilbud.kit.auth import Role, User, api_user, page_user, require_role
from botilbud.kit.web import templates
from services.stats.domain.kostra import KostraRules
from services.stats.service_layer import handlers

READERS = (Role.OFFICE_LEADER, Role.CASE_WORKER, Role.OPERATIONS, Role.FINANCE, Role.ADMIN)


def create_app(uow_factory, rules: KostraRules) -> FastAPI:
    app = FastAPI(title="Botilbud stats", version="1", description="Statistikk og KOSTRA.")
    pages = templates(Path(__file__).parent / "templates")

    async def report(year: int, municipality: str, district: str | None) -> dict:
        counts = await handlers.kostra_report(uow_factory, year=year, municipality=municipality,
                                              district=district, today=datetime.now(UTC).date(), rules=rules)
        return {"year": year, "municipality": municipality, "district": district, **counts,
                "settings": asdict(rules)}

    @app.get("/api/kostra", tags=["kostra"])
    async def kostra(year: int = Query(ge=2000, le=2100), municipality: str = Query(pattern=r"^\d{4}$"),
                     district: str | None = Query(None, max_length=64), user: User = Depends(api_user)):
        require_role(user, *READERS)
        return await report(year, municipality, district)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def kostra_page(request: Request, year: int | None = None, municipality: str = "0301",
                          user: User = Depends(page_user)):
        require_role(user, *READERS)
        year = year or datetime.now(UTC).year
        return pages.TemplateResponse(request, "kostra.html",
                                      {"user": user, "report": await report(year, municipality, None)})

    return app
