"""Stats' incoming events: the one declarative table of what each wire event becomes as a stats command, the
subscriptions made of it (through the bus, which claims each event in the inbox), and the reading of the
topics back from their beginning that a rebuild uses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from aiokafka import ConsumerRecord

from contracts import (
    ApplicationReceived,
    CapacityChanged,
    DecisionMade,
    Envelope,
    EnvelopeError,
    HouseholdMovedOut,
    HouseholdPlaced,
    InvoiceApproved,
    InvoiceReceived,
    InvoiceReconciled,
    OfficeChanged,
    OfficeClosed,
    OfficeRegistered,
    ProviderChanged,
    ProviderRegistered,
    RequisitionClosed,
    RequisitionIssued,
    StayExtended,
    UnitChanged,
    UnitRegistered,
)
from kit import messagebus
from kit.messagebus import EventTable, MessageBus
from kit.messaging import Subscription
from kit.topics import read_to_end
from services.stats.domain import commands as c
from services.stats.service_layer.rebuild import Replayed


def _application(v: Envelope) -> c.Command:
    e: ApplicationReceived = v.data
    return c.RecordApplication(v.id, v.time, e.application_id, e.household_id, e.office_id, e.municipality,
                               e.district, e.received_at, e.channel, e.urgent, e.household.adults,
                               len(e.household.children_birth_dates))


def _decision(v: Envelope) -> c.Command:
    e: DecisionMade = v.data
    return c.RecordDecision(v.id, v.time, e.decision_id, e.application_id, e.household_id, e.office_id,
                            e.municipality, e.district, e.outcome, e.period_from, e.period_to, e.decided_at,
                            e.extends_decision_id)


def _office(v: Envelope) -> c.Command:
    e: OfficeRegistered = v.data
    return c.RecordOffice(v.id, v.time, e.office_id, e.name, e.municipality, e.district, e.closed)


def _provider(v: Envelope) -> c.Command:
    e: ProviderRegistered = v.data
    return c.RecordProvider(v.id, v.time, e.provider_id, e.name, e.orgnr, e.kind, e.municipality, e.district,
                            e.accommodation, e.agreement.kind, e.agreement.price_per_night, e.agreement.fixed_places)


def _unit(v: Envelope) -> c.Command:
    e: UnitRegistered = v.data
    return c.RecordUnit(v.id, v.time, e.unit_id, e.provider_id, e.name, e.beds, e.address)


def _capacity(v: Envelope) -> c.Command:
    e: CapacityChanged = v.data
    return c.RecordCapacity(v.id, v.time, e.unit_id, e.provider_id, e.beds, e.occupied, e.municipality,
                            e.changed_at)


def _placed(v: Envelope) -> c.Command:
    e: HouseholdPlaced = v.data
    return c.RecordStayStarted(
        v.id, v.time, stay_id=e.stay_id, household_id=e.household_id, office_id=e.office_id,
        municipality=e.municipality, district=e.district, accommodation=e.accommodation,
        agreement_kind=e.agreement_kind, provider_id=e.provider_id, check_in=e.check_in,
        applicant_birth_date=e.household.applicant_birth_date,
        children_birth_dates=tuple(e.household.children_birth_dates), unit_id=e.unit_id, decision_id=e.decision_id,
        provider_name=e.provider_name, price_per_night=e.price_per_night, authorised_to=e.authorised_to,
        adults=e.household.adults, justified=e.justified or bool(e.__dict__.get("justification")))
    # (earlier events carried the text itself; read without the deprecation warning)


def _extended(v: Envelope) -> c.Command:
    e: StayExtended = v.data
    return c.RecordStayExtended(v.id, v.time, e.stay_id, e.household_id, e.authorised_to)


def _moved_out(v: Envelope) -> c.Command:
    e: HouseholdMovedOut = v.data
    return c.RecordStayEnded(v.id, v.time, e.stay_id, e.household_id, e.check_out, e.destination)


def _requisition(v: Envelope) -> c.Command:
    e: RequisitionIssued = v.data
    return c.RecordRequisitionIssued(v.id, v.time, e.requisition_id, e.number, e.stay_id, e.household_id,
                                     e.office_id, e.provider_id, e.agreement_kind, e.period_from, e.period_to,
                                     e.price_per_night, e.max_amount)


def _requisition_closed(v: Envelope) -> c.Command:
    e: RequisitionClosed = v.data
    return c.RecordRequisitionClosed(v.id, v.time, e.requisition_id, e.closed_from, e.reason)


def _invoice(v: Envelope) -> c.Command:
    e: InvoiceReceived = v.data
    return c.RecordInvoiceReceived(v.id, v.time, e.invoice_id, e.kind, e.supplier_orgnr, e.invoice_number,
                                   e.issue_date, e.total, e.lines)


def _reconciled(v: Envelope) -> c.Command:
    e: InvoiceReconciled = v.data
    return c.RecordInvoiceReconciled(v.id, v.time, e.invoice_id, e.status, e.claimed, e.payable)


def _approved(v: Envelope) -> c.Command:
    e: InvoiceApproved = v.data
    return c.RecordInvoiceApproved(v.id, v.time, e.invoice_id, e.provider_id, e.supplier_orgnr, e.agreement_kind,
                                   e.approved_amount, e.approved_at)


EVENT_TABLE: EventTable = {
    ApplicationReceived: _application, DecisionMade: _decision,
    OfficeRegistered: _office, OfficeChanged: _office, OfficeClosed: _office,
    ProviderRegistered: _provider, ProviderChanged: _provider, UnitRegistered: _unit, UnitChanged: _unit,
    CapacityChanged: _capacity,
    HouseholdPlaced: _placed, StayExtended: _extended, HouseholdMovedOut: _moved_out,
    RequisitionIssued: _requisition, RequisitionClosed: _requisition_closed,
    InvoiceReceived: _invoice, InvoiceReconciled: _reconciled, InvoiceApproved: _approved,
}
TOPICS: tuple[str, ...] = tuple(sorted({cls.topic.value for cls in EVENT_TABLE}))


def to_command(envelope: Envelope) -> c.Command:
    return EVENT_TABLE[type(envelope.data)](envelope)


def subscriptions(bus: MessageBus) -> list[Subscription]:
    return messagebus.subscriptions(EVENT_TABLE, bus)


def replayed_command(record: ConsumerRecord) -> c.Command | None:
    """A record read back from the log as a stats command; None for an event stats does not project or cannot
    read (the live consumer sent that one to the dead-letter topic)."""
    headers = {k: v.decode("utf-8", "replace") for k, v in record.headers or ()}
    try:
        envelope = Envelope.parse(headers, record.value or b"", record.key)
    except EnvelopeError:
        return None
    translate = EVENT_TABLE.get(type(envelope.data))
    return translate(envelope) if translate else None


async def replay(bootstrap: str, topics: Sequence[str], **reading) -> AsyncIterator[Replayed]:
    """Every record of stats' topics from the beginning, as batches of commands."""
    async for records in read_to_end(bootstrap, topics, **reading):
        commands = [cmd for cmd in map(replayed_command, records) if cmd is not None]
        yield Replayed(len(records), commands)
