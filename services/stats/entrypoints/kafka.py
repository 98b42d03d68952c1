"""Stats' subscriptions: the one place they are registered."""

from botilbud.kit.messaging import Subscription
from contracts import Envelope, HouseholdMovedOut, HouseholdPlaced, Topic
from services.stats.domain.commands import RecordStayEnded, RecordStayStarted
from services.stats.service_layer import handlers


def subscriptions(uow_factory) -> list[Subscription]:
    async def on_placed(envelope: Envelope) -> None:
        e: HouseholdPlaced = envelope.data
        await handlers.record_stay_started(RecordStayStarted(
            event_id=envelope.id, stay_id=e.stay_id, household_id=e.household_id, office_id=e.office_id,
            municipality=e.municipality, district=e.district, accommodation=e.accommodation,
            agreement_kind=e.agreement_kind, provider_id=e.provider_id, check_in=e.check_in,
            applicant_birth_date=e.household.applicant_birth_date,
            children_birth_dates=tuple(e.household.children_birth_dates)), uow_factory)

    async def on_moved_out(envelope: Envelope) -> None:
        e: HouseholdMovedOut = envelope.data
        await handlers.record_stay_ended(RecordStayEnded(envelope.id, e.stay_id, e.household_id, e.check_out,
                                                         e.destination), uow_factory)

    return [Subscription(Topic.STAY.value, {HouseholdPlaced: on_placed, HouseholdMovedOut: on_moved_out})]
