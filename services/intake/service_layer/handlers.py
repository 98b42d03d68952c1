"""Intake's use cases, one shape: `async def handler(cmd, uow, **deps)`. The bus opens the unit of work and
commits; bootstrap.py binds the dependencies (rules, the clock, whether synthetic numbers are allowed). The
offices are the registry's (`uow.offices`; service_layer/offices.py registers and changes them).

Every read of a person's data (a view of a case or household, a search by identity number) writes an audit
entry in the same transaction as the read: who, when, which household and why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from kit import clock
from kit.logging import get_logger
from services.intake.adapters.queries import Case, HouseholdHistory, Person
from services.intake.adapters.records import ENCRYPTED_COLUMNS
from services.intake.domain import commands as c
from services.intake.domain import decisions, model
from services.intake.domain.errors import Conflict, Forbidden, NotFound, RuleBroken
from services.intake.domain.identity import parse_identity_number, parse_org_number
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork

Now = Callable[[], datetime]
log = get_logger(__name__)  # ids only: never a name, number or free text


@dataclass(frozen=True)
class Received:
    application_id: UUID
    household_id: UUID
    new_household: bool


@dataclass(frozen=True)
class DecisionLetter:
    """What the decision letter says: the decision, its case (application, household), the office and its
    reference for the household, and the day the decision took effect (its date)."""

    decision: decisions.Decision
    case: Case
    office: model.Office

    @property
    def dated(self):
        return clock.today(self.decision.approved_at or self.decision.decided_at)


@dataclass(frozen=True)
class Transferred:
    household_id: UUID
    from_office_id: str
    to_office_id: str
    transferred_at: datetime


async def _office(uow: IntakeUnitOfWork, office_id: str | None, field: str = "office_id") -> model.Office:
    office = await uow.offices.get(office_id) if office_id else None
    if office is None:
        raise RuleBroken(NOT_REGISTERED_NB.format(office_id=office_id) if office_id else "Velg et Nav-kontor.",
                         field)
    return office


NOT_REGISTERED_NB = ("Nav-kontoret «{office_id}» er ikke registrert i systemet, så det kan ikke gjøres saksbehandling "
                     "der ennå. Be en administrator registrere kontoret (Nav-kontorer → Registrer kontor).")


async def receive_application(cmd: c.ReceiveApplication, uow: IntakeUnitOfWork, *, allow_synthetic: bool,
                              now: Now = clock.now) -> Received:
    at = now()
    cmd.actor.check_office(cmd.office_id)
    office = await _office(uow, cmd.office_id)
    office.check_takes_applications()
    number = parse_identity_number(cmd.identity_number, allow_synthetic=allow_synthetic, today=clock.today(at))
    org = parse_org_number(cmd.provider_org_number) if cmd.provider_org_number else None
    household = await uow.repo.household_by_identity(number.number, for_update=True)
    new = household is None
    if household is None:
        household = model.Household.register(office, number.number, number.birth_date, cmd.details)
    else:
        household.update(cmd.details, at=office)  # another office's household: refused, nothing written
    application = model.Application.receive(
        household=household, office=office, received_at=cmd.received_at or at, channel=cmd.channel,
        urgent=cmd.urgent, now=at, provider_org_number=org, registered_by=cmd.actor.username, wishes=cmd.wishes,
        notes=cmd.notes)
    if new:
        await uow.repo.add_household(household)
    else:
        await uow.repo.save_household(household)
    await uow.repo.add_application(application)
    await uow.repo.assign_reference(household.id, office.id, clock.today(at).year)
    log.info("application_received", application_id=str(application.id), household_id=str(household.id),
             office_id=office.id, new_household=new, identity_kind=number.kind, synthetic=number.synthetic)
    return Received(application.id, household.id, new)


async def lookup_household(cmd: c.LookupHousehold, uow: IntakeUnitOfWork, *, allow_synthetic: bool,
                           now: Now = clock.now) -> HouseholdHistory | None:
    """Find the actor's office's household by identity number (through the keyed hash). Another office's
    household is not found. The search is audited whether or not it finds someone."""
    at = now()
    number = parse_identity_number(cmd.identity_number, allow_synthetic=allow_synthetic, today=clock.today(at))
    model.check_purpose(cmd.purpose)
    household = await uow.repo.household_by_identity(number.number)
    if household is not None and not cmd.actor.may_see(household.office_id):
        household = None
    await uow.repo.add_audit(model.AuditEntry.of(
        cmd.actor, office_id=cmd.actor.office_id, household_id=household.id if household else None,
        action="search", purpose=cmd.purpose, at=at))
    if household is None:
        return None
    return await uow.queries.household_history(household.id, office_id=cmd.actor.office_id)


async def view_household(cmd: c.ViewHousehold, uow: IntakeUnitOfWork, *, now: Now = clock.now) -> HouseholdHistory:
    """The household with what the actor's office did: its own office, or an office it was transferred from."""
    owner = await uow.queries.household_owner(cmd.household_id)
    if owner is None:
        raise NotFound("Fant ikke husstanden.", "household_id")
    office_id = owner.office_id if cmd.actor.office_id is None else cmd.actor.office_id
    if office_id != owner.office_id and office_id not in owner.offices_with_applications:
        raise Forbidden(model.OTHER_OFFICE_NB)
    await uow.repo.add_audit(model.AuditEntry.of(cmd.actor, office_id=office_id, household_id=owner.id,
                                                 action="view_household", purpose=cmd.purpose, at=now()))
    return await uow.queries.household_history(owner.id, office_id=cmd.actor.office_id)


