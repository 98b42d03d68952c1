"""Stats' errors: one small set under one base, free of any framework (`kit.problems` maps them to HTTP).
Messages are for users, in Norwegian; `field` names the input at fault, when there is one."""

from __future__ import annotations


class StatsError(Exception):
    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(StatsError):
    """What was asked for does not exist."""


class Forbidden(StatsError):
    """The user may not see or do this."""


class Conflict(StatsError):
    """The request clashes with the state of things now (a rebuild running, a log that lacks events)."""


class RuleBroken(StatsError):
    """The input breaks a rule."""


class Unavailable(StatsError):
    """This process cannot do it (no broker to rebuild from)."""
