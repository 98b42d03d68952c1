"""Bounds on what enters placement: text, money and counts. Pure; every entry (API, pages, the history import,
the reference data) meets the same rules, with a Norwegian message naming the field.

The bounds fit what every consumer stores: a price per night is at most 100 000 NOK in whole øre (the contracts'
`PricePerNight`, billing's numeric(10, 2)); beds and fixed places fit the contracts' unit and agreement
events."""

from __future__ import annotations

import re
from decimal import Decimal

from services.placement.domain.errors import RuleBroken

MAX_PRICE_PER_NIGHT = Decimal(100_000)
MAX_BEDS = 1000
MAX_FIXED_PLACES = 10_000
MAX_AGE = 120
ORE = Decimal("0.01")

# C0 and C1 control characters (NUL among them) and lone surrogates: PostgreSQL refuses NUL in text, and a
# lone surrogate cannot be encoded at all. Free text may hold line breaks and tabs.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(value: str, *, max_length: int, multiline: bool = False) -> str | None:
    """Why this text cannot be kept, in Norwegian, or None."""
    if len(value) > max_length:
        return f"høyst {max_length} tegn (du skrev {len(value)})"
    if (_CONTROL if multiline else _CONTROL_ONE_LINE).search(value):
        return ("inneholder kontrolltegn eller ugyldige tegn (for eksempel NUL)"
                + ("" if multiline else " eller linjeskift"))
    return None


def check_text(value: str, field: str, label: str, *, max_length: int, multiline: bool = False) -> str:
    problem = text_problem(value, max_length=max_length, multiline=multiline)
    if problem:
        raise RuleBroken(f"{label}: {problem}.", field)
    return value


def price_problem(price: Decimal) -> str | None:
    """Why this is not a price per night placement can keep (and every consumer store), or None."""
    if not price.is_finite():
        return "må være et tall"
    if price < 0:
        return "kan ikke være negativ"
    if price > MAX_PRICE_PER_NIGHT:
        return "kan ikke være over 100 000 kr"
    if price != price.quantize(ORE):
        return "må være i hele øre (høyst to desimaler)"
    return None


def check_price(price: Decimal | None, field: str) -> Decimal | None:
    if price is None:
        return None
    problem = price_problem(price)
    if problem:
        raise RuleBroken(f"Prisen per natt {problem}.", field)
    return price.quantize(ORE)


def check_count(value: int, field: str, label: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RuleBroken(f"{label} må være et heltall fra {low} til {high}.", field)
    return value
