"""The one clock: "today" is the date in Norway (Europe/Oslo), whatever the server's time zone; instants are
UTC. Every service asks here, so a night that starts at 00:30 in Oslo is that day's everywhere."""

from datetime import UTC, date, datetime

from pure.norway import NORWAY, day_in_norway

__all__ = ["NORWAY", "now", "today"]


def now() -> datetime:
    """This instant, in UTC."""
    return datetime.now(UTC)


def today(at: datetime | None = None) -> date:
    """The date in Norway now (or at the given instant)."""
    return day_in_norway(at or now())
