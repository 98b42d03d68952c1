"""Billing's incoming events, in one table: each of placement's events becomes a command for the bus, which
claims the event in the inbox and runs the handler in one transaction.

A placement billing cannot guarantee (a name it cannot store, a period that ends before it starts or costs more
than an event can carry) is refused here, at the edge, before any database work: its stay is recorded without a
requisition (so its later extension and move-out are no fault) and the refusal is logged and counted. It never
fails, retries or dead-letters — and so never holds up or takes with it the good events around it."""

from __future__ import annotations

from prometheus_client import Counter

from contracts import (
    Envelope,
    HouseholdMovedOut,
    HouseholdPlaced,
    OfficeChanged,
    OfficeClosed,
    OfficeRegistered,
    ProviderChanged,
    ProviderRegistered,
    StayExtended,
    UnitChanged,
    UnitRegistered,
)
from kit.logging import get_logger
from kit.messagebus import EventTable, MessageBus
from kit.messagebus import subscriptions as table_subscriptions
from kit.messaging import Subscription
from services.billing.domain import commands
from services.billing.domain.limits import date_problem, text_problem
from services.billing.domain.model import period_problem

log = get_logger(__name__)
REFUSED = Counter("botilbud_billing_events_refused_total", "Placement events billing refused at the edge (it "
                  "cannot store or guarantee them): no requisition, the stay recorded without one.", ["event_type"])
TEXT_LIMITS = {"provider_name": 200, "office_id": 64}


def placement_problem(e: HouseholdPlaced) -> str | None:
    """Why billing cannot issue this placement's requisition (None: it can). Names fields, never values."""
    for name, limit in TEXT_LIMITS.items():
        problem = text_problem(getattr(e, name), limit)
        if problem:
            return f"{name} {problem}"
    for name in ("check_in", "authorised_to"):
        problem = date_problem(getattr(e, name))
        if problem:
            return f"{name} {problem}"
    problem = period_problem(e.check_in, e.authorised_to, e.price_per_night)
    return f"authorised_to: {problem}" if problem else None


def on_placed(envelope: Envelope) -> commands.IssueRequisition | commands.RefusePlacement:
    e: HouseholdPlaced = envelope.data
    problem = placement_problem(e)
    if problem:
        REFUSED.labels(HouseholdPlaced.event_type).inc()
        log.error("event_refused", event_id=str(envelope.id), event_type=envelope.type, reason=problem)
        return commands.RefusePlacement(e.stay_id, e.household_id, e.check_in, problem)
    return commands.IssueRequisition(
        stay_id=e.stay_id, household_id=e.household_id, office_id=e.office_id, provider_id=e.provider_id,
        provider_name=e.provider_name, provider_orgnr=e.provider_orgnr, unit_id=e.unit_id,
        agreement_kind=e.agreement_kind, check_in=e.check_in, authorised_to=e.authorised_to,
        price_per_night=e.price_per_night, imported=e.imported, imported_on=e.imported_on,
        imported_check_out=e.imported_check_out, persons=e.household.adults + len(e.household.children_birth_dates),
        conditions=tuple(e.conditions), placed_by=e.placed_by, placed_by_name=e.placed_by_name)


def on_extended(envelope: Envelope) -> commands.ExtendRequisition | None:
    e: StayExtended = envelope.data
    problem = date_problem(e.authorised_to)
    if problem:
        REFUSED.labels(StayExtended.event_type).inc()
        log.error("event_refused", event_id=str(envelope.id), event_type=envelope.type,
                  reason=f"authorised_to {problem}")
        return None
    return commands.ExtendRequisition(e.stay_id, e.authorised_to,
                                      tuple(e.conditions) if e.conditions is not None else None)


def on_moved_out(envelope: Envelope) -> commands.CloseRequisition:
    e: HouseholdMovedOut = envelope.data
    return commands.CloseRequisition(e.stay_id, e.check_out)


def on_provider(envelope: Envelope) -> commands.RecordProvider:
    e: ProviderRegistered = envelope.data
    return commands.RecordProvider(provider_id=e.provider_id, orgnr=e.orgnr, name=e.name,
                                   agreement_kind=e.agreement.kind, price_per_night=e.agreement.price_per_night,
                                   fixed_places=e.agreement.fixed_places, email=e.email)


def on_unit(envelope: Envelope) -> commands.RecordUnit:
    e: UnitRegistered = envelope.data
    return commands.RecordUnit(e.unit_id, e.provider_id, e.name, e.address, envelope.time)


def on_office(envelope: Envelope) -> commands.RecordOffice:
    e: OfficeRegistered = envelope.data
    return commands.RecordOffice(e.office_id, e.name, e.municipality, e.district, e.address, e.phone, e.email,
                                 e.closed, envelope.time)


EVENT_TABLE: EventTable = {
    HouseholdPlaced: on_placed,
    StayExtended: on_extended,
    HouseholdMovedOut: on_moved_out,
    ProviderRegistered: on_provider,
    ProviderChanged: on_provider,
    UnitRegistered: on_unit,
    UnitChanged: on_unit,
    OfficeRegistered: on_office,
    OfficeChanged: on_office,
    OfficeClosed: on_office,
}


def subscriptions(bus: MessageBus | None) -> list[Subscription]:
    """The kit's subscriptions of the table (`botilbud verify` reads the event types with bus None)."""
    return table_subscriptions(EVENT_TABLE, bus)
