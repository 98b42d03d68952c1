"""Placement's incoming events, in one declarative table: each event type and the command it becomes. The
message bus claims the event in the inbox and runs the command (kit.messagebus.subscriptions)."""

from __future__ import annotations

from contracts import DecisionMade, Envelope, OfficeChanged, OfficeClosed, OfficeRegistered
from kit.messagebus import EventTable, MessageBus
from kit.messagebus import subscriptions as bus_subscriptions
from kit.messaging import Subscription
from services.placement.domain.commands import RecordDecision
from services.placement.domain.offices import RecordOffice


def _decision(envelope: Envelope) -> RecordDecision:
    e: DecisionMade = envelope.data
    return RecordDecision(
        decision_id=e.decision_id, household_id=e.household_id, office_id=e.office_id,
        municipality=e.municipality, district=e.district, outcome=e.outcome, period_from=e.period_from,
        period_to=e.period_to, household=e.household.model_dump(mode="json"),
        extends_decision_id=e.extends_decision_id, conditions=tuple(e.conditions))


def _office(envelope: Envelope) -> RecordOffice:
    e: OfficeRegistered = envelope.data
    return RecordOffice(e.office_id, e.name, e.municipality, e.district, e.closed, envelope.time)


EVENT_TABLE: EventTable = {DecisionMade: _decision, OfficeRegistered: _office, OfficeChanged: _office,
                           OfficeClosed: _office}


def subscriptions(bus: MessageBus | None) -> list[Subscription]:
    return bus_subscriptions(EVENT_TABLE, bus)
