"""Billing's batch handler for placement's stay events (service_layer/stays.py) does what the handlers do one
event at a time: for a mixed batch — imported history that ended, an imported stay still open, a live stay
placed, extended and moved out, a refused placement, a repeated event — the same stays, the same requisitions
and the same announced events; a move-out of a stay billing does not know fails the whole batch."""

from dataclasses import asdict
from datetime import date

import pytest

import contracts
from services.billing.entrypoints import kafka
from tests.unit.billing.events import deliver, envelope, extended, moved_out, placed
from tests.unit.billing.fakes import billing

TODAY = date(2026, 4, 2)


def batch() -> list[contracts.Envelope]:
    ended = placed(check_in=date(2025, 1, 3), authorised_to=date(2025, 2, 13), imported=True, imported_on=TODAY,
                   imported_check_out=date(2025, 2, 14))
    still_open = placed(check_in=date(2026, 3, 1), authorised_to=TODAY, imported=True, imported_on=TODAY)
    live = placed()
    refused = placed(provider_name="x" * 300)
    events = [ended, moved_out(ended, date(2025, 2, 14)), still_open, live, extended(live, date(2026, 4, 30)),
              refused, moved_out(refused, date(2026, 3, 20)), moved_out(live, date(2026, 3, 25))]
    envelopes = [envelope(e) for e in events]
    return envelopes + envelopes[:2]  # the first two again: a redelivery inside the batch


def outcome(b) -> tuple:
    requisitions = sorted((r.stay_id, r.number, r.period_from, r.period_to, r.status, r.closed_from)
                          for r in b.store.requisitions.values())
    stays = {stay_id: asdict(s) for stay_id, s in b.store.stays.items()}
    announced = [(type(e.data).__name__, e.data.model_dump(exclude={"requisition_id"})) for e in b.published]
    return requisitions, stays, announced


async def test_a_batch_of_stay_events_ends_as_the_same_events_one_by_one():
    envelopes = batch()
    one_by_one = billing(today=TODAY)
    for env in envelopes:
        await deliver(one_by_one.bus, env)
    together = billing(today=TODAY)
    [subscription, *_] = kafka.subscriptions(together.bus)
    await subscription.batch(envelopes)

    assert outcome(together) == outcome(one_by_one)
    requisitions, stays, announced = outcome(together)
    assert len(stays) == 4 and len(requisitions) == 2  # the open imported stay and the live one
    assert [kind for kind, _ in announced].count("RequisitionIssued") == 3  # issued, then extended
    assert together.uows[-1].commits == 1 and len(together.inbox) == 8


async def test_a_move_out_of_a_stay_billing_does_not_know_fails_the_batch_and_keeps_nothing():
    b = billing(today=TODAY)
    stranger = placed()
    [subscription, *_] = kafka.subscriptions(b.bus)
    with pytest.raises(LookupError):
        await subscription.batch([envelope(placed()), envelope(moved_out(stranger, date(2026, 3, 20)))])
    assert b.store.stays == {} and b.inbox == set()
