"""Request and answer models of intake's API, shared by the JSON API and the form pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from contracts import PlacementNeeds
from kit.auth import Role, User
from services.intake.domain import commands, model
from services.intake.service_layer import handlers

WORKERS = (Role.CASE_WORKER, Role.OFFICE_LEADER)
LEADERS = (Role.OFFICE_LEADER,)
AUDIT_READERS = (Role.OFFICE_LEADER, Role.ADMIN)
Condition = Literal["boligskole", "boliglogg", "other_activity"]


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identity_number: str = Field(min_length=11, max_length=13, description="Fødselsnummer or D-nummer.")
    name: str = Field(min_length=1, max_length=200)
    office_id: str = Field(max_length=64)
    received_at: AwareDatetime | None = Field(None, description="Defaults to now.")
    channel: Literal["in_person", "phone", "provider", "digital"] = "in_person"
    urgent: bool = Field(False, description="Needs a place tonight.")
    children_birth_dates: list[date] = Field(default_factory=list, max_length=20)
    adults: int = Field(1, ge=1, le=20)
    needs: PlacementNeeds = Field(default_factory=PlacementNeeds)
    phone: str | None = Field(None, max_length=30)
    address: str | None = Field(None, max_length=300)
    no_fixed_address: bool = Field(False, description="Uten fast bolig.")
    preferred_language: str | None = Field(None, max_length=50)
    provider_org_number: str | None = Field(None, max_length=20,
                                            description="The provider that reported it (channel provider).")
    wishes: str | None = Field(None, max_length=2000, description="Needs and wishes.")
    notes: str | None = Field(None, max_length=4000)


class ApplicationOut(BaseModel):
    application_id: UUID
    household_id: UUID
    new_household: bool


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["granted", "refused"]
    period_from: date | None = None
    period_to: date | None = None
    conditions: list[Condition] = Field(default_factory=list, max_length=3)
    legal_basis: str = Field(model.LEGAL_BASIS, min_length=1, max_length=200)
    consequence: str | None = Field(None, max_length=2000, description="What happens if conditions are not met.")
    refusal_reason: str | None = Field(None, max_length=4000)
    justification: str | None = Field(None, max_length=4000, description="Why, despite the warnings.")


class ExtensionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period_to: date
    conditions: list[Condition] = Field(default_factory=list, max_length=3)
    consequence: str | None = Field(None, max_length=2000)
    justification: str | None = Field(None, max_length=4000)


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class LookupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identity_number: str = Field(min_length=11, max_length=13)
    purpose: str = Field(min_length=1, max_length=200, description="Why the person is looked up (audit log).")


class DecisionOut(BaseModel):
    decision_id: UUID
    application_id: UUID
    household_id: UUID
    outcome: str
    status: Literal["awaiting_approval", "in_effect", "returned"]
    period_from: date | None
    period_to: date | None
    conditions: list[str]
    legal_basis: str
    consequence: str | None
    refusal_reason: str | None
    justification: str | None
    appeal_deadline: date | None
    warnings: list[str]
    decided_by: str
    decided_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    extends_decision_id: UUID | None


@dataclass
class IntakeDeps:
    uow_factory: Any
    protector: Any
    offices: dict[str, model.Office]
    allow_synthetic_ids: bool = False
    warning_rules: model.WarningRules = model.WarningRules()


def actor_of(user: User) -> handlers.Actor:
    return handlers.Actor(user.username, user.role.value, user.office_id)


def decision_out(d: model.Decision) -> DecisionOut:
    return DecisionOut(
        decision_id=d.id, application_id=d.application_id, household_id=d.household_id, outcome=d.outcome,
        status=d.status, period_from=d.period_from, period_to=d.period_to, conditions=d.conditions,
        legal_basis=d.legal_basis, consequence=d.consequence, refusal_reason=d.refusal_reason,
        justification=d.justification, appeal_deadline=d.appeal_deadline, warnings=d.warnings,
        decided_by=d.decided_by, decided_at=d.decided_at, approved_by=d.approved_by, approved_at=d.approved_at,
        extends_decision_id=d.extends_decision_id)


def household_out(h: model.Household) -> dict:
    return {"household_id": str(h.id), "office_id": h.office_id, "name": h.name,
            "identity_number": h.identity_number, "applicant_birth_date": h.applicant_birth_date,
            "children_birth_dates": h.children_birth_dates, "adults": h.adults, "needs": h.needs,
            "preferred_language": h.preferred_language, "phone": h.phone, "address": h.address,
            "no_fixed_address": h.no_fixed_address}


def application_out(a: model.Application) -> dict:
    return {"application_id": str(a.id), "household_id": str(a.household_id), "office_id": a.office_id,
            "received_at": a.received_at, "channel": a.channel, "urgent": a.urgent, "status": a.status,
            "provider_org_number": a.provider_org_number, "registered_by": a.registered_by,
            "wishes": a.wishes, "notes": a.notes}


def history_out(history: handlers.HouseholdHistory) -> dict:
    return {"household": household_out(history.household),
            "applications": [application_out(a) for a in history.applications],
            "decisions": [decision_out(d).model_dump() for d in history.decisions]}


def receive_command(body: ApplicationIn, user: User, now: datetime) -> commands.ReceiveApplication:
    return commands.ReceiveApplication(
        identity_number=body.identity_number, name=body.name, office_id=body.office_id,
        received_at=body.received_at or now, registered_by=user.username, channel=body.channel,
        urgent=body.urgent, children_birth_dates=tuple(body.children_birth_dates), adults=body.adults,
        needs=body.needs.model_dump(), phone=body.phone, address=body.address,
        no_fixed_address=body.no_fixed_address, preferred_language=body.preferred_language,
        provider_org_number=body.provider_org_number, wishes=body.wishes, notes=body.notes)


def terms_of(body: DecisionIn) -> model.DecisionTerms:
    return model.DecisionTerms(body.outcome, body.period_from, body.period_to, tuple(body.conditions),
                               body.legal_basis, body.consequence, body.refusal_reason, body.justification)


def jsonable(row) -> dict:
    return {k: (str(v) if isinstance(v, UUID) else v) for k, v in dict(row).items()}


def form_errors(exc: ValidationError) -> dict[str, str]:
    """Pydantic's complaints as Norwegian messages keyed by the field, for the forms."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
        key = loc[0] if loc else "form"
        if key == "needs" and len(loc) > 1:
            key = loc[1]
        kind = err["type"]
        ctx = err.get("ctx") or {}
        if kind in ("missing", "string_too_short") or err.get("input") in (None, ""):
            msg = "Må fylles ut."
        elif kind == "string_too_long":
            msg = f"For langt: høyst {ctx.get('max_length')} tegn."
        elif kind.startswith("date") or kind.startswith("datetime") or kind == "timezone_aware":
            msg = "Ugyldig dato."
        elif kind in ("int_parsing", "int_type", "int_from_float"):
            msg = "Må være et helt tall."
        elif kind in ("greater_than_equal", "less_than_equal"):
            msg = "Tallet er utenfor det tillatte området."
        elif kind == "literal_error":
            msg = "Ugyldig valg."
        elif kind == "too_long":
            msg = "For mange verdier."
        else:
            msg = "Ugyldig verdi."
        errors.setdefault(key, msg)
    return errors