async def view_case(cmd: c.ViewCase, uow: IntakeUnitOfWork, *, now: Now = clock.now) -> Case:
    case = await uow.queries.case(cmd.application_id)
    if case is None:
        raise NotFound("Fant ikke søknaden.", "application_id")
    cmd.actor.check_office(case.application.office_id)
    await uow.repo.add_audit(model.AuditEntry.of(
        cmd.actor, office_id=case.application.office_id, household_id=case.household.id, action="view_case",
        purpose=cmd.purpose, at=now()))
    return case


async def view_people(cmd: c.ViewPeople, uow: IntakeUnitOfWork, *, now: Now = clock.now) -> list[Person]:
    """Who these households are — name, birth date, the actor's office's reference — for a page or document
    (another service's, asked over HTTP, or intake's own list). Only those the actor's office may see (its own,
    or one it worked with before a transfer); unknown ones and another office's alike are left out. Each one
    shown is audited, with the purpose the asker gave."""
    purpose = model.check_purpose(cmd.purpose)
    people = await uow.queries.people(list(dict.fromkeys(cmd.household_ids)), office_id=cmd.actor.office_id)
    at = now()
    await uow.repo.add_audits([
        model.AuditEntry.of(cmd.actor, office_id=cmd.actor.office_id, household_id=p.household_id,
                            action="view_people", purpose=purpose, at=at) for p in people])
    return people


async def view_decision_letter(cmd: c.ViewDecisionLetter, uow: IntakeUnitOfWork, *,
                               now: Now = clock.now) -> DecisionLetter:
    """The letter of a decision that has taken effect (a decision waiting for its approval, or sent back, has
    none yet). It names the person: audited as a view of the case."""
    decision = await uow.repo.decision(cmd.decision_id)
    if decision is None:
        raise NotFound("Fant ikke vedtaket.", "decision_id")
    cmd.actor.check_office(decision.office_id)
    if decision.status != "in_effect":
        raise Conflict("Vedtaket har ikke trådt i kraft (det venter på godkjenning eller er sendt tilbake), så det "
                       "har ikke noe vedtaksbrev ennå.", "decision_id")
    case = await uow.queries.case(decision.application_id)
    await uow.repo.add_audit(model.AuditEntry.of(
        cmd.actor, office_id=decision.office_id, household_id=decision.household_id, action="view_letter",
        purpose="Vedtaksbrev", at=now()))
    return DecisionLetter(decision, case, await _office(uow, decision.office_id))


async def transfer_household(cmd: c.TransferHousehold, uow: IntakeUnitOfWork, *, allow_synthetic: bool,
                             now: Now = clock.now) -> Transferred:
    """A leader of the receiving office (or an admin) moves a household there (see domain.model.transfer)."""
    at = now()
    cmd.actor.check_office(cmd.to_office_id or cmd.actor.office_id or "")  # before anything is read
    to = await _office(uow, cmd.to_office_id or cmd.actor.office_id, "to_office_id")
    to.check_takes_applications()
    number = parse_identity_number(cmd.identity_number, allow_synthetic=allow_synthetic, today=clock.today(at))
    household = await uow.repo.household_by_identity(number.number, for_update=True)
    if household is None:
        raise NotFound("Ingen husstand er registrert med dette nummeret. Registrer søknaden som ny.",
                       "identity_number")
    old = household.office_id
    applications = await uow.repo.applications_of_household(household.id)
    decided = await uow.repo.decisions_of_household(household.id)
    today = clock.today(at)
    still_open = (any(a.is_open for a in applications if a.office_id == old)
                  or any(d.is_current(today) for d in decided if d.office_id == old))
    leaving = await uow.offices.get(old)
    moved, entries = model.transfer(household, to, open_at_old_office=still_open, by=cmd.actor, at=at,
                                    reason=cmd.reason, from_name=leaving.name if leaving else None)
    await uow.repo.save_household(household)
    await uow.repo.assign_reference(household.id, to.id, today.year)
    await uow.repo.add_transfer(moved)
    for entry in entries:
        await uow.repo.add_audit(entry)
    log.info("household_transferred", household_id=str(household.id), from_office_id=old, to_office_id=to.id)
    return Transferred(household.id, old, to.id, at)


