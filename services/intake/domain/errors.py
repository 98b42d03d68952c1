"""Intake's domain errors: one base and four kinds. Each may name the input at fault (`field`), which the
answer shows next to that field. The web layer maps the kinds to HTTP once (entrypoints/app.py)."""


class IntakeError(Exception):
    """A rule of intake said no; the message is for the user (Norwegian)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(IntakeError):
    """What was asked for does not exist."""


class Forbidden(IntakeError):
    """It exists, but belongs to another office than the user's."""


class Conflict(IntakeError):
    """The request clashes with the case's state (decided already, someone else was quicker, …)."""


class RuleBroken(IntakeError):
    """The input breaks a rule of the domain (a period that ends before it starts, a wrong check digit, …)."""
