"""Billing's background job: send the requisitions that are due to their providers, one mailing per unit of work
(each claimed with SKIP LOCKED, so several billing processes share the work and never send one twice)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kit.messagebus import MessageBus
from services.billing.domain import commands

BATCH = 20


async def send_due_mailings(bus: MessageBus, queries, now: Callable[[], datetime]) -> int:
    """One round: the mailings due now (oldest first), each sent or its failure recorded. Returns those sent."""
    sent = 0
    for mailing_id in await queries.due_mailings(now(), BATCH):
        sent += bool(await bus.handle(commands.SendMailing(mailing_id)))
    return sent