async def make_decision(cmd: c.MakeDecision, uow: IntakeUnitOfWork, *, rules: decisions.WarningRules,
                        now: Now = clock.now) -> decisions.Decision:
    at = cmd.at or now()
    application = await uow.repo.application(cmd.application_id, for_update=True)
    if application is None:
        raise NotFound("Fant ikke søknaden.", "application_id")
    cmd.actor.check_office(application.office_id)
    household = await uow.repo.household(application.household_id)
    decision = decisions.decide(
        application, household, await _office(uow, application.office_id), cmd.terms,
        decided_by=cmd.actor.username, decided_at=at, decided_on=clock.today(at),
        earlier_nights=await uow.queries.granted_nights(household.id), rules=rules)
    await uow.repo.add_decision(decision)
    return await _decided(uow, "decision_made", decision, application)


async def extend_decision(cmd: c.ExtendDecision, uow: IntakeUnitOfWork, *, rules: decisions.WarningRules,
                          now: Now = clock.now) -> decisions.Decision:
    at = cmd.at or now()
    previous = await _decision(uow, cmd.decision_id, cmd.actor)
    application = await uow.repo.application(previous.application_id, for_update=True)
    household = await uow.repo.household(previous.household_id)
    decision = decisions.extend(
        previous, application, household, await _office(uow, previous.office_id), period_to=cmd.period_to,
        conditions=cmd.conditions, consequence=cmd.consequence, justification=cmd.justification,
        decided_by=cmd.actor.username, decided_at=at, decided_on=clock.today(at),
        earlier_nights=await uow.queries.granted_nights(household.id),
        already_extended=await uow.queries.is_extended(previous.id), rules=rules)
    await uow.repo.add_decision(decision)
    return await _decided(uow, "decision_extended", decision, application)


async def approve_decision(cmd: c.ApproveDecision, uow: IntakeUnitOfWork, *,
                           now: Now = clock.now) -> decisions.Decision:
    decision = await _decision(uow, cmd.decision_id, cmd.actor)
    application = await uow.repo.application(decision.application_id, for_update=True)
    household = await uow.repo.household(decision.household_id)
    decision.approve(application, household, await _office(uow, decision.office_id), approved_by=cmd.actor.username,
                     approved_at=cmd.at or now(), justification=cmd.justification)
    await uow.repo.save_decision(decision)
    return await _decided(uow, "decision_approved", decision, application)


async def return_decision(cmd: c.ReturnDecision, uow: IntakeUnitOfWork) -> decisions.Decision:
    decision = await _decision(uow, cmd.decision_id, cmd.actor)
    application = await uow.repo.application(decision.application_id, for_update=True)
    decision.return_for_revision(application, returned_by=cmd.actor.username, reason=cmd.reason)
    await uow.repo.save_decision(decision)
    return await _decided(uow, "decision_returned", decision, application)


async def _decision(uow: IntakeUnitOfWork, decision_id: UUID, actor: model.Actor) -> decisions.Decision:
    decision = await uow.repo.decision(decision_id, for_update=True)
    if decision is None:
        raise NotFound("Fant ikke vedtaket.", "decision_id")
    actor.check_office(decision.office_id)
    return decision


async def _decided(uow: IntakeUnitOfWork, what: str, d: decisions.Decision,
                   application: model.Application) -> decisions.Decision:
    """The application's new status goes in the same commit as the decision (and its events)."""
    await uow.repo.save_application(application)
    log.info(what, decision_id=str(d.id), household_id=str(d.household_id), office_id=d.office_id,
             outcome=d.outcome, status=d.status, warnings=d.warnings)
    return d


async def rotate_encryption_keys(cmd: c.RotateEncryptionKeys, uow: IntakeUnitOfWork) -> int:
    """Re-encrypt all personal data with the newest key (the first in BOTILBUD_ENCRYPTION_KEYS), in one
    transaction. Afterwards the older keys can be dropped from the setting."""
    rewritten = await uow.repo.rotate_encryption(ENCRYPTED_COLUMNS)
    log.info("intake_keys_rotated", values=rewritten)
    return rewritten


HANDLERS = {
    c.ReceiveApplication: receive_application, c.LookupHousehold: lookup_household,
    c.ViewHousehold: view_household, c.ViewCase: view_case, c.ViewPeople: view_people,
    c.ViewDecisionLetter: view_decision_letter,
    c.TransferHousehold: transfer_household,
    c.MakeDecision: make_decision, c.ExtendDecision: extend_decision, c.ApproveDecision: approve_decision,
    c.ReturnDecision: return_decision, c.RotateEncryptionKeys: rotate_encryption_keys,
}
"""Each command's handler, before bootstrap.py binds its dependencies."""
