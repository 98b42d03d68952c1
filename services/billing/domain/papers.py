"""Sending a requisition to its provider, and what the provider needs to act on it. Pure Python.

Each issue, extension or re-sending of a requisition is a *mailing*: asked for in the transaction that caused it
(the event's, so a redelivered event finds its inbox claim and asks for nothing), sent later by a background
job and retried with growing pauses until it goes. A mailing is the record of what was sent when — to whom,
the subject, the attachment's name, size and SHA-256 — but not the PDF, which names the guest: the guest's name
is asked of intake when the PDF is made, and never kept here."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

REASONS = ("issued", "extended", "reissued")
REASON_NB = {"issued": "Utstedt", "extended": "Forlenget", "reissued": "Sendt på nytt"}
CONDITIONS_NB = {"boligskole": "Boligskole", "boliglogg": "Boliglogg", "other_activity": "Annen aktivitet"}
FIRST_PAUSE = timedelta(seconds=30)
LONGEST_PAUSE = timedelta(hours=1)
ERROR_MAX = 500


class NotSent(Exception):
    """Why a mailing could not go this time (Norwegian, for the requisition page; never the guest's name)."""


def pause(attempts: int) -> timedelta:
    """The wait before the next try: 30 s, doubling, at most an hour (a provider without an e-mail address gets
    one when an administrator adds it; intake and the mail server come back)."""
    return min(LONGEST_PAUSE, FIRST_PAUSE * 2 ** max(0, attempts - 1))


@dataclass
class Mailing:
    id: UUID
    requisition_id: UUID
    reason: str  # issued | extended | reissued
    period_from: date
    period_to: date
    max_amount: Decimal
    requested_at: datetime
    requested_by: str | None = None  # who asked to send it again; None: the event that issued or extended it
    status: str = "pending"  # pending -> sent
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
    recipient: str | None = None
    subject: str | None = None
    attachment: str | None = None
    pdf_sha256: str | None = None
    pdf_bytes: int | None = None
    message_id: str | None = None

    def sent(self, *, at: datetime, recipient: str, subject: str, attachment: str, pdf: bytes,
             message_id: str) -> None:
        self.status, self.sent_at, self.attempts = "sent", at, self.attempts + 1
        self.recipient, self.subject, self.attachment, self.message_id = recipient, subject, attachment, message_id
        self.pdf_sha256, self.pdf_bytes, self.last_error = hashlib.sha256(pdf).hexdigest(), len(pdf), None

    def failed(self, reason: str, *, at: datetime) -> None:
        self.attempts += 1
        self.last_error = reason[:ERROR_MAX]
        self.next_attempt_at = at + pause(self.attempts)


def request_mailing(requisition, reason: str, *, at: datetime, by: str | None = None) -> Mailing:
    """A mailing of the requisition as it is now (its period and maximum amount)."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    return Mailing(uuid4(), requisition.id, reason, requisition.period_from, requisition.period_to,
                   requisition.max_amount, at, by, next_attempt_at=at)


@dataclass(frozen=True)
class Invoicing:
    """Where the provider sends the invoice: the organisation that pays (the municipality, or an Oslo district
    with its own organisation number) and its EHF (PEPPOL) address, ICD 0192 = Norwegian organisation number."""

    orgnr: str | None

    @property
    def ehf_address(self) -> str | None:
        return f"0192:{self.orgnr}" if self.orgnr else None


def invoicing_for(recipients: Mapping[str, str], *, office_id: str, municipality: str | None) -> Invoicing:
    """The office's own entry first (an Oslo district pays for itself), then its municipality's."""
    return Invoicing(recipients.get(office_id) or (recipients.get(municipality) if municipality else None))
