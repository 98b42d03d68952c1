"""Placement's domain: providers, units, granted decisions and stays. Pure Python: no I/O, no frameworks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID, uuid4


class PlacementError(ValueError):
    """A placement rule refused the action; `field` names the input at fault."""

    def __init__(self, message: str, field: str | None = None, status_code: int = 422):
        super().__init__(message)
        self.field = field
        self.status_code = status_code


@dataclass
class Provider:
    id: UUID
    name: str
    orgnr: str
    kind: str
    municipality: str
    district: str | None
    accommodation: str  # temporary | night_shelter
    agreement_kind: str
    price_per_night: Decimal | None
    fixed_places: int = 0


@dataclass
class Unit:
    id: UUID
    provider_id: UUID
    name: str
    beds: int
    address: str
    facilities: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class HouseholdFacts:
    applicant_birth_date: date
    children_birth_dates: tuple[date, ...]
    adults: int
    needs: dict[str, object]


@dataclass
class GrantedDecision:
    decision_id: UUID
    household_id: UUID
    office_id: str
    municipality: str
    district: str | None
    outcome: str
    period_from: date | None
    period_to: date | None
    household: HouseholdFacts


@dataclass
class Stay:
    id: UUID
    household_id: UUID
    decision_id: UUID
    unit_id: UUID
    provider_id: UUID
    check_in: date
    authorised_to: date
    check_out: date | None = None
    destination: str | None = None
    justification: str | None = None


@dataclass(frozen=True)
class HouseholdPlaced:
    stay: Stay
    decision: GrantedDecision
    provider: Provider
    unit: Unit


@dataclass(frozen=True)
class HouseholdMovedOut:
    stay: Stay


@dataclass(frozen=True)
class CapacityChanged:
    provider: Provider
    unit: Unit
    occupied: int
    at: datetime


@dataclass(frozen=True)
class ProviderRegistered:
    provider: Provider


@dataclass(frozen=True)
class UnitRegistered:
    unit: Unit


def place(decision: GrantedDecision, provider: Provider, unit: Unit, *, occupied: int, check_in: date,
          household_has_open_stay: bool, justification: str | None = None) -> Stay:
    """Check the hard rules of a placement and make the stay."""
    if decision.outcome != "granted" or decision.period_from is None or decision.period_to is None:
        raise PlacementError("Vedtaket er ikke innvilget; husstanden kan ikke plasseres.", "decision_id")
    if household_has_open_stay:
        raise PlacementError("Husstanden bor allerede et sted; registrer utflytting først.", "decision_id", 409)
    if not decision.period_from <= check_in <= decision.period_to:
        raise PlacementError("Innflyttingsdatoen ligger utenfor vedtaksperioden.", "check_in")
    if occupied >= unit.beds:
        raise PlacementError("Enheten er full.", "unit_id", 409)
    return Stay(uuid4(), decision.household_id, decision.decision_id, unit.id, provider.id, check_in,
                decision.period_to, justification=justification)


def move_out(stay: Stay, *, check_out: date, destination: str) -> HouseholdMovedOut:
    if stay.check_out is not None:
        raise PlacementError("Husstanden er allerede flyttet ut.", "stay_id", 409)
    if check_out <= stay.check_in:
        raise PlacementError("Utflyttingsdatoen må være etter innflyttingsdatoen.", "check_out")
    stay.check_out = check_out
    stay.destination = destination
    return HouseholdMovedOut(stay)
