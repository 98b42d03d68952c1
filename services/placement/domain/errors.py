"""Placement's domain errors: one small set under one base. Each may name the input at fault (`field`); the
entrypoints map the classes to answers once (404, 403, 409, 422) and never look inside the message."""

from __future__ import annotations


class PlacementError(ValueError):
    """A placement rule refused the action; `field` names the input at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(PlacementError):
    """What the action names does not exist (or the user may not know that it does)."""


class Forbidden(PlacementError):
    """The user may not act on this (another office's stay or decision)."""


class Conflict(PlacementError):
    """The action clashes with the state as it is now (the unit was just taken, the stay has ended)."""


class RuleBroken(PlacementError):
    """The input breaks a rule (a date outside the period, a place that does not fit, a bad value)."""


# Said in one place, wherever the stay or decision is looked for.
STAY_NOT_FOUND = "Fant ikke oppholdet."
HOUSEHOLD_NOT_FOUND = "Fant ingen vedtak eller opphold for husstanden."
DECISION_NOT_FOUND = "Fant ikke vedtaket (er det mottatt fra søknadsmottaket?)."
PROVIDER_NOT_FOUND = "Fant ikke tilbyderen."
UNIT_NOT_FOUND = "Fant ikke enheten."
