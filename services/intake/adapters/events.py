"""Translation of intake's domain events into the wire contracts (the outbox's edge)."""

from collections.abc import Iterable

import contracts
from services.intake.domain.decisions import DecisionMade
from services.intake.domain.model import ApplicationReceived, Household
from services.intake.domain.offices import Office, OfficeChanged, OfficeClosed, OfficeRegistered


def _facts(h: Household) -> contracts.HouseholdFacts:
    return contracts.HouseholdFacts(
        applicant_birth_date=h.applicant_birth_date, children_birth_dates=h.children_birth_dates,
        adults=h.adults, needs=contracts.PlacementNeeds(**h.needs))


def _office(o: Office) -> dict:
    return dict(office_id=o.id, name=o.name, municipality=o.municipality, district=o.district,
                second_approval=o.second_approval, address=o.address, phone=o.phone, email=o.email,
                closed=o.closed)


def translate(event: object) -> Iterable[contracts.IntegrationEvent]:
    match event:
        case ApplicationReceived(application=a, household=h, office=o):
            yield contracts.ApplicationReceived(
                application_id=a.id, household_id=h.id, office_id=o.id, municipality=o.municipality,
                district=o.district, received_at=a.received_at, channel=a.channel, urgent=a.urgent,
                household=_facts(h))
        case DecisionMade(decision=d, household=h, office=o):
            yield contracts.DecisionMade(
                decision_id=d.id, application_id=d.application_id, household_id=h.id, office_id=o.id,
                municipality=o.municipality, district=o.district, outcome=d.outcome,
                period_from=d.period_from, period_to=d.period_to, decided_at=d.decided_at,
                extends_decision_id=d.extends_decision_id, conditions=d.conditions, household=_facts(h))
        case OfficeRegistered(office=o):
            yield contracts.OfficeRegistered(**_office(o))
        case OfficeChanged(office=o):
            yield contracts.OfficeChanged(**_office(o))
        case OfficeClosed(office=o):
            yield contracts.OfficeClosed(**_office(o))
        case _:
            raise TypeError(f"intake cannot translate {type(event).__name__}")
