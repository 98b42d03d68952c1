"""Placement's HTTP API and pages. Routes translate requests into commands and nothing more."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal
from uuid import UUID

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from botilbud.kit.auth import Role, User, api_user, page_user, require_office, require_role
from botilbud.kit.web import register_domain_error, templates
from services.placement.domain import commands, model
from services.placement.service_layer import handlers

WORKERS = (Role.CASE_WORKER, Role.OFFICE_LEADER)
VIEWERS = (*WORKERS, Role.OPERATIONS, Role.FINANCE, Role.ADMIN)


class PlacementIn(BaseModel):
    decision_id: UUID
    unit_id: UUID
    check_in: date
    justification: str | None = Field(None, max_length=2000)


class MoveOutIn(BaseModel):
    check_out: date
    destination: Literal["municipal_rental", "private_rental", "own_home", "institution", "other_municipality",
                         "other", "unknown"]


def create_app(uow_factory) -> FastAPI:
    app = FastAPI(title="Botilbud placement", version="1", description="Plassering og kapasitet.")
    register_domain_error(app, model.PlacementError)
    pages = templates(Path(__file__).parent / "templates")

    @app.post("/api/stays", status_code=201, tags=["stays"])
    async def post_stay(body: PlacementIn, user: User = Depends(api_user)):
        require_role(user, *WORKERS)
        stay_id = await handlers.place_household(
            commands.PlaceHousehold(body.decision_id, body.unit_id, body.check_in, body.justification),
            uow_factory, lambda office: require_office(user, office))
        return {"stay_id": str(stay_id)}

    @app.post("/api/stays/{stay_id}/move-out", status_code=200, tags=["stays"])
    async def post_move_out(stay_id: UUID, body: MoveOutIn, user: User = Depends(api_user)):
        require_role(user, *WORKERS)
        await handlers.move_out(commands.MoveOut(stay_id, body.check_out, body.destination), uow_factory,
                                lambda office: require_office(user, office))
        return {"stay_id": str(stay_id), "check_out": body.check_out.isoformat()}

    @app.get("/api/decisions/awaiting-place", tags=["decisions"])
    async def awaiting(user: User = Depends(api_user)):
        require_role(user, *WORKERS)
        async with uow_factory() as uow:
            rows = await uow.repo.granted_decisions_awaiting_place(user.office_id, datetime.now(UTC).date())
        return [{"decision_id": str(r["decision_id"]), "household_id": str(r["household_id"]),
                 "office_id": r["office_id"], "period_from": r["period_from"], "period_to": r["period_to"]}
                for r in rows]

    @app.get("/api/capacity", tags=["capacity"])
    async def capacity(municipality: str | None = None, user: User = Depends(api_user)):
        require_role(user, *VIEWERS)
        async with uow_factory() as uow:
            rows = await uow.repo.capacity(municipality)
        return [{**{k: str(v) if isinstance(v, UUID) else v for k, v in dict(r).items()},
                 "free": r["beds"] - r["occupied"]} for r in rows]

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def capacity_page(request: Request, user: User = Depends(page_user)):
        require_role(user, *VIEWERS)
        async with uow_factory() as uow:
            rows = await uow.repo.capacity(None)
        providers: dict[str, dict] = {}
        for r in rows:
            p = providers.setdefault(str(r["provider_id"]), {"name": r["provider"], "municipality": r["municipality"],
                                                              "accommodation": r["accommodation"],
                                                              "agreement": r["agreement_kind"], "beds": 0,
                                                              "occupied": 0, "units": 0})
            p["beds"] += r["beds"]
            p["occupied"] += r["occupied"]
            p["units"] += 1
        return pages.TemplateResponse(request, "capacity.html", {"user": user, "providers": providers.values()})

    return app
