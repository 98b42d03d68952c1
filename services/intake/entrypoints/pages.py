"""Intake's web pages (Norwegian bokmål): server-side forms that keep what the user typed and show each error
next to its field. Personal data is shown only on the case and household pages, and each view is audited."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from kit.auth import Role, User, page_user, require_role
from services.intake.domain import commands, model
from services.intake.entrypoints.schemas import (
    AUDIT_READERS,
    LEADERS,
    WORKERS,
    ApplicationIn,
    DecisionIn,
    ExtensionIn,
    IntakeDeps,
    actor_of,
    form_errors,
    receive_command,
    terms_of,
)
from services.intake.service_layer import handlers

NEED_FLAGS = [
    ("substance_use", "Aktiv rusbruk"), ("low_boevne", "Lav boevne"), ("mental_health", "Psykisk helse"),
    ("violence_risk", "Risiko for vold"), ("needs_kitchen", "Trenger kjøkken"),
    ("reduced_mobility", "Nedsatt bevegelighet (trinnfri tilgang)"), ("couple", "Bor med partner"),
    ("wants_substance_free", "Ønsker rusfritt miljø"),
]
CHANNELS_NB = {"in_person": "Oppmøte", "phone": "Telefon", "provider": "Fra tilbyder", "digital": "Digitalt"}
CONDITIONS_NB = {"boligskole": "Boligskole", "boliglogg": "Boliglogg", "other_activity": "Annen aktivitet"}
STATUS_NB = {"received": "Mottatt", "awaiting_approval": "Venter på godkjenning", "decided": "Avgjort"}
DECISION_STATUS_NB = {"awaiting_approval": "Venter på godkjenning", "in_effect": "Gjelder",
                      "returned": "Sendt tilbake"}
OUTCOME_NB = {"granted": "Innvilget", "refused": "Avslag"}
ACTION_NB = {"search": "Søk på fødselsnummer", "view_case": "Åpnet sak", "view_household": "Åpnet husstand"}
SEX_NB = {"": "Ikke oppgitt", "female": "Kvinne", "male": "Mann", "non_binary": "Ikke-binær"}


def _date_nb(value) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


OSLO = ZoneInfo("Europe/Oslo")


def _datetime_nb(value) -> str:
    return value.astimezone(OSLO).strftime("%d.%m.%Y %H:%M") if value else ""


def _received_at(text: str | None) -> str | None:
    """The form's datetime-local (Norwegian local time) as an aware timestamp; empty = now."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=OSLO).isoformat()
    except ValueError:
        return text  # left for the model to refuse, naming the field


def _age(birth: date) -> int:
    return model.age_on(birth, datetime.now(UTC).date())


def _masked(number: str | None) -> str:
    return f"{number[:6]} *****" if number else ""


def _parse_dates(text: str) -> list[str]:
    """Children's birth dates typed as dd.mm.åååå (or åååå-mm-dd), separated by commas or spaces."""
    out = []
    for part in [p for p in re.split(r"[,\s;]+", text or "") if p]:
        try:
            if "." in part:
                d, m, y = part.split(".")
                out.append(date(int(y), int(m), int(d)).isoformat())
            else:
                out.append(date.fromisoformat(part).isoformat())
        except ValueError as exc:
            raise ValueError(part) from exc
    return out


