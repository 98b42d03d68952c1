"""Translation of placement's domain events into the wire contracts (the outbox's edge)."""

from collections.abc import Iterable

import contracts
from contracts.placement import Agreement
from services.placement.domain import model


def translate(event: object) -> Iterable[contracts.IntegrationEvent]:
    match event:
        case model.HouseholdPlaced(stay=s, decision=d, provider=p, unit=u):
            yield contracts.HouseholdPlaced(
                stay_id=s.id, household_id=s.household_id, decision_id=d.decision_id, office_id=d.office_id,
                municipality=d.municipality, district=d.district, provider_id=p.id, provider_name=p.name,
                provider_orgnr=p.orgnr, unit_id=u.id, accommodation=p.accommodation,
                agreement_kind=p.agreement_kind, price_per_night=p.price_per_night or 0,
                check_in=s.check_in, authorised_to=s.authorised_to, justification=s.justification,
                household=contracts.HouseholdFacts(
                    applicant_birth_date=d.household.applicant_birth_date,
                    children_birth_dates=list(d.household.children_birth_dates), adults=d.household.adults,
                    needs=contracts.PlacementNeeds(**d.household.needs)))
        case model.HouseholdMovedOut(stay=s):
            yield contracts.HouseholdMovedOut(stay_id=s.id, household_id=s.household_id, check_out=s.check_out,
                                              destination=s.destination)
        case model.CapacityChanged(provider=p, unit=u, occupied=n, at=at):
            yield contracts.CapacityChanged(provider_id=p.id, unit_id=u.id, beds=u.beds, occupied=n,
                                            municipality=p.municipality, changed_at=at)
        case model.ProviderRegistered(provider=p):
            yield contracts.ProviderRegistered(
                provider_id=p.id, name=p.name, orgnr=p.orgnr, kind=p.kind, municipality=p.municipality,
                district=p.district, accommodation=p.accommodation,
                agreement=Agreement(kind=p.agreement_kind, price_per_night=p.price_per_night,
                                    fixed_places=p.fixed_places))
        case model.UnitRegistered(unit=u):
            yield contracts.UnitRegistered(unit_id=u.id, provider_id=u.provider_id, name=u.name, beds=u.beds,
                                           address=u.address)
        case _:
            raise TypeError(f"placement cannot translate {type(event).__name__}")
