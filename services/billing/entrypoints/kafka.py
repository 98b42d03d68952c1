"""Billing's subscriptions: the one place they are registered."""

from contracts import (
    Envelope,
    HouseholdMovedOut,
    HouseholdPlaced,
    ProviderChanged,
    ProviderRegistered,
    StayExtended,
    Topic,
)
from kit.messaging import Subscription
from services.billing.domain.commands import CloseRequisition, ExtendRequisition, IssueRequisition, RecordProvider
from services.billing.service_layer import handlers


def subscriptions(uow_factory) -> list[Subscription]:
    async def on_placed(envelope: Envelope) -> None:
        e: HouseholdPlaced = envelope.data
        await handlers.issue_requisition(IssueRequisition(
            event_id=envelope.id, stay_id=e.stay_id, household_id=e.household_id, office_id=e.office_id,
            provider_id=e.provider_id, provider_name=e.provider_name, provider_orgnr=e.provider_orgnr,
            unit_id=e.unit_id, agreement_kind=e.agreement_kind, check_in=e.check_in,
            authorised_to=e.authorised_to, price_per_night=e.price_per_night, imported=e.imported,
            imported_on=e.imported_on, imported_check_out=e.imported_check_out), uow_factory)

    async def on_extended(envelope: Envelope) -> None:
        e: StayExtended = envelope.data
        await handlers.extend_requisition(ExtendRequisition(envelope.id, e.stay_id, e.authorised_to), uow_factory)

    async def on_moved_out(envelope: Envelope) -> None:
        e: HouseholdMovedOut = envelope.data
        await handlers.close_requisition(CloseRequisition(envelope.id, e.stay_id, e.check_out), uow_factory)

    async def on_provider(envelope: Envelope) -> None:
        e: ProviderRegistered = envelope.data
        await handlers.record_provider(RecordProvider(
            event_id=envelope.id, provider_id=e.provider_id, orgnr=e.orgnr, name=e.name,
            agreement_kind=e.agreement.kind, price_per_night=e.agreement.price_per_night,
            fixed_places=e.agreement.fixed_places), uow_factory)

    return [
        Subscription(Topic.STAY.value, {HouseholdPlaced: on_placed, StayExtended: on_extended,
                                        HouseholdMovedOut: on_moved_out}),
        Subscription(Topic.PROVIDER.value, {ProviderRegistered: on_provider, ProviderChanged: on_provider}),
    ]
