"""Translation of placement's domain events into the wire contracts (the outbox's edge)."""

from collections.abc import Iterable

import contracts
from contracts.placement import Agreement
from services.placement.domain import events as ev
from services.placement.domain import history, model


def _agreement(p: model.Provider) -> Agreement:
    a = p.agreement
    return Agreement(kind=a.kind, price_per_night=a.price_per_night, fixed_places=a.fixed_places,
                     valid_from=a.valid_from, valid_to=a.valid_to)


def _provider_fields(p: model.Provider) -> dict:
    return dict(provider_id=p.id, name=p.name, orgnr=p.orgnr, kind=p.kind, municipality=p.municipality,
                district=p.district, accommodation=p.accommodation, agreement=_agreement(p), email=p.email)


def _unit_fields(u: model.Unit) -> dict:
    return dict(unit_id=u.id, provider_id=u.provider_id, name=u.name, beds=u.beds, address=u.address)


def translate(event: object) -> Iterable[contracts.IntegrationEvent]:
    match event:
        case ev.HouseholdPlaced(stay=s, decision=d, provider=p, unit=u):
            yield contracts.HouseholdPlaced(
                stay_id=s.id, household_id=s.household_id, decision_id=d.decision_id, office_id=d.office_id,
                municipality=d.municipality, district=d.district, provider_id=p.id, provider_name=p.name,
                provider_orgnr=p.orgnr, unit_id=u.id, accommodation=p.accommodation,
                agreement_kind=p.agreement_kind, price_per_night=p.price_per_night or 0,
                check_in=s.check_in, authorised_to=s.authorised_to,
                # that a justification is on record and for which soft rules, never its text (BRIEF: free text
                # stays where it was written)
                justified=s.justification is not None, justified_rules=list(s.justified_rules),
                placed_by=s.placed_by, placed_by_name=s.placed_by_name, conditions=list(d.conditions),
                household=contracts.HouseholdFacts(
                    applicant_birth_date=d.household.applicant_birth_date,
                    children_birth_dates=list(d.household.children_birth_dates), adults=d.household.adults,
                    needs=contracts.PlacementNeeds(**d.household.needs)))
        case ev.StayExtended(stay=s, at=at, conditions=conditions):
            yield contracts.StayExtended(stay_id=s.id, household_id=s.household_id, decision_id=s.decision_id,
                                         authorised_to=s.authorised_to, extended_at=at, conditions=list(conditions))
        case ev.HouseholdMovedOut(stay=s):
            yield contracts.HouseholdMovedOut(stay_id=s.id, household_id=s.household_id, check_out=s.check_out,
                                              destination=s.destination)
        case ev.CapacityChanged(provider=p, unit=u, households=n, at=at):
            # A unit takes one household: when it is taken, all its beds are taken.
            yield contracts.CapacityChanged(provider_id=p.id, unit_id=u.id, beds=u.beds,
                                            occupied=u.beds if n else 0, households=n,
                                            municipality=p.municipality, changed_at=at)
        case history.StayImported(stay=s, unit=u, imported_on=day, at=at):
            yield contracts.HouseholdPlaced(
                stay_id=s.stay_id, household_id=s.household_id, decision_id=s.decision_id, office_id=s.office.id,
                municipality=s.municipality, district=s.district, provider_id=s.provider.id,
                provider_name=s.provider.name, provider_orgnr=s.provider.orgnr, unit_id=u.id,
                accommodation=s.accommodation, agreement_kind=s.agreement_kind, price_per_night=s.price_per_night,
                check_in=s.check_in, authorised_to=s.authorised_to,
                household=contracts.HouseholdFacts(
                    applicant_birth_date=s.household.applicant_birth_date,
                    children_birth_dates=list(s.household.children_birth_dates), adults=s.household.adults),
                imported=True, imported_on=day, imported_check_out=s.check_out)
            if s.check_out is not None:
                yield contracts.HouseholdMovedOut(stay_id=s.stay_id, household_id=s.household_id,
                                                  check_out=s.check_out, destination=s.destination)
            else:
                yield contracts.CapacityChanged(provider_id=s.provider.id, unit_id=u.id, beds=u.beds,
                                                occupied=u.beds, households=1,
                                                municipality=s.provider.municipality, changed_at=at)
        case ev.ProviderRegistered(provider=p):
            yield contracts.ProviderRegistered(**_provider_fields(p))
        case ev.ProviderChanged(provider=p):
            yield contracts.ProviderChanged(**_provider_fields(p))
        case ev.UnitRegistered(unit=u):
            yield contracts.UnitRegistered(**_unit_fields(u))
        case ev.UnitChanged(unit=u):
            yield contracts.UnitChanged(**_unit_fields(u))
        case _:
            raise TypeError(f"placement cannot translate {type(event).__name__}")
