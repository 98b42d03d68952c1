"""Billing's domain: requisitions. Pure Python: no I/O, no frameworks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from stdnum import luhn

from services.billing.domain.errors import RuleBroken
from services.billing.domain.limits import MAX_AMOUNT


@dataclass
class Requisition:
    id: UUID
    number: str
    stay_id: UUID
    household_id: UUID
    office_id: str
    provider_id: UUID
    provider_name: str
    provider_orgnr: str
    unit_id: UUID
    agreement_kind: str
    period_from: date
    period_to: date
    price_per_night: Decimal
    status: str = "open"
    closed_from: date | None = None
    persons: int | None = None  # in the household (from placement's facts); None before billing kept it
    conditions: tuple[str, ...] = ()  # the decision's (boligskole …), printed for the provider
    contact_username: str | None = None  # the case worker who placed: the contact person, and whom intake
    contact_name: str | None = None  # records as the one the guest's name was looked up for
    events: list = field(default_factory=list, repr=False, compare=False)  # recorded, not yet published

    @property
    def nights(self) -> int:
        return (self.period_to - self.period_from).days + 1

    @property
    def max_amount(self) -> Decimal:
        return self.price_per_night * self.nights


@dataclass(frozen=True)
class RequisitionIssued:
    requisition: Requisition


@dataclass(frozen=True)
class RequisitionExtended:
    """The same requisition (same number) now covers more nights: the provider keeps quoting one number."""

    requisition: Requisition


@dataclass(frozen=True)
class RequisitionClosed:
    requisition: Requisition
    reason: str


def requisition_due(*, imported: bool, imported_on: date | None, check_out: date | None) -> bool:
    """Live stays always get a requisition. Imported history does not when the stay ended before the day of
    import (the format's rule: those nights were settled outside the system); an imported stay still open,
    or ending on the day of import, gets its requisition from check-in like a live one."""
    if not imported or check_out is None or imported_on is None:
        return True
    return check_out >= imported_on


def requisition_number(year: int, sequence: int) -> str:
    """Human-readable, with a Luhn check digit so a mistyped number on an invoice is caught: R2026-000123-4."""
    digits = f"{year:04d}{sequence:06d}"
    return f"R{year:04d}-{sequence:06d}-{luhn.calc_check_digit(digits)}"


def is_valid_requisition_number(number: str) -> bool:
    parts = number.strip().upper().removeprefix("R").split("-")
    return (len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 1
            and luhn.is_valid(parts[0] + parts[1] + parts[2]))


def period_problem(period_from: date, period_to: date, price_per_night: Decimal) -> str | None:
    """Why billing cannot guarantee this period at this price (None: it can)."""
    if period_to < period_from:
        return f"siste natt {period_to:%d.%m.%Y} er før første natt {period_from:%d.%m.%Y}"
    if price_per_night * ((period_to - period_from).days + 1) > MAX_AMOUNT:
        return f"perioden gir et maksimalt beløp over {MAX_AMOUNT:,.0f} kr".replace(",", " ")
    return None


def issue(*, sequence: int, stay_id: UUID, household_id: UUID, office_id: str, provider_id: UUID,
          provider_name: str, provider_orgnr: str, unit_id: UUID, agreement_kind: str, check_in: date,
          authorised_to: date, price_per_night: Decimal, persons: int | None = None,
          conditions: tuple[str, ...] = (), contact_username: str | None = None,
          contact_name: str | None = None) -> Requisition:
    problem = period_problem(check_in, authorised_to, price_per_night)
    if problem:
        raise RuleBroken(f"Rekvisisjonen kan ikke utstedes: {problem}.", field="authorised_to")
    requisition = Requisition(uuid4(), requisition_number(check_in.year, sequence), stay_id, household_id,
                              office_id, provider_id, provider_name, provider_orgnr, unit_id, agreement_kind,
                              check_in, authorised_to, price_per_night, persons=persons,
                              conditions=tuple(conditions), contact_username=contact_username,
                              contact_name=contact_name)
    requisition.events.append(RequisitionIssued(requisition))
    return requisition


def extend(requisition: Requisition, authorised_to: date,
           conditions: tuple[str, ...] | None = None) -> RequisitionExtended | None:
    """Extension (forlengelse) moves the requisition's last night (and takes the new decision's conditions, when
    known) and records the event. A closed requisition is not reopened, and an extension that does not lengthen
    the period changes nothing (None: redelivery or an out-of-date event)."""
    if requisition.status == "closed" or authorised_to <= requisition.period_to:
        return None
    problem = period_problem(requisition.period_from, authorised_to, requisition.price_per_night)
    if problem:
        raise RuleBroken(f"Rekvisisjonen kan ikke forlenges: {problem}.", field="authorised_to")
    requisition.period_to = authorised_to
    if conditions is not None:
        requisition.conditions = tuple(conditions)
    event = RequisitionExtended(requisition)
    requisition.events.append(event)
    return event


def close_at_move_out(requisition: Requisition, check_out: date) -> RequisitionClosed | None:
    """Nights from check-out on are not payable; records the event. None if already closed (idempotent)."""
    if requisition.status == "closed":
        return None
    requisition.status = "closed"
    requisition.closed_from = check_out
    requisition.period_to = min(requisition.period_to, check_out - timedelta(days=1))
    event = RequisitionClosed(requisition, "moved_out")
    requisition.events.append(event)
    return event


@dataclass
class Stay:
    """The receipt of the three-way match: the nights the household actually stayed."""

    stay_id: UUID
    household_id: UUID
    check_in: date
    check_out: date | None = None


@dataclass
class ProviderAgreement:
    """What billing keeps of a provider: who it is and its agreement (for fixed places and spend reports)."""

    provider_id: UUID
    orgnr: str
    name: str
    agreement_kind: str
    price_per_night: Decimal | None
    fixed_places: int
    email: str | None = None  # where requisitions are sent
