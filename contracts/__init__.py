"""Wire contracts shared by the Botilbud services: the v1 integration events, their topics and envelope.

These are not domain objects. Each service translates them at its edge (entrypoints for incoming events,
the outbox adapter for outgoing ones). Changing a field's meaning needs a new version (v2) of the event.
"""

from contracts.base import IntegrationEvent
from contracts.billing import (
    InvoiceApproved,
    InvoiceReceived,
    InvoiceReconciled,
    RequisitionClosed,
    RequisitionIssued,
)
from contracts.envelope import Envelope, EnvelopeError
from contracts.intake import ApplicationReceived, DecisionMade, HouseholdFacts, PlacementNeeds
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
from contracts.registry import EVENT_TYPES, event_class
from contracts.topics import ALL_TOPICS, Topic

__all__ = [
    "ALL_TOPICS",
    "EVENT_TYPES",
    "ApplicationReceived",
    "CapacityChanged",
    "DecisionMade",
    "Envelope",
    "EnvelopeError",
    "HouseholdFacts",
    "HouseholdMovedOut",
    "HouseholdPlaced",
    "IntegrationEvent",
    "InvoiceApproved",
    "InvoiceReceived",
    "InvoiceReconciled",
    "OfficeChanged",
    "OfficeClosed",
    "OfficeRegistered",
    "PlacementNeeds",
    "ProviderChanged",
    "ProviderRegistered",
    "RequisitionClosed",
    "RequisitionIssued",
    "StayExtended",
    "Topic",
    "UnitChanged",
    "UnitRegistered",
    "event_class",
]
