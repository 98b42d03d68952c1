"""Between the web and the domain: request models into commands, domain objects and views into answers."""

from __future__ import annotations

from collections.abc import Mapping

from services.intake.adapters.queries import Case, HouseholdHistory
from services.intake.domain import commands
from services.intake.domain.decisions import Decision, DecisionTerms
from services.intake.domain.model import Actor, Application, Household, HouseholdDetails
from services.intake.domain.offices import Office, OfficeDetails
from services.intake.entrypoints.schemas import (
    ApplicationDetailOut,
    ApplicationIn,
    CaseOut,
    DecisionIn,
    DecisionOut,
    ExtensionIn,
    HistoryOut,
    HouseholdOut,
    ImportedOfficeOut,
    OfficeImportOut,
    OfficeIn,
    OfficeOut,
    RejectedOfficeRowOut,
)
from services.intake.service_layer.offices import ImportResult


def receive_command(body: ApplicationIn, actor: Actor) -> commands.ReceiveApplication:
    details = HouseholdDetails(
        name=body.name, children_birth_dates=tuple(body.children_birth_dates), adults=body.adults,
        needs=body.needs.model_dump(), preferred_language=body.preferred_language, phone=body.phone,
        address=body.address, no_fixed_address=body.no_fixed_address)
    return commands.ReceiveApplication(
        actor, body.identity_number, body.office_id, details, received_at=body.received_at, channel=body.channel,
        urgent=body.urgent, provider_org_number=body.provider_org_number, wishes=body.wishes, notes=body.notes)


def decision_command(body: DecisionIn, actor: Actor, application_id) -> commands.MakeDecision:
    terms = DecisionTerms(body.outcome, body.period_from, body.period_to, tuple(body.conditions),
                          body.legal_basis, body.consequence, body.refusal_reason, body.justification)
    return commands.MakeDecision(actor, application_id, terms)


def extension_command(body: ExtensionIn, actor: Actor, decision_id) -> commands.ExtendDecision:
    return commands.ExtendDecision(actor, decision_id, body.period_to, tuple(body.conditions), body.consequence,
                                   body.justification)


def decision_out(d: Decision) -> DecisionOut:
    return DecisionOut(
        decision_id=d.id, application_id=d.application_id, household_id=d.household_id, outcome=d.outcome,
        status=d.status, period_from=d.period_from, period_to=d.period_to, conditions=d.conditions,
        legal_basis=d.legal_basis, consequence=d.consequence, refusal_reason=d.refusal_reason,
        justification=d.justification, appeal_deadline=d.appeal_deadline, warnings=d.warnings,
        decided_by=d.decided_by, decided_at=d.decided_at, approved_by=d.approved_by, approved_at=d.approved_at,
        extends_decision_id=d.extends_decision_id, leader_justification_required=d.needs_leader_justification,
        leader_justification=d.leader_justification)


def household_out(h: Household) -> HouseholdOut:
    return HouseholdOut(
        household_id=h.id, office_id=h.office_id, name=h.name, identity_number=h.identity_number,
        applicant_birth_date=h.applicant_birth_date, children_birth_dates=h.children_birth_dates, adults=h.adults,
        needs=h.needs, preferred_language=h.preferred_language, phone=h.phone, address=h.address,
        no_fixed_address=h.no_fixed_address)


def application_out(a: Application) -> ApplicationDetailOut:
    return ApplicationDetailOut(
        application_id=a.id, household_id=a.household_id, office_id=a.office_id, received_at=a.received_at,
        channel=a.channel, urgent=a.urgent, status=a.status, provider_org_number=a.provider_org_number,
        registered_by=a.registered_by, wishes=a.wishes, notes=a.notes)


def case_out(case: Case) -> CaseOut:
    return CaseOut(application=application_out(case.application), household=household_out(case.household),
                   decisions=[decision_out(d) for d in case.decisions], reference=case.reference)


def history_out(history: HouseholdHistory) -> HistoryOut:
    return HistoryOut(household=household_out(history.household),
                      applications=[application_out(a) for a in history.applications],
                      decisions=[decision_out(d) for d in history.decisions], reference=history.reference)


def office_details(body: OfficeIn) -> OfficeDetails:
    return OfficeDetails(name=body.name, municipality=body.municipality, district=body.district,
                         second_approval=body.second_approval, address=body.address, phone=body.phone,
                         email=body.email)


def office_out(o: Office, municipalities: Mapping[str, str]) -> OfficeOut:
    return OfficeOut(office_id=o.id, name=o.name, municipality=o.municipality,
                     municipality_name=municipalities.get(o.municipality), district=o.district,
                     second_approval=o.second_approval, address=o.address, phone=o.phone, email=o.email,
                     closed=o.closed)


def import_out(result: ImportResult) -> OfficeImportOut:
    return OfficeImportOut(
        rows=result.rows, registered=result.count("registered"), changed=result.count("changed"),
        unchanged=result.count("unchanged"), rejected_count=len(result.rejected),
        rejected=[RejectedOfficeRowOut(line=e.line, field=e.field, reason=e.reason) for e in result.rejected],
        offices=[ImportedOfficeOut(line=o.line, office_id=o.office_id, name=o.name, municipality=o.municipality,
                                   outcome=o.outcome) for o in result.offices],
        written=result.written, dry_run=result.dry_run, partial=result.partial)
