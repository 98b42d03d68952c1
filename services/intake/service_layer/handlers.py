"""Intake's use cases: plain functions over a unit of work.

Every read of a person's data (a view of a case or household, a search by identity number) writes an audit
entry in the same transaction as the read: who, when, which household and why."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from kit.logging import get_logger
from services.intake.adapters.identity import IdentityProtector
from services.intake.domain import model
from services.intake.domain.commands import ExtendDecision, MakeDecision, ReceiveApplication
from services.intake.domain.identity import parse_identity_number, parse_org_number
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork

UowFactory = Callable[[], IntakeUnitOfWork]
log = get_logger(__name__)  # ids only: never a name, number or free text


@dataclass(frozen=True)
class Actor:
    """The person acting: the web layer has already checked the role. `office_id` None = not office-bound
    (the demo loader)."""

    username: str
    role: str
    office_id: str | None

    def check_office(self, office_id: str) -> None:
        if self.office_id is not None and self.office_id != office_id:
            raise model.IntakeError("Du har bare tilgang til ditt eget Nav-kontor.", None, 403)


@dataclass(frozen=True)
class Received:
    application_id: UUID
    household_id: UUID
    new_household: bool


@dataclass
class HouseholdHistory:
    household: model.Household
    applications: list[model.Application] = field(default_factory=list)
    decisions: list[model.Decision] = field(default_factory=list)


@dataclass
class Case:
    application: model.Application
    household: model.Household
    decisions: list[model.Decision]


def _office(offices: dict[str, model.Office], office_id: str) -> model.Office:
    office = offices.get(office_id)
    if office is None:
        raise model.IntakeError(f"Ukjent Nav-kontor: {office_id}.", "office_id")
    return office


async def receive_application(cmd: ReceiveApplication, uow_factory: UowFactory, protector: IdentityProtector,
                              offices: dict[str, model.Office], *, allow_synthetic: bool,
                              now: datetime) -> Received:
    office = _office(offices, cmd.office_id)
    number = parse_identity_number(cmd.identity_number, allow_synthetic=allow_synthetic, today=now.date())
    name = (cmd.name or "").strip()
    if not name:
        raise model.IntakeError("Navn må fylles ut.", "name")
    org = parse_org_number(cmd.provider_org_number) if cmd.provider_org_number else None
    lookup = protector.lookup_hash(number.number)
    async with uow_factory() as uow:
        household = await uow.repo.household_by_lookup_hash(lookup)
        new = household is None
        if household is None:
            household = model.Household(uuid4(), office.id, number.birth_date, identity_number=number.number)
        household.office_id = office.id  # a household that applies at another office moves there
        household.name = name
        household.children_birth_dates = list(cmd.children_birth_dates)
        household.adults = cmd.adults
        household.needs = dict(cmd.needs)
        household.preferred_language = cmd.preferred_language or None
        household.phone = cmd.phone or None
        household.no_fixed_address = cmd.no_fixed_address
        household.address = None if cmd.no_fixed_address else (cmd.address or None)
        application, event = model.receive_application(
            household=household, office=office, received_at=cmd.received_at, channel=cmd.channel,
            urgent=cmd.urgent, now=now, provider_org_number=org, registered_by=cmd.registered_by,
            wishes=cmd.wishes, notes=cmd.notes)
        if new:
            await uow.repo.add_household(household, lookup)
        else:
            await uow.repo.update_household(household)
        await uow.repo.add_application(application)
        uow.emit(event)
        await uow.commit()
        log.info("application_received", application_id=str(application.id), household_id=str(household.id),
                 office_id=office.id, new_household=new, identity_kind=number.kind, synthetic=number.synthetic)
        return Received(application.id, household.id, new)


async def lookup_household(identity_number: str, uow_factory: UowFactory, protector: IdentityProtector, *,
                           actor: Actor, purpose: str, allow_synthetic: bool, now: datetime
                           ) -> HouseholdHistory | None:
    """Find the actor's office's household by identity number (through the keyed hash). The search is
    audited whether or not it finds someone."""
    number = parse_identity_number(identity_number, allow_synthetic=allow_synthetic, today=now.date())
    purpose = _purpose(purpose)
    async with uow_factory() as uow:
        household = await uow.repo.household_by_lookup_hash(protector.lookup_hash(number.number))
        if household is not None and actor.office_id is not None and household.office_id != actor.office_id:
            household = None  # another office's household is not shown; applying here moves it here
        await uow.repo.add_audit(username=actor.username, role=actor.role, office_id=actor.office_id,
                                 household_id=household.id if household else None, action="search",
                                 purpose=purpose)
        result = None
        if household is not None:
            result = HouseholdHistory(household, await uow.repo.applications_of_household(household.id),
                                      await uow.repo.decisions_of_household(household.id))
        await uow.commit()
        return result


async def household_history(household_id: UUID, uow_factory: UowFactory, *, actor: Actor,
                            purpose: str) -> HouseholdHistory:
    async with uow_factory() as uow:
        household = await uow.repo.household(household_id)
        if household is None:
            raise model.IntakeError("Fant ikke husstanden.", "household_id", 404)
        actor.check_office(household.office_id)
        await uow.repo.add_audit(username=actor.username, role=actor.role, office_id=household.office_id,
                                 household_id=household.id, action="view_household", purpose=_purpose(purpose))
        history = HouseholdHistory(household, await uow.repo.applications_of_household(household.id),
                                   await uow.repo.decisions_of_household(household.id))
        await uow.commit()
        return history


async def view_case(application_id: UUID, uow_factory: UowFactory, *, actor: Actor, purpose: str) -> Case:
    async with uow_factory() as uow:
        application = await uow.repo.application(application_id)
        if application is None:
            raise model.IntakeError("Fant ikke søknaden.", "application_id", 404)
        actor.check_office(application.office_id)
        household = await uow.repo.household(application.household_id)
        await uow.repo.add_audit(username=actor.username, role=actor.role, office_id=application.office_id,
                                 household_id=household.id, action="view_case", purpose=_purpose(purpose))
        decisions = [d for d in await uow.repo.decisions_of_household(household.id)
                     if d.application_id == application.id]
        await uow.commit()
        return Case(application, household, decisions)


def _purpose(purpose: str | None) -> str:
    purpose = (purpose or "").strip()
    if not purpose:
        raise model.IntakeError("Oppgi formålet med oppslaget.", "purpose")
    if len(purpose) > 200:
        raise model.IntakeError("Formålet kan være høyst 200 tegn.", "purpose")
    return purpose


async def make_decision(cmd: MakeDecision, uow_factory: UowFactory, offices: dict[str, model.Office], *,
                        actor: Actor, rules: model.WarningRules) -> model.Decision:
    async with uow_factory() as uow:
        application = await uow.repo.application(cmd.application_id, for_update=True)
        if application is None:
            raise model.IntakeError("Fant ikke søknaden.", "application_id", 404)
        actor.check_office(application.office_id)
        household = await uow.repo.household(application.household_id)
        decision, events = model.decide(
            application, household, _office(offices, application.office_id), cmd.terms,
            decided_by=cmd.decided_by, decided_at=cmd.decided_at,
            earlier_nights=await uow.repo.granted_nights(household.id), rules=rules)
        await uow.repo.add_decision(decision)
        return await _commit_decision(uow, "decision_made", decision, application, events)


async def extend_decision(cmd: ExtendDecision, uow_factory: UowFactory, offices: dict[str, model.Office], *,
                          actor: Actor, rules: model.WarningRules) -> model.Decision:
    async with uow_factory() as uow:
        previous = await uow.repo.decision(cmd.decision_id, for_update=True)
        if previous is None:
            raise model.IntakeError("Fant ikke vedtaket.", "decision_id", 404)
        actor.check_office(previous.office_id)
        application = await uow.repo.application(previous.application_id, for_update=True)
        household = await uow.repo.household(previous.household_id)
        decision, events = model.extend(
            previous, application, household, _office(offices, previous.office_id), period_to=cmd.period_to,
            conditions=cmd.conditions, consequence=cmd.consequence, justification=cmd.justification,
            decided_by=cmd.decided_by, decided_at=cmd.decided_at,
            earlier_nights=await uow.repo.granted_nights(household.id),
            already_extended=await uow.repo.is_extended(previous.id), rules=rules)
        await uow.repo.add_decision(decision)
        return await _commit_decision(uow, "decision_extended", decision, application, events)


async def approve_decision(decision_id: UUID, uow_factory: UowFactory, offices: dict[str, model.Office], *,
                           actor: Actor, at: datetime) -> model.Decision:
    async with uow_factory() as uow:
        decision = await uow.repo.decision(decision_id, for_update=True)
        if decision is None:
            raise model.IntakeError("Fant ikke vedtaket.", "decision_id", 404)
        actor.check_office(decision.office_id)
        application = await uow.repo.application(decision.application_id, for_update=True)
        household = await uow.repo.household(decision.household_id)
        events = model.approve(decision, application, household, _office(offices, decision.office_id),
                               approved_by=actor.username, approved_at=at)
        await uow.repo.save_decision_status(decision)
        return await _commit_decision(uow, "decision_approved", decision, application, events)


async def return_decision(decision_id: UUID, reason: str | None, uow_factory: UowFactory, *,
                          actor: Actor) -> model.Decision:
    async with uow_factory() as uow:
        decision = await uow.repo.decision(decision_id, for_update=True)
        if decision is None:
            raise model.IntakeError("Fant ikke vedtaket.", "decision_id", 404)
        actor.check_office(decision.office_id)
        application = await uow.repo.application(decision.application_id, for_update=True)
        model.return_for_revision(decision, application, returned_by=actor.username, reason=reason)
        await uow.repo.save_decision_status(decision)
        return await _commit_decision(uow, "decision_returned", decision, application)


async def _commit_decision(uow: IntakeUnitOfWork, what: str, d: model.Decision, application: model.Application,
                           events: Iterable[model.DecisionMade] = ()) -> model.Decision:
    """Finish a decision step once the caller has stored the decision: the application's new status and the
    events go in the same commit; the log line only after it."""
    await uow.repo.save_application_status(application)
    for event in events:
        uow.emit(event)
    await uow.commit()
    log.info(what, decision_id=str(d.id), household_id=str(d.household_id), office_id=d.office_id,
             outcome=d.outcome, status=d.status, warnings=d.warnings)
    return d


async def decision_application(decision_id: UUID, uow_factory: UowFactory) -> UUID | None:
    """The application a decision belongs to (for the pages' redirects)."""
    async with uow_factory() as uow:
        decision = await uow.repo.decision(decision_id)
        return decision.application_id if decision else None


async def case_list(uow_factory: UowFactory, *, office_id: str | None, open_only: bool = False) -> list:
    async with uow_factory() as uow:
        return list(await uow.repo.case_list(office_id, open_only=open_only))


async def audit_entries(uow_factory: UowFactory, *, office_id: str | None) -> list:
    async with uow_factory() as uow:
        return list(await uow.repo.audit_entries(office_id))


async def rotate_encryption_keys(uow_factory: UowFactory) -> int:
    """Re-encrypt all personal data with the newest key (the first in BOTILBUD_ENCRYPTION_KEYS), in one
    transaction. Afterwards the older keys can be dropped from the setting."""
    async with uow_factory() as uow:
        rewritten = await uow.repo.rotate_encryption()
        await uow.commit()
        log.info("intake_keys_rotated", values=rewritten)
        return rewritten
