"""Intake's HTTP API (JSON, OpenAPI) and web pages (Norwegian). Routes translate requests into handler calls
and nothing more. An identity number never travels in a URL: lookups are POSTs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi.responses import HTMLResponse

from kit.auth import User, api_user, require_role
from kit.problems import install_error_handlers
from kit.templating import templates
from services.intake.domain import commands, model
from services.intake.entrypoints.pages import add_pages
from services.intake.entrypoints.schemas import (
    AUDIT_READERS,
    LEADERS,
    WORKERS,
    ApplicationIn,
    ApplicationOut,
    DecisionIn,
    DecisionOut,
    ExtensionIn,
    IntakeDeps,
    LookupIn,
    ReturnIn,
    actor_of,
    application_out,
    decision_out,
    history_out,
    household_out,
    jsonable,
    receive_command,
    terms_of,
)
from services.intake.service_layer import handlers

__all__ = ["create_app", "IntakeDeps", "HTMLResponse"]


def _require_own_office(user: User, office_id: str) -> None:
    if not user.may_see_office(office_id):
        raise HTTPException(403, "Du har bare tilgang til ditt eget Nav-kontor.")


def create_app(deps: IntakeDeps) -> FastAPI:
    app = FastAPI(title="Botilbud intake", version="1",
                  description="Husstander, søknader og vedtak om midlertidig botilbud (sosialtjenesteloven § 27).")
    install_error_handlers(app, {model.IntakeError: 422})
    uow = deps.uow_factory
    rules = deps.warning_rules

    # ---- API ---------------------------------------------------------------------------------------------
    @app.post("/api/applications", status_code=201, response_model=ApplicationOut, tags=["applications"])
    async def post_application(body: ApplicationIn, user: User = Depends(api_user)):
        """Register an application (søknad); creates the household or finds it by identity number."""
        require_role(user, *WORKERS)
        _require_own_office(user, body.office_id)
        now = datetime.now(UTC)
        received = await handlers.receive_application(
            receive_command(body, user, now), uow, deps.protector, deps.offices,
            allow_synthetic=deps.allow_synthetic_ids, now=now)
        return ApplicationOut(application_id=received.application_id, household_id=received.household_id,
                              new_household=received.new_household)

    @app.get("/api/applications", tags=["applications"])
    async def list_applications(open_only: bool = False, user: User = Depends(api_user)):
        """The caller's office's cases, without personal data."""
        require_role(user, *WORKERS)
        rows = await handlers.case_list(uow, office_id=user.office_id, open_only=open_only)
        return [jsonable(r) for r in rows]

    @app.get("/api/applications/{application_id}", tags=["applications"])
    async def get_application(application_id: UUID, purpose: str = Query(..., min_length=1, max_length=200),
                              user: User = Depends(api_user)):
        """One case with the household's personal data (audited with the purpose given)."""
        require_role(user, *WORKERS)
        case = await handlers.view_case(application_id, uow, actor=actor_of(user), purpose=purpose)
        return {"application": application_out(case.application), "household": household_out(case.household),
                "decisions": [decision_out(d).model_dump() for d in case.decisions]}

    @app.post("/api/applications/{application_id}/decision", status_code=201, response_model=DecisionOut,
              tags=["decisions"])
    async def post_decision(application_id: UUID, body: DecisionIn, user: User = Depends(api_user)):
        """Decide: granted with a period, or refused with a reason. Warnings come back in `warnings`; at an
        office that requires it the decision waits for a second approval (`status` awaiting_approval)."""
        require_role(user, *WORKERS)
        decision = await handlers.make_decision(
            commands.MakeDecision(application_id, terms_of(body), user.username, datetime.now(UTC)), uow,
            deps.offices, actor=actor_of(user), rules=rules)
        return decision_out(decision)

    @app.post("/api/decisions/{decision_id}/extension", status_code=201, response_model=DecisionOut,
              tags=["decisions"])
    async def post_extension(decision_id: UUID, body: ExtensionIn, user: User = Depends(api_user)):
        """Extend (forlengelse): a new granted decision from the day after the previous period."""
        require_role(user, *WORKERS)
        decision = await handlers.extend_decision(
            commands.ExtendDecision(decision_id, body.period_to, user.username, datetime.now(UTC),
                                    tuple(body.conditions), body.consequence, body.justification),
            uow, deps.offices, actor=actor_of(user), rules=rules)
        return decision_out(decision)

    @app.post("/api/decisions/{decision_id}/approval", response_model=DecisionOut, tags=["decisions"])
    async def post_approval(decision_id: UUID, user: User = Depends(api_user)):
        """Second approval by an office leader other than the one who decided; the decision takes effect."""
        require_role(user, *LEADERS)
        decision = await handlers.approve_decision(decision_id, uow, deps.offices, actor=actor_of(user),
                                                   at=datetime.now(UTC))
        return decision_out(decision)

    @app.post("/api/decisions/{decision_id}/return", response_model=DecisionOut, tags=["decisions"])
    async def post_return(decision_id: UUID, body: ReturnIn, user: User = Depends(api_user)):
        """Send a decision awaiting approval back to the case worker."""
        require_role(user, *LEADERS)
        decision = await handlers.return_decision(decision_id, body.reason, uow, actor=actor_of(user))
        return decision_out(decision)

    @app.post("/api/households/lookup", tags=["households"])
    async def post_lookup(body: LookupIn, user: User = Depends(api_user)):
        """Find the office's household by identity number (POST: the number never goes in a URL)."""
        require_role(user, *WORKERS)
        history = await handlers.lookup_household(
            body.identity_number, uow, deps.protector, actor=actor_of(user), purpose=body.purpose,
            allow_synthetic=deps.allow_synthetic_ids, now=datetime.now(UTC))
        if history is None:
            raise HTTPException(404, "Ingen husstand med dette nummeret ved ditt kontor.")
        return history_out(history)

    @app.get("/api/households/{household_id}", tags=["households"])
    async def get_household(household_id: UUID, purpose: str = Query(..., min_length=1, max_length=200),
                            user: User = Depends(api_user)):
        """A household's history: applications and decisions (audited with the purpose given)."""
        require_role(user, *WORKERS)
        history = await handlers.household_history(household_id, uow, actor=actor_of(user), purpose=purpose)
        return history_out(history)

    @app.get("/api/audit", tags=["audit"])
    async def get_audit(user: User = Depends(api_user)):
        """Who viewed or searched a person's data, when, which household and why (leader: own office)."""
        require_role(user, *AUDIT_READERS)
        rows = await handlers.audit_entries(uow, office_id=user.office_id)
        return [jsonable(r) for r in rows]

    add_pages(app, deps, templates(Path(__file__).parent / "templates"))
    return app


