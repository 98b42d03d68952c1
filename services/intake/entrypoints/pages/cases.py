"""Pages of one case: the case itself (person, application, decisions with their warnings) and its forms —
decide, approve (with the leader's justification past three months) or send back, extend."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from kit.auth import Role, User
from kit.messagebus import MessageBus
from services.intake.domain.commands import ApproveDecision, ReturnDecision, ViewCase
from services.intake.domain.decisions import LEADER_JUSTIFICATION_NB, LEGAL_BASIS
from services.intake.domain.errors import Conflict, RuleBroken
from services.intake.entrypoints.deps import Bus, Leader, Queries, VisibleApplication, VisibleDecision, Worker, actor_of
from services.intake.entrypoints.mapping import decision_command, extension_command
from services.intake.entrypoints.pages.common import blank_to_none, domain_errors, form_errors, form_values, render
from services.intake.entrypoints.schemas import ApprovalIn, DecisionIn, ExtensionIn, ReturnIn

router = APIRouter(include_in_schema=False)


async def case_page(request: Request, user: User, bus: MessageBus, queries, application_id: UUID, *,
                    errors=None, values=None, form_name: str | None = None, status_code: int = 200):
    case = await bus.handle(ViewCase(actor_of(user), application_id, "Saksbehandling: åpnet saken"))
    latest = case.decisions[-1] if case.decisions else None
    extendable = next((d for d in reversed(case.decisions) if d.outcome == "granted" and d.status == "in_effect"),
                      None)
    if extendable and any(d.extends_decision_id == extendable.id and d.status != "returned" for d in case.decisions):
        extendable = None
    return render(request, "case.html", status_code=status_code, user=user, case=case, latest=latest,
                  extendable=extendable, office=await queries.office(case.application.office_id), errors=errors or {},
                  values=values or {}, form_name=form_name, is_leader=user.role == Role.OFFICE_LEADER,
                  default_basis=LEGAL_BASIS, leader_justification_nb=LEADER_JUSTIFICATION_NB)


def _to_case(application_id: UUID) -> RedirectResponse:
    return RedirectResponse(f"/intake/applications/{application_id}", status_code=303)


@router.get("/applications/{application_id}", response_class=HTMLResponse)
async def show_case(request: Request, case: VisibleApplication, user: Worker, bus: Bus, queries: Queries):
    return await case_page(request, user, bus, queries, case.id)


@router.post("/applications/{application_id}/decision", response_class=HTMLResponse)
async def decide_page(request: Request, case: VisibleApplication, user: Worker, bus: Bus, queries: Queries):
    values = await form_values(request)
    try:
        body = DecisionIn.model_validate({
            "outcome": values.get("outcome") or None, "period_from": blank_to_none(values.get("period_from")),
            "period_to": blank_to_none(values.get("period_to")), "conditions": values["conditions"],
            "legal_basis": values.get("legal_basis", "").strip(),
            "consequence": blank_to_none(values.get("consequence")),
            "refusal_reason": blank_to_none(values.get("refusal_reason")),
            "justification": blank_to_none(values.get("justification"))})
        await bus.handle(decision_command(body, actor_of(user), case.id))
        return _to_case(case.id)
    except ValidationError as exc:
        errors = form_errors(exc)
    except (RuleBroken, Conflict) as exc:
        errors = domain_errors(exc)
    return await case_page(request, user, bus, queries, case.id, errors=errors, values=values, form_name="decide",
                           status_code=422)


@router.post("/decisions/{decision_id}/approve", response_class=HTMLResponse)
async def approve_page(request: Request, decision: VisibleDecision, user: Leader, bus: Bus, queries: Queries):
    values = await form_values(request)
    try:
        body = ApprovalIn(justification=blank_to_none(values.get("leader_justification")))
        await bus.handle(ApproveDecision(actor_of(user), decision.id, body.justification))
        if values.get("back") == "queue":  # approved from the leader's queue: back to it
            return RedirectResponse("/intake/queue", status_code=303)
        return _to_case(decision.application_id)
    except ValidationError as exc:
        errors = {"leader_justification": next(iter(form_errors(exc).values()))}
    except RuleBroken as exc:
        errors = {"leader_justification": str(exc)}
    except Conflict as exc:
        errors = {"approve": str(exc)}
    return await case_page(request, user, bus, queries, decision.application_id, errors=errors, values=values,
                           form_name="approve", status_code=409 if "approve" in errors else 422)


@router.post("/decisions/{decision_id}/return", response_class=HTMLResponse)
async def return_page(request: Request, decision: VisibleDecision, user: Leader, bus: Bus, queries: Queries):
    values = await form_values(request)
    try:
        body = ReturnIn(reason=values.get("reason", ""))
        await bus.handle(ReturnDecision(actor_of(user), decision.id, body.reason))
        return _to_case(decision.application_id)
    except ValidationError as exc:
        errors = form_errors(exc)
    except (RuleBroken, Conflict) as exc:
        errors = domain_errors(exc, default="return")
    return await case_page(request, user, bus, queries, decision.application_id, errors=errors, values=values,
                           form_name="approve", status_code=422)


@router.post("/decisions/{decision_id}/extend", response_class=HTMLResponse)
async def extend_page(request: Request, decision: VisibleDecision, user: Worker, bus: Bus, queries: Queries):
    values = await form_values(request)
    try:
        body = ExtensionIn.model_validate({
            "period_to": blank_to_none(values.get("ext_period_to")), "conditions": values["conditions"],
            "consequence": blank_to_none(values.get("ext_consequence")),
            "justification": blank_to_none(values.get("ext_justification"))})
        await bus.handle(extension_command(body, actor_of(user), decision.id))
        return _to_case(decision.application_id)
    except ValidationError as exc:
        errors = form_errors(exc, prefix="ext_")
    except (RuleBroken, Conflict) as exc:
        errors = domain_errors(exc, prefix="ext_")
    return await case_page(request, user, bus, queries, decision.application_id, errors=errors, values=values,
                           form_name="extend", status_code=422)