def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def add_pages(app: FastAPI, deps: IntakeDeps, pages: Jinja2Templates) -> None:
    env = pages.env
    env.filters["date_nb"] = _date_nb
    env.filters["datetime_nb"] = _datetime_nb
    env.filters["masked"] = _masked
    env.globals.update(NEED_FLAGS=NEED_FLAGS, CHANNELS_NB=CHANNELS_NB, CONDITIONS_NB=CONDITIONS_NB,
                       STATUS_NB=STATUS_NB, DECISION_STATUS_NB=DECISION_STATUS_NB, OUTCOME_NB=OUTCOME_NB,
                       ACTION_NB=ACTION_NB, SEX_NB=SEX_NB, WARNING_TEXTS_NB=model.WARNING_TEXTS_NB, age=_age)
    uow = deps.uow_factory

    def render(request: Request, name: str, status_code: int = 200, **context):
        return pages.TemplateResponse(request, name, context, status_code=status_code)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def cases_page(request: Request, alle: bool = False, user: User = Depends(page_user)):
        require_role(user, *WORKERS)
        rows = await handlers.case_list(uow, office_id=user.office_id, open_only=not alle)
        office = deps.offices.get(user.office_id or "")
        return render(request, "cases.html", user=user, cases=rows, all_cases=alle, office=office)

    # -- new application -----------------------------------------------------------------------------
    @app.get("/applications/new", response_class=HTMLResponse, include_in_schema=False)
    async def new_application_page(request: Request, user: User = Depends(page_user)):
        require_role(user, *WORKERS)
        return render(request, "new.html", user=user, values={"adults": "1", "channel": "in_person"}, errors={},
                      lookup=None, lookup_done=False)

    @app.post("/lookup", response_class=HTMLResponse, include_in_schema=False)
    async def lookup_page(request: Request, user: User = Depends(page_user)):
        require_role(user, *WORKERS)
        form = await request.form()
        number = str(form.get("lookup_identity_number", "")).strip()
        purpose = str(form.get("lookup_purpose", "")).strip()
        values = {"adults": "1", "channel": "in_person", "lookup_identity_number": number,
                  "lookup_purpose": purpose}
        errors: dict[str, str] = {}
        history = None
        try:
            history = await handlers.lookup_household(
                number, uow, deps.protector, actor=actor_of(user), purpose=purpose,
                allow_synthetic=deps.allow_synthetic_ids, now=datetime.now(UTC))
        except model.IntakeError as exc:
            errors["lookup_" + (exc.field or "identity_number")] = str(exc)
        if not errors:
            values["identity_number"] = number
            if history is not None:
                h = history.household
                values.update(name=h.name or "", phone=h.phone or "", address=h.address or "",
                              no_fixed_address="on" if h.no_fixed_address else "",
                              preferred_language=h.preferred_language or "", adults=str(h.adults),
                              children_birth_dates=", ".join(_date_nb(c) for c in h.children_birth_dates),
                              sex=str(h.needs.get("sex") or ""),
                              **{k: "on" for k, _ in NEED_FLAGS if h.needs.get(k)})
        return render(request, "new.html", status_code=422 if errors else 200, user=user, values=values,
                      errors=errors, lookup=history, lookup_done=not errors)

    @app.post("/applications/new", response_class=HTMLResponse, include_in_schema=False)
    async def create_application_page(request: Request, user: User = Depends(page_user)):
        require_role(user, *WORKERS)
        form = await request.form()
        values = {k: str(v) for k, v in form.items()}
        errors: dict[str, str] = {}
        try:
            children = _parse_dates(values.get("children_birth_dates", ""))
        except ValueError as exc:
            errors["children_birth_dates"] = f"Ugyldig dato: «{exc}». Skriv dd.mm.åååå, skill med komma."
            children = []
        data = {
            "identity_number": values.get("identity_number", "").strip(), "name": values.get("name", "").strip(),
            "office_id": user.office_id or "", "channel": values.get("channel", "in_person"),
            "received_at": _received_at(values.get("received_at")),
            "urgent": "urgent" in form, "children_birth_dates": children,
            "adults": values.get("adults") or "1", "phone": _blank_to_none(values.get("phone")),
            "address": _blank_to_none(values.get("address")), "no_fixed_address": "no_fixed_address" in form,
            "preferred_language": _blank_to_none(values.get("preferred_language")),
            "provider_org_number": _blank_to_none(values.get("provider_org_number")),
            "wishes": _blank_to_none(values.get("wishes")), "notes": _blank_to_none(values.get("notes")),
            "needs": {**{k: k in form for k, _ in NEED_FLAGS}, "sex": values.get("sex") or None},
        }
        body = None
        try:
            body = ApplicationIn.model_validate(data)
        except ValidationError as exc:
            errors = {**form_errors(exc), **errors}
        if body is not None and not errors:
            now = datetime.now(UTC)
            try:
                received = await handlers.receive_application(
                    receive_command(body, user, now), uow, deps.protector, deps.offices,
                    allow_synthetic=deps.allow_synthetic_ids, now=now)
                return RedirectResponse(f"/intake/applications/{received.application_id}", status_code=303)
            except model.IntakeError as exc:
                errors[exc.field or "form"] = str(exc)
        return render(request, "new.html", status_code=422, user=user, values=values, errors=errors, lookup=None,
                      lookup_done=True)

    # -- one case: decide, approve, extend -------------------------------------------------------------
    async def case_page(request: Request, user: User, application_id: UUID, *, errors=None, values=None,
                        form_name: str | None = None, status_code: int = 200):
        try:
            case = await handlers.view_case(application_id, uow, actor=actor_of(user),
                                            purpose="Saksbehandling: åpnet saken")
        except model.IntakeError as exc:
            raise HTTPException(exc.status_code, str(exc)) from exc
        latest = case.decisions[-1] if case.decisions else None
        extendable = next((d for d in reversed(case.decisions)
                           if d.outcome == "granted" and d.status == "in_effect"), None)
        if extendable and any(d.extends_decision_id == extendable.id and d.status != "returned"
                              for d in case.decisions):
            extendable = None
        office = deps.offices.get(case.application.office_id)
        return render(request, "case.html", status_code=status_code, user=user, case=case, latest=latest,
                      extendable=extendable, office=office, errors=errors or {}, values=values or {},
                      form_name=form_name, is_leader=user.role == Role.OFFICE_LEADER,
                      default_basis=model.LEGAL_BASIS)

    @app.get("/applications/{application_id}", response_class=HTMLResponse, include_in_schema=False)
    async def show_case(request: Request, application_id: UUID, user: User = Depends(page_user)):
        require_role(user, *WORKERS)
        return await case_page(request, user, application_id)

    @app.post("/applications/{application_id}/decision", response_class=HTMLResponse, include_in_schema=False)
    async def decide_page(request: Request, application_id: UUID, user: User = Depends(page_user)):
        require_role(user, *WORKERS)
        form = await request.form()
        values = {k: str(v) for k, v in form.items()}
        values["conditions"] = form.getlist("conditions")
        errors: dict[str, str] = {}
        try:
            body = DecisionIn.model_validate({
                "outcome": values.get("outcome") or None, "period_from": _blank_to_none(values.get("period_from")),
                "period_to": _blank_to_none(values.get("period_to")), "conditions": values["conditions"],
                "legal_basis": values.get("legal_basis", "").strip(),
                "consequence": _blank_to_none(values.get("consequence")),
                "refusal_reason": _blank_to_none(values.get("refusal_reason")),
                "justification": _blank_to_none(values.get("justification"))})
            await handlers.make_decision(
                commands.MakeDecision(application_id, terms_of(body), user.username, datetime.now(UTC)), uow,
                deps.offices, actor=actor_of(user), rules=deps.warning_rules)
            return RedirectResponse(f"/intake/applications/{application_id}", status_code=303)
        except ValidationError as exc:
            errors = form_errors(exc)
        except model.IntakeError as exc:
            if exc.status_code in (403, 404):
                raise HTTPException(exc.status_code, str(exc)) from exc
            errors[exc.field or "form"] = str(exc)
        return await case_page(request, user, application_id, errors=errors, values=values, form_name="decide",
                               status_code=422)

    async def _decision_application(decision_id: UUID) -> UUID:
        application_id = await handlers.decision_application(decision_id, uow)
        if application_id is None:
            raise HTTPException(404, "Fant ikke vedtaket.")
        return application_id

    @app.post("/decisions/{decision_id}/approve", response_class=HTMLResponse, include_in_schema=False)
    async def approve_page(request: Request, decision_id: UUID, user: User = Depends(page_user)):
        require_role(user, *LEADERS)
        application_id = await _decision_application(decision_id)
        try:
            await handlers.approve_decision(decision_id, uow, deps.offices, actor=actor_of(user),
                                            at=datetime.now(UTC))
        except model.IntakeError as exc:
            if exc.status_code in (403, 404):
                raise HTTPException(exc.status_code, str(exc)) from exc
            return await case_page(request, user, application_id, errors={"approve": str(exc)},
                                   form_name="approve", status_code=409)
        return RedirectResponse(f"/intake/applications/{application_id}", status_code=303)

    @app.post("/decisions/{decision_id}/return", response_class=HTMLResponse, include_in_schema=False)
    async def return_page(request: Request, decision_id: UUID, user: User = Depends(page_user)):
        require_role(user, *LEADERS)
        application_id = await _decision_application(decision_id)
        form = await request.form()
        reason = str(form.get("reason", ""))
        try:
            if len(reason) > 2000:
                raise model.IntakeError("For langt: høyst 2000 tegn.", "reason")
            await handlers.return_decision(decision_id, reason, uow, actor=actor_of(user))
        except model.IntakeError as exc:
            if exc.status_code in (403, 404):
                raise HTTPException(exc.status_code, str(exc)) from exc
            return await case_page(request, user, application_id, errors={exc.field or "return": str(exc)},
                                   values={"reason": reason}, form_name="approve", status_code=422)
        return RedirectResponse(f"/intake/applications/{application_id}", status_code=303)

    @app.post("/decisions/{decision_id}/extend", response_class=HTMLResponse, include_in_schema=False)
    async def extend_page(request: Request, decision_id: UUID, user: User = Depends(page_user)):
        require_role(user, *WORKERS)
        application_id = await _decision_application(decision_id)
        form = await request.form()
        values = {k: str(v) for k, v in form.items()}
        values["conditions"] = form.getlist("conditions")
        errors: dict[str, str] = {}
        try:
            body = ExtensionIn.model_validate({
                "period_to": _blank_to_none(values.get("ext_period_to")), "conditions": values["conditions"],
                "consequence": _blank_to_none(values.get("ext_consequence")),
                "justification": _blank_to_none(values.get("ext_justification"))})
            await handlers.extend_decision(
                commands.ExtendDecision(decision_id, body.period_to, user.username, datetime.now(UTC),
                                        tuple(body.conditions), body.consequence, body.justification),
                uow, deps.offices, actor=actor_of(user), rules=deps.warning_rules)
            return RedirectResponse(f"/intake/applications/{application_id}", status_code=303)
        except ValidationError as exc:
            errors = {f"ext_{k}": v for k, v in form_errors(exc).items()}
        except model.IntakeError as exc:
            if exc.status_code in (403, 404):
                raise HTTPException(exc.status_code, str(exc)) from exc
            errors["ext_" + (exc.field or "form")] = str(exc)
        return await case_page(request, user, application_id, errors=errors, values=values, form_name="extend",
                               status_code=422)

    # -- household history and the audit log -----------------------------------------------------------
    @app.get("/households/{household_id}", response_class=HTMLResponse, include_in_schema=False)
    async def household_page(request: Request, household_id: UUID, user: User = Depends(page_user)):
        require_role(user, *WORKERS)
        try:
            history = await handlers.household_history(household_id, uow, actor=actor_of(user),
                                                       purpose="Saksbehandling: så historikken")
        except model.IntakeError as exc:
            raise HTTPException(exc.status_code, str(exc)) from exc
        return render(request, "household.html", user=user, history=history)

    @app.get("/audit", response_class=HTMLResponse, include_in_schema=False)
    async def audit_page(request: Request, user: User = Depends(page_user)):
        require_role(user, *AUDIT_READERS)
        rows = await handlers.audit_entries(uow, office_id=user.office_id)
        return render(request, "audit.html", user=user, entries=rows)

