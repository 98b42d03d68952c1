"""Placement's events as billing receives them, delivered through billing's own event table and bus."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import contracts
from contracts import Envelope
from contracts.intake import HouseholdFacts
from contracts.placement import Agreement
from services.billing.entrypoints import kafka

ORGNR = "916451288"


def placed(*, check_in=date(2026, 3, 3), authorised_to=date(2026, 3, 31), price=Decimal("1000.00"),
           office_id="nav-grunerlokka", provider_name="Blå Kors bosenter", **changes) -> contracts.HouseholdPlaced:
    values = dict(stay_id=uuid4(), household_id=uuid4(), decision_id=uuid4(), office_id=office_id,
                  municipality="0301", provider_id=uuid4(), provider_name=provider_name, provider_orgnr=ORGNR,
                  unit_id=uuid4(), accommodation="temporary", agreement_kind="framework", price_per_night=price,
                  check_in=check_in, authorised_to=authorised_to,
                  household=HouseholdFacts(applicant_birth_date=date(1990, 4, 2)))
    return contracts.HouseholdPlaced(**values | changes)


def extended(event: contracts.HouseholdPlaced, authorised_to: date) -> contracts.StayExtended:
    return contracts.StayExtended(stay_id=event.stay_id, household_id=event.household_id, decision_id=uuid4(),
                                  authorised_to=authorised_to, extended_at="2026-03-20T10:00:00Z")


def moved_out(event: contracts.HouseholdPlaced, check_out: date) -> contracts.HouseholdMovedOut:
    return contracts.HouseholdMovedOut(stay_id=event.stay_id, household_id=event.household_id, check_out=check_out,
                                       destination="private_rental")


def provider(*, orgnr=ORGNR, fixed_places=2, price=Decimal("800.00")) -> contracts.ProviderChanged:
    return contracts.ProviderChanged(provider_id=uuid4(), name="Tilbyder AS", orgnr=orgnr, kind="private",
                                     municipality="0301", accommodation="temporary",
                                     agreement=Agreement(kind="framework", price_per_night=price,
                                                         fixed_places=fixed_places))


def envelope(event) -> Envelope:
    return Envelope.wrap(event, source="/botilbud/placement", correlation_id="test")


async def deliver(bus, event_or_envelope) -> None:
    """As the consumer does: the subscription of the event's type, with the envelope."""
    env = event_or_envelope if isinstance(event_or_envelope, Envelope) else envelope(event_or_envelope)
    [handler] = [h for sub in kafka.subscriptions(bus) for t, h in sub.handlers.items() if t is type(env.data)]
    await handler(env)
