"""The wire envelope: CloudEvents headers out, and every way a message can be wrong on the way in."""

import json
import uuid
from datetime import date

import pytest

from contracts import EVENT_TYPES, Envelope, EnvelopeError, HouseholdMovedOut, Topic


def event() -> HouseholdMovedOut:
    return HouseholdMovedOut(stay_id=uuid.uuid4(), household_id=uuid.uuid4(), check_out=date(2025, 3, 6),
                             destination="municipal_rental")


def test_round_trip_keeps_id_type_key_and_correlation():
    sent = Envelope.wrap(event(), source="/botilbud/placement", correlation_id="c-1")
    headers = sent.headers()
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_type"] == "botilbud.placement.household-moved-out.v1"
    assert sent.key == str(sent.data.household_id)  # keyed by household: its events stay in order
    received = Envelope.parse(headers, sent.body())
    assert (received.id, received.type, received.key, received.correlation_id) == (
        sent.id, sent.type, sent.key, "c-1")
    assert received.data == sent.data


@pytest.mark.parametrize(("headers", "body", "reason"), [
    ({}, b"{}", "missing_headers"),
    ({"ce_id": str(uuid.uuid4()), "ce_type": "botilbud.nobody.thing.v1", "ce_source": "/x"}, b"{}",
     "unknown_type"),
    ({"ce_id": str(uuid.uuid4()), "ce_type": HouseholdMovedOut.event_type, "ce_source": "/x"}, b"not json",
     "schema_violation"),
    ({"ce_id": "not-a-uuid", "ce_type": HouseholdMovedOut.event_type, "ce_source": "/x"},
     event().model_dump_json().encode(), "bad_headers"),
])
def test_bad_messages_are_refused_with_a_reason(headers, body, reason):
    with pytest.raises(EnvelopeError) as caught:
        Envelope.parse(headers, body)
    assert caught.value.reason == reason


def test_schema_violation_names_the_field():
    body = json.loads(event().model_dump_json())
    body["check_out"] = "2025-02-30"
    headers = {"ce_id": str(uuid.uuid4()), "ce_type": HouseholdMovedOut.event_type, "ce_source": "/x"}
    with pytest.raises(EnvelopeError) as caught:
        Envelope.parse(headers, json.dumps(body).encode())
    assert "check_out" in caught.value.detail


def test_every_event_type_is_versioned_and_on_a_known_topic():
    for event_type, model in EVENT_TYPES.items():
        assert event_type.endswith(".v1")
        assert model.topic in set(Topic)
        assert model.key_field in model.model_fields


def property_names(schema) -> set[str]:
    names: set[str] = set()
    if isinstance(schema, dict):
        names |= set(schema.get("properties", {}))
        for value in schema.values():
            names |= property_names(value)
    elif isinstance(schema, list):
        for value in schema:
            names |= property_names(value)
    return names


def test_no_event_carries_identity_numbers_or_names_of_persons():
    person_fields = {"identity_number", "fodselsnummer", "fnr", "d_number", "first_name", "last_name",
                     "applicant_name"}
    for model in EVENT_TYPES.values():
        fields = property_names(model.model_json_schema())
        assert not person_fields & fields, model.__name__
        # Only organisations and places have names, addresses, phones and mailboxes on the wire: providers and
        # Nav offices (an office's functional phone and mailbox, a provider's mailbox for requisitions).
        if {"name", "address", "phone", "email"} & fields:
            assert model.topic in (Topic.PROVIDER, Topic.OFFICE), model.__name__
        if "phone" in fields:
            assert model.topic is Topic.OFFICE, model.__name__
