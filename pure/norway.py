"""Norway's calendar: the day an instant falls on in Norway (Europe/Oslo), whatever the server's time zone. An
application received at 00:30 in Oslo is that day's, though UTC still says the day before. kit.clock asks here
for "today"; the domains, which may not import the kit, ask here for the day of an instant they hold."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

NORWAY = ZoneInfo("Europe/Oslo")


def day_in_norway(at: datetime) -> date:
    """The date in Norway at an aware instant."""
    return at.astimezone(NORWAY).date()
