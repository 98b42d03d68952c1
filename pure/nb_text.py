"""Dates and money in the sentences a domain writes for people ("Tilsyn forfalt 28.11.2026", "2 880,00 kr"). A
domain may not import the kit, so it cannot reach kit/formatting.py's Babel filters that the pages use; this is
the same result by the standard library, kept equal to them by tests/unit/test_formatting.py."""

from datetime import date
from decimal import Decimal

NBSP = "\xa0"


def date_text(day: date | None) -> str:
    """05.03.2026 (– when absent)."""
    return day.strftime("%d.%m.%Y") if day else "–"


def kr_text(amount: Decimal | int | None) -> str:
    """1 650,00 kr, with no-break spaces between the thousands and before "kr" (– when absent)."""
    if amount is None:
        return "–"
    return f"{Decimal(amount):,.2f}".replace(",", NBSP).replace(".", ",") + f"{NBSP}kr"


def count_text(count: int, one: str, other: str) -> str:
    """"1 natt", "2 netter", "0 netter": Norwegian's plural rule (singular for one alone), as Babel's `nb`."""
    return f"{count} {one if abs(count) == 1 else other}"
