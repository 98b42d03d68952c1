"""Sending requisitions to providers, on fakes: a mailing is asked for with the issue, the extension or a user's
"send again" (and never twice for one event), the job sends what is due, records what was sent, and retries a
failure after a growing pause. The real mail server and intake: tests/billing/test_requisitions_sent.py."""

from datetime import date, timedelta

import pytest

import contracts
from services.billing.domain.commands import SendRequisitionAgain
from services.billing.domain.errors import Conflict
from services.billing.domain.papers import NotSent, pause
from services.billing.service_layer.jobs import send_due_mailings
from tests.unit.billing.events import deliver, envelope, extended, placed
from tests.unit.billing.fakes import NOW, billing


class Post:
    """Sends (records) or refuses, as told."""

    def __init__(self):
        self.sent, self.refusal = [], None

    async def send(self, mailing, context):
        if self.refusal:
            raise NotSent(self.refusal)
        self.sent.append((mailing.reason, context.requisition.number, mailing.period_to))
        return {"recipient": context.provider_email or "booking@tilbyder.example", "subject": "Rekvisisjon",
                "attachment": f"rekvisisjon-{context.requisition.number}.pdf", "pdf": b"%PDF-1.3 test",
                "message_id": f"<{mailing.id}@nav.example>"}


def mailings(b):
    return sorted(b.store.mailings.values(), key=lambda m: m.requested_at)


async def test_issuing_and_extending_each_ask_for_one_mailing_and_a_redelivery_for_none():
    b = billing(post=Post())
    env = envelope(placed())
    await deliver(b.bus, env)
    await deliver(b.bus, env)  # redelivered: the inbox drops it
    b.now += timedelta(minutes=1)
    longer = envelope(extended(env.data, date(2026, 4, 30)))
    await deliver(b.bus, longer)
    await deliver(b.bus, longer)
    await deliver(b.bus, extended(env.data, date(2026, 4, 15)))  # shorter: nothing to send
    assert [(m.reason, m.period_to, m.status) for m in mailings(b)] == [
        ("issued", date(2026, 3, 31), "pending"), ("extended", date(2026, 4, 30), "pending")]


async def test_the_job_sends_what_is_due_once_and_records_what_was_sent():
    post = Post()
    b = billing(post=post)
    await deliver(b.bus, placed())
    assert await send_due_mailings(b.bus, b.queries, lambda: b.now) == 1
    assert await send_due_mailings(b.bus, b.queries, lambda: b.now) == 0  # sent: not again
    [m] = mailings(b)
    [r] = b.store.requisitions.values()
    assert post.sent == [("issued", r.number, date(2026, 3, 31))]
    assert (m.status, m.sent_at, m.attempts, m.attachment, m.pdf_bytes) == (
        "sent", NOW, 1, f"rekvisisjon-{r.number}.pdf", len(b"%PDF-1.3 test"))
    assert len(m.pdf_sha256) == 64 and m.last_error is None


async def test_a_failure_is_recorded_with_its_reason_and_tried_again_after_a_growing_pause():
    post = Post()
    post.refusal = "Tilbyderen har ingen e-postadresse for rekvisisjoner."
    b = billing(post=post)
    await deliver(b.bus, placed())
    assert await send_due_mailings(b.bus, b.queries, lambda: b.now) == 0
    [m] = mailings(b)
    assert (m.status, m.attempts, m.last_error, m.next_attempt_at) == (
        "pending", 1, post.refusal, NOW + timedelta(seconds=30))
    assert await send_due_mailings(b.bus, b.queries, lambda: b.now) == 0 and mailings(b)[0].attempts == 1  # not due
    b.now += timedelta(seconds=30)
    await send_due_mailings(b.bus, b.queries, lambda: b.now)
    assert mailings(b)[0].next_attempt_at == b.now + timedelta(seconds=60)
    post.refusal = None
    b.now += timedelta(seconds=60)
    assert await send_due_mailings(b.bus, b.queries, lambda: b.now) == 1
    assert (mailings(b)[0].status, mailings(b)[0].attempts, mailings(b)[0].last_error) == ("sent", 3, None)
    assert [pause(n) for n in (1, 2, 3, 8, 20)] == [timedelta(seconds=s) for s in (30, 60, 120, 3600, 3600)]


async def test_a_user_sends_it_again_and_a_provider_with_a_new_address_is_tried_at_once():
    post = Post()
    post.refusal = "Tilbyderen har ingen e-postadresse for rekvisisjoner."
    b = billing(post=post)
    event = placed()
    await deliver(b.bus, event)
    await send_due_mailings(b.bus, b.queries, lambda: b.now)
    post.refusal = None
    await deliver(b.bus, contracts.ProviderChanged(
        provider_id=event.provider_id, name=event.provider_name, orgnr=event.provider_orgnr, kind="private",
        municipality="0301", accommodation="temporary", agreement={"kind": "framework"}, email="post@bo.example"))
    assert await send_due_mailings(b.bus, b.queries, lambda: b.now) == 1  # no pause left to wait out
    [r] = b.store.requisitions.values()
    again = await b.bus.handle(SendRequisitionAgain(r.number, "veileder-grunerlokka"))
    assert (again.reason, again.requested_by, again.status) == ("reissued", "veileder-grunerlokka", "pending")
    with pytest.raises(Conflict):  # one waits already: a second would send it twice
        await b.bus.handle(SendRequisitionAgain(r.number, "leder-grunerlokka"))
    assert await send_due_mailings(b.bus, b.queries, lambda: b.now) == 1
    assert [s[0] for s in post.sent] == ["issued", "reissued"]
