"""Stats' subscriptions (the one place they are registered), the translation of every wire event into a
stats command, and the replay from the beginning of the topics that a rebuild uses."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from uuid import UUID

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import ValidationError

from contracts import (
    ApplicationReceived,
    CapacityChanged,
    DecisionMade,
    Envelope,
    HouseholdMovedOut,
    HouseholdPlaced,
    IntegrationEvent,
    InvoiceApproved,
    InvoiceReceived,
    InvoiceReconciled,
    ProviderChanged,
    ProviderRegistered,
    RequisitionClosed,
    RequisitionIssued,
    StayExtended,
    Topic,
    UnitChanged,
    UnitRegistered,
)
from kit.logging import get_logger
from kit.messaging import Subscription
from kit.settings import Settings
from services.stats.domain import commands as c
from services.stats.service_layer import handlers

log = get_logger(__name__)


def _application(v: Envelope, e: ApplicationReceived) -> c.Command:
    return c.RecordApplication(v.id, v.time, e.application_id, e.household_id, e.office_id, e.municipality,
                               e.district, e.received_at, e.channel, e.urgent, e.household.adults,
                               len(e.household.children_birth_dates))


def _decision(v: Envelope, e: DecisionMade) -> c.Command:
    return c.RecordDecision(v.id, v.time, e.decision_id, e.application_id, e.household_id, e.office_id,
                            e.municipality, e.district, e.outcome, e.period_from, e.period_to, e.decided_at,
                            e.extends_decision_id)


def _provider(v: Envelope, e: ProviderRegistered) -> c.Command:
    return c.RecordProvider(v.id, v.time, e.provider_id, e.name, e.orgnr, e.kind, e.municipality, e.district,
                            e.accommodation, e.agreement.kind, e.agreement.price_per_night, e.agreement.fixed_places)


def _unit(v: Envelope, e: UnitRegistered) -> c.Command:
    return c.RecordUnit(v.id, v.time, e.unit_id, e.provider_id, e.name, e.beds, e.address)


def _capacity(v: Envelope, e: CapacityChanged) -> c.Command:
    return c.RecordCapacity(v.id, v.time, e.unit_id, e.provider_id, e.beds, e.occupied, e.municipality,
                            e.changed_at)


def _placed(v: Envelope, e: HouseholdPlaced) -> c.Command:
    return c.RecordStayStarted(
        v.id, v.time, stay_id=e.stay_id, household_id=e.household_id, office_id=e.office_id,
        municipality=e.municipality, district=e.district, accommodation=e.accommodation,
        agreement_kind=e.agreement_kind, provider_id=e.provider_id, check_in=e.check_in,
        applicant_birth_date=e.household.applicant_birth_date,
        children_birth_dates=tuple(e.household.children_birth_dates), unit_id=e.unit_id, decision_id=e.decision_id,
        provider_name=e.provider_name, price_per_night=e.price_per_night, authorised_to=e.authorised_to,
        adults=e.household.adults, justified=e.justified or bool(e.justification))  # earlier events had the text


def _extended(v: Envelope, e: StayExtended) -> c.Command:
    return c.RecordStayExtended(v.id, v.time, e.stay_id, e.household_id, e.authorised_to)


def _moved_out(v: Envelope, e: HouseholdMovedOut) -> c.Command:
    return c.RecordStayEnded(v.id, v.time, e.stay_id, e.household_id, e.check_out, e.destination)


def _requisition(v: Envelope, e: RequisitionIssued) -> c.Command:
    return c.RecordRequisitionIssued(v.id, v.time, e.requisition_id, e.number, e.stay_id, e.household_id,
                                     e.office_id, e.provider_id, e.agreement_kind, e.period_from, e.period_to,
                                     e.price_per_night, e.max_amount)


def _requisition_closed(v: Envelope, e: RequisitionClosed) -> c.Command:
    return c.RecordRequisitionClosed(v.id, v.time, e.requisition_id, e.closed_from, e.reason)


def _invoice(v: Envelope, e: InvoiceReceived) -> c.Command:
    return c.RecordInvoiceReceived(v.id, v.time, e.invoice_id, e.kind, e.supplier_orgnr, e.invoice_number,
                                   e.issue_date, e.total, e.lines)


def _reconciled(v: Envelope, e: InvoiceReconciled) -> c.Command:
    return c.RecordInvoiceReconciled(v.id, v.time, e.invoice_id, e.status, e.claimed, e.payable)


def _approved(v: Envelope, e: InvoiceApproved) -> c.Command:
    return c.RecordInvoiceApproved(v.id, v.time, e.invoice_id, e.provider_id, e.supplier_orgnr, e.agreement_kind,
                                   e.approved_amount, e.approved_at)


TRANSLATE: dict[type[IntegrationEvent], Callable[[Envelope, IntegrationEvent], c.Command]] = {
    ApplicationReceived: _application, DecisionMade: _decision,
    ProviderRegistered: _provider, ProviderChanged: _provider, UnitRegistered: _unit, UnitChanged: _unit,
    CapacityChanged: _capacity,
    HouseholdPlaced: _placed, StayExtended: _extended, HouseholdMovedOut: _moved_out,
    RequisitionIssued: _requisition, RequisitionClosed: _requisition_closed,
    InvoiceReceived: _invoice, InvoiceReconciled: _reconciled, InvoiceApproved: _approved,
}
TYPES = {cls.event_type: cls for cls in TRANSLATE}


def to_command(envelope: Envelope) -> c.Command:
    return TRANSLATE[type(envelope.data)](envelope, envelope.data)


def subscriptions(uow_factory) -> list[Subscription]:
    async def on_event(envelope: Envelope) -> None:
        await handlers.record(to_command(envelope), uow_factory)

    by_topic: dict[str, dict] = {}
    for cls in TRANSLATE:
        by_topic.setdefault(cls.topic.value, {})[cls] = on_event
    return [Subscription(topic, handlers_) for topic, handlers_ in by_topic.items()]


TOPICS: tuple[str, ...] = tuple(t.value for t in Topic)


@dataclass(frozen=True)
class _Meta:
    """The two envelope attributes a command takes (the replay's fast path skips building an Envelope)."""

    id: UUID
    time: datetime


def parse_record(record) -> c.Command | None:
    """A raw Kafka record as a stats command; None for events stats does not project or cannot read
    (the live consumer has already sent those to the dead-letter topic). Validates the body against its
    contract exactly like `Envelope.parse`."""
    headers = {k: v for k, v in (record.headers or ())}
    cls = TYPES.get((headers.get("ce_type") or b"").decode())
    if cls is None:
        return None
    try:
        data = cls.model_validate_json(record.value or b"")
        meta = _Meta(UUID(headers["ce_id"].decode()), datetime.fromisoformat(headers["ce_time"].decode()))
    except (ValidationError, KeyError, ValueError):
        return None
    return TRANSLATE[cls](meta, data)


async def _partitions(bootstrap: str, topics: list[str]) -> list[TopicPartition]:
    """The topics' partitions, asked of the broker. (A consumer's cached metadata holds only the topics it has
    asked about: Apache Kafka answers a metadata request for no topic with none.)"""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return [TopicPartition(t["topic"], p["partition"]) for t in described if t["error_code"] == 0
            for p in sorted(t["partitions"], key=lambda p: p["partition"])]


async def replay(bootstrap: str, settings: Settings, uow_factory, *, batch_size: int = 2000, idle_ms: int = 500,
                 tail_seconds: float = 30.0, on_progress: Callable[[int], None] | None = None) -> int:
    """Read every stats topic from offset 0 to its end, with a consumer outside any group (so the live
    consumer's committed offsets are untouched), and project the events in batches. Returns how many events
    were read. The live consumer goes on meanwhile; the inbox makes any overlap harmless."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest", max_partition_fetch_bytes=8 * 1024 * 1024,
                                fetch_max_bytes=32 * 1024 * 1024)
    await consumer.start()
    try:
        parts = await _partitions(bootstrap, [settings.topic(t) for t in TOPICS])
        if not parts:
            return 0
        consumer.assign(parts)
        end = await consumer.end_offsets(parts)
        await consumer.seek_to_beginning(*parts)
        # Read up to the end offsets taken now, then on until a fetch comes back empty: some brokers (the
        # embedded Tansu) report end offsets below the log's true end, so they are a floor, not the stop.
        remaining = {tp for tp in parts if end[tp] > 0}
        read = 0
        writing: asyncio.Future | None = None
        loop = asyncio.get_running_loop()
        # Past the floor, read on until idle, but not for ever under steady live traffic.
        tail_until = None if remaining else loop.time() + tail_seconds
        while True:
            fetched = await consumer.getmany(timeout_ms=1000 if remaining else idle_ms, max_records=batch_size)
            done = not remaining and (not fetched or loop.time() > tail_until)
            cmds = []
            for tp, records in fetched.items():
                for record in records:
                    read += 1
                    cmd = parse_record(record)
                    if cmd is not None:
                        cmds.append(cmd)
                if records and records[-1].offset + 1 >= end[tp]:
                    remaining.discard(tp)
            if not fetched:
                for tp in list(remaining):
                    if await consumer.position(tp) >= end[tp]:
                        remaining.discard(tp)
            if not remaining and tail_until is None:
                tail_until = loop.time() + tail_seconds
            # One batch is written while the next is fetched and parsed (never two at once: no deadlocks).
            if writing is not None:
                await writing
            writing = asyncio.ensure_future(handlers.project(cmds, uow_factory, rebuilding=True))
            if on_progress:
                on_progress(read)
            if done:
                break
        if writing is not None:
            await writing
        return read
    finally:
        await consumer.stop()


async def rebuild(bootstrap: str, settings: Settings, uow_factory) -> int:
    """Empty the projections and the inbox, then replay every topic from the beginning."""
    await handlers.truncate_projections(uow_factory)
    count = await replay(bootstrap, settings, uow_factory)
    await handlers.analyze(uow_factory)
    log.info("stats_rebuilt", events=count)
    return count


def rebuilder(bootstrap: str, settings: Settings, uow_factory):
    return partial(rebuild, bootstrap, settings, uow_factory)
