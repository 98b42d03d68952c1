"""Placement's subscriptions: the one place they are registered. Each handler only translates the wire
event into a command."""

from contracts import DecisionMade, Envelope, Topic
from kit.messaging import Subscription
from services.placement.domain.commands import RecordDecision
from services.placement.service_layer import handlers


def subscriptions(uow_factory) -> list[Subscription]:
    async def on_decision_made(envelope: Envelope) -> None:
        e: DecisionMade = envelope.data
        await handlers.record_decision(RecordDecision(
            event_id=envelope.id, decision_id=e.decision_id, household_id=e.household_id,
            office_id=e.office_id, municipality=e.municipality, district=e.district, outcome=e.outcome,
            period_from=e.period_from, period_to=e.period_to, household=e.household.model_dump(mode="json"),
            extends_decision_id=e.extends_decision_id, conditions=tuple(e.conditions),
        ), uow_factory)

    return [Subscription(Topic.HOUSEHOLD.value, {DecisionMade: on_decision_made})]
