"""Billing's errors: one small set under one base, each naming the field at fault when there is one. Pure:
the entrypoints map them to HTTP once (`entrypoints/app.py`)."""

from __future__ import annotations


class BillingError(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(BillingError):
    """The requisition, invoice or line does not exist (or is not this user's to see)."""


class Forbidden(BillingError):
    """The user may not see or change this."""


class Conflict(BillingError):
    """The action does not fit the thing's state: an approved invoice changed, a disputed line approved."""


class RuleBroken(BillingError):
    """What was sent breaks a rule (a missing reason, an amount above the claim, a bad value)."""


class DocumentRefused(RuleBroken):
    """A supplier document billing will not read (hostile, malformed, out of bounds). Nothing of it is stored."""

    def __init__(self, message: str, *, field: str = "document"):
        super().__init__(message, field=field)


class DocumentTooLarge(DocumentRefused):
    """A supplier document over the size limit, refused before it is read."""
