"""Intake's HTTP API and pages. Routes translate requests into commands and nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal
from uuid import UUID

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from botilbud.kit.auth import Role, User, api_user, page_user, require_office, require_role
from botilbud.kit.web import register_domain_error, templates
from contracts import PlacementNeeds
from services.intake.domain import commands, model
from services.intake.service_layer import handlers

WORKERS = (Role.CASE_WORKER, Role.OFFICE_LEADER)


class ApplicationIn(BaseModel):
    identity_number: str = Field(min_length=11, max_length=13, description="Fødselsnummer or D-nummer.")
    name: str = Field(min_length=1, max_length=200)
    office_id: str = Field(max_length=64)
    received_at: datetime | None = Field(None, description="Defaults to now.")
    channel: Literal["in_person", "phone", "provider", "digital"] = "in_person"
    urgent: bool = False
    children_birth_dates: list[date] = Field(default_factory=list, max_length=20)
    adults: int = Field(1, ge=1, le=20)
    needs: PlacementNeeds = Field(default_factory=PlacementNeeds)


class ApplicationOut(BaseModel):
    application_id: UUID
    household_id: UUID


class DecisionIn(BaseModel):
    outcome: Literal["granted", "refused"]
    period_from: date | None = None
    period_to: date | None = None
    conditions: list[Literal["boligskole", "boliglogg", "other_activity"]] = Field(default_factory=list)


class DecisionOut(BaseModel):
    decision_id: UUID


@dataclass
class IntakeDeps:
    uow_factory: object
    protector: object
    offices: dict[str, model.Office]


def create_app(deps: IntakeDeps) -> FastAPI:
    app = FastAPI(title="Botilbud intake", version="1", description="Søknader og vedtak (§ 27).")
    register_domain_error(app, model.IntakeError)
    pages = templates(Path(__file__).parent / "templates")

    @app.post("/api/applications", status_code=201, response_model=ApplicationOut, tags=["applications"])
    async def post_application(body: ApplicationIn, user: User = Depends(api_user)):
        require_role(user, *WORKERS)
        require_office(user, body.office_id)
        received = await handlers.receive_application(
            commands.ReceiveApplication(
                identity_number=body.identity_number, name=body.name, office_id=body.office_id,
                received_at=body.received_at or datetime.now(UTC), channel=body.channel, urgent=body.urgent,
                children_birth_dates=tuple(body.children_birth_dates), adults=body.adults,
                needs=body.needs.model_dump()),
            deps.uow_factory, deps.protector, deps.offices)
        return ApplicationOut(application_id=received.application_id, household_id=received.household_id)

    @app.post("/api/applications/{application_id}/decision", status_code=201, response_model=DecisionOut,
              tags=["decisions"])
    async def post_decision(application_id: UUID, body: DecisionIn, user: User = Depends(api_user)):
        require_role(user, *WORKERS)
        decision_id = await handlers.make_decision(
            commands.MakeDecision(application_id, body.outcome, body.period_from, body.period_to,
                                  datetime.now(UTC), tuple(body.conditions)),
            deps.uow_factory, deps.offices, office_check=lambda office: require_office(user, office))
        return DecisionOut(decision_id=decision_id)

    @app.get("/api/applications", tags=["applications"])
    async def list_applications(user: User = Depends(api_user)):
        require_role(user, *WORKERS)
        async with deps.uow_factory() as uow:
            rows = await uow.repo.applications(user.office_id)
        return [_jsonable(r) for r in rows]

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def cases_page(request: Request, user: User = Depends(page_user)):
        require_role(user, *WORKERS)
        async with deps.uow_factory() as uow:
            rows = await uow.repo.applications(user.office_id)
        return pages.TemplateResponse(request, "cases.html", {"user": user, "cases": rows})

    return app


def _jsonable(row) -> dict:
    return {k: (str(v) if isinstance(v, UUID) else v) for k, v in dict(row).items()}
