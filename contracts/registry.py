from contracts.base import IntegrationEvent
from contracts.billing import (
    InvoiceApproved,
    InvoiceReceived,
    InvoiceReconciled,
    RequisitionClosed,
    RequisitionIssued,
)
from contracts.intake import ApplicationReceived, DecisionMade
from contracts.offices import OfficeChanged, OfficeClosed, OfficeRegistered
from contracts.placement import (
    CapacityChanged,
    HouseholdMovedOut,
    HouseholdPlaced,
    ProviderChanged,
    ProviderRegistered,
    StayExtended,
    UnitChanged,
    UnitRegistered,
)

_ALL: tuple[type[IntegrationEvent], ...] = (
    ApplicationReceived, DecisionMade,
    OfficeRegistered, OfficeChanged, OfficeClosed,
    ProviderRegistered, ProviderChanged, UnitRegistered, UnitChanged, CapacityChanged,
    HouseholdPlaced, StayExtended, HouseholdMovedOut,
    RequisitionIssued, RequisitionClosed,
    InvoiceReceived, InvoiceReconciled, InvoiceApproved,
)

EVENT_TYPES: dict[str, type[IntegrationEvent]] = {cls.event_type: cls for cls in _ALL}


def event_class(event_type: str) -> type[IntegrationEvent] | None:
    return EVENT_TYPES.get(event_type)
