"""Stats' incoming events: one table for every event it projects, the subscriptions made of it, and the
records a rebuild reads back parsed exactly as the live consumer parses them (`Envelope.parse`)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from aiokafka import ConsumerRecord

from contracts import Envelope, HouseholdFacts, HouseholdMovedOut, HouseholdPlaced, Topic
from services.stats.domain import commands as c
from services.stats.entrypoints import kafka
from tests.unit.stats.fakes import fake_bus

PLACED = HouseholdPlaced(
    stay_id=UUID(int=1), household_id=UUID(int=2), decision_id=UUID(int=3), office_id="nav-grunerlokka",
    municipality="0301", district="Grünerløkka", provider_id=UUID(int=4), provider_name="Tilbyder",
    provider_orgnr="974760673", unit_id=UUID(int=5), accommodation="temporary", agreement_kind="framework",
    price_per_night=Decimal("500"), check_in=date(2025, 3, 1), authorised_to=date(2025, 3, 30),
    household=HouseholdFacts(applicant_birth_date=date(1990, 1, 1), children_birth_dates=[date(2015, 5, 1)]),
    justified=True)


def record(envelope: Envelope, *, value: bytes | None = None, headers=None) -> ConsumerRecord:
    headers = headers if headers is not None else [(k, v.encode()) for k, v in envelope.headers().items()]
    body = envelope.body() if value is None else value
    return ConsumerRecord(topic="t", partition=0, offset=0, timestamp=0, timestamp_type=0, key=envelope.key.encode(),
                          value=body, checksum=None, serialized_key_size=0, serialized_value_size=len(body),
                          headers=headers)


def test_every_topic_stats_reads_is_subscribed_through_the_table():
    subs = kafka.subscriptions(fake_bus()[0])
    assert {s.topic for s in subs} == {t.value for t in Topic}
    assert {cls for s in subs for cls in s.handlers} == set(kafka.EVENT_TABLE)


async def test_a_subscribed_event_reaches_the_projections_once():
    bus, uow = fake_bus()
    (stay_topic,) = [s for s in kafka.subscriptions(bus) if s.topic == Topic.STAY.value]
    envelope = Envelope.wrap(PLACED, source="/botilbud/placement", correlation_id="t")
    for _ in range(2):
        await stay_topic.handlers[HouseholdPlaced](envelope)
    assert [cmd.stay_id for cmd in uow.projections.applied] == [UUID(int=1)]


def test_a_placement_becomes_a_stay_with_the_household_facts():
    envelope = Envelope.wrap(PLACED, source="/botilbud/placement", correlation_id="t")
    cmd = kafka.to_command(envelope)
    assert isinstance(cmd, c.RecordStayStarted)
    assert (cmd.event_id, cmd.event_time) == (envelope.id, envelope.time)
    assert cmd.children_birth_dates == (date(2015, 5, 1),) and cmd.justified and cmd.district == "Grünerløkka"


def test_a_record_read_back_is_the_same_command_as_the_live_one():
    envelope = Envelope.wrap(PLACED, source="/botilbud/placement", correlation_id="t")
    assert kafka.replayed_command(record(envelope)) == kafka.to_command(envelope)


def test_records_a_rebuild_cannot_use_are_skipped():
    envelope = Envelope.wrap(HouseholdMovedOut(stay_id=UUID(int=1), household_id=UUID(int=2),
                                               check_out=date(2025, 4, 1), destination="unknown"),
                             source="/botilbud/placement", correlation_id="t")
    assert isinstance(kafka.replayed_command(record(envelope)), c.RecordStayEnded)
    assert kafka.replayed_command(record(envelope, value=b'{"stay_id": "nope"}')) is None  # schema violation
    assert kafka.replayed_command(record(envelope, headers=[])) is None  # no CloudEvents headers
    odd = [(k, b"\xff\xfe" if k == "ce_type" else v.encode()) for k, v in envelope.headers().items()]
    assert kafka.replayed_command(record(envelope, headers=odd)) is None  # not UTF-8: an unknown type


def test_the_replay_keeps_each_events_own_time():
    at = datetime(2025, 3, 1, 8, tzinfo=UTC)
    envelope = Envelope.wrap(PLACED, source="/botilbud/placement", correlation_id="t").model_copy(update={"time": at})
    assert kafka.replayed_command(record(envelope)).event_time == at


def test_an_office_event_becomes_the_offices_full_state():
    from contracts import OfficeChanged, OfficeClosed, OfficeRegistered

    for event in (OfficeRegistered, OfficeChanged, OfficeClosed):
        envelope = Envelope.wrap(event(office_id="nav-sagene", name="Nav Sagene", municipality="0301",
                                       district="Sagene", closed=event is OfficeClosed),
                                 source="/botilbud/intake", correlation_id="t")
        assert kafka.to_command(envelope) == c.RecordOffice(envelope.id, envelope.time, "nav-sagene", "Nav Sagene",
                                                            "0301", "Sagene", event is OfficeClosed)
        assert kafka.replayed_command(record(envelope)) == kafka.to_command(envelope)  # a rebuild reads it too
