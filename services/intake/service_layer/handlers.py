"""Intake's use cases: plain functions over a unit of work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID, uuid4

from stdnum.exceptions import ValidationError as NumberError
from stdnum.no import fodselsnummer

from services.intake.adapters.identity import IdentityProtector
from services.intake.domain import model
from services.intake.domain.commands import MakeDecision, ReceiveApplication
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork


@dataclass(frozen=True)
class Received:
    application_id: UUID
    household_id: UUID


async def receive_application(cmd: ReceiveApplication, uow_factory: Callable[[], IntakeUnitOfWork],
                              protector: IdentityProtector, offices: dict[str, model.Office]) -> Received:
    office = offices.get(cmd.office_id)
    if office is None:
        raise model.IntakeError(f"Ukjent Nav-kontor: {cmd.office_id}.", "office_id")
    try:
        number = fodselsnummer.validate(cmd.identity_number)
        birth_date = fodselsnummer.get_birth_date(number)
    except NumberError as exc:
        raise model.IntakeError("Ugyldig fødselsnummer eller D-nummer.", "identity_number") from exc
    if not cmd.name.strip():
        raise model.IntakeError("Navn må fylles ut.", "name")
    lookup = protector.lookup_hash(number)
    async with uow_factory() as uow:
        household = await uow.repo.household_by_lookup_hash(lookup)
        if household is None:
            household = model.Household(uuid4(), office.id, birth_date, list(cmd.children_birth_dates),
                                        cmd.adults, dict(cmd.needs))
            await uow.repo.add_household(household, lookup, protector.encrypt(number),
                                         protector.encrypt(cmd.name.strip()))
        else:
            household.children_birth_dates = list(cmd.children_birth_dates)
            household.adults = cmd.adults
            household.needs = dict(cmd.needs)
            await uow.repo.update_household_facts(household)
        application, event = model.receive_application(
            household=household, office=office, received_at=cmd.received_at, channel=cmd.channel,
            urgent=cmd.urgent)
        await uow.repo.add_application(application)
        uow.emit(event)
        await uow.commit()
        return Received(application.id, household.id)


async def make_decision(cmd: MakeDecision, uow_factory: Callable[[], IntakeUnitOfWork],
                        offices: dict[str, model.Office], *, office_check: Callable[[str], None]) -> UUID:
    async with uow_factory() as uow:
        application = await uow.repo.application_for_update(cmd.application_id)
        if application is None:
            raise model.IntakeError("Fant ikke søknaden.", "application_id")
        office_check(application.office_id)
        household = await uow.repo.household(application.household_id)
        decision, event = model.decide(
            application, household, offices[application.office_id], outcome=cmd.outcome,
            period_from=cmd.period_from, period_to=cmd.period_to, decided_at=cmd.decided_at,
            conditions=list(cmd.conditions))
        await uow.repo.add_decision(decision)
        await uow.repo.save_application_status(application)
        uow.emit(event)
        await uow.commit()
        return decision.id
