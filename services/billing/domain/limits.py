"""What billing stores and sends, bounded: money, counts, dates and text, checked where they enter billing.

The bounds are those of billing's columns (numeric(10, 2) prices, numeric(14, 2) amounts, numeric(12, 4)
claimed prices) and of the wire contracts (`PricePerNight`, `Amount` in contracts/base.py; a test holds the
two equal), so that what billing accepts it can also store and announce. Each check returns a Norwegian
problem (None when the value is fine); the caller says where (row, line, field) and raises its own error."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

MAX_PRICE_PER_NIGHT = Decimal(100_000)  # the contracts' PricePerNight
MAX_AMOUNT = Decimal(1_000_000_000)  # the contracts' Amount; numeric(14, 2) holds more
MAX_CLAIMED_PRICE = Decimal(100_000_000)  # numeric(12, 4): below 10^8
MAX_QUANTITY = Decimal(1_000_000)  # nights, or place-nights for fixed places
MAX_LINES = 100_000  # the contracts' InvoiceReceived.lines
MAX_LINE_NIGHTS = 366  # one line bills at most a year of nights
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)

# Control characters (C0 but tab and line breaks, DEL, C1) and lone surrogates: PostgreSQL cannot store NUL,
# and none of them belongs in a name, a number or a comment.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAK = re.compile("[\n\r\t]")


def text_problem(value: str, max_length: int, *, multiline: bool = False) -> str | None:
    if len(value) > max_length:
        return f"er for lang ({len(value)} tegn; høyst {max_length})"
    if _CONTROL.search(value) or (not multiline and _LINE_BREAK.search(value)):
        return "inneholder kontrolltegn eller ugyldige tegn"
    return None


def _digits_after_point(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def number_problem(value: Decimal, *, limit: Decimal, places: int, negative: bool = True) -> str | None:
    """Finite, within ±limit (0…limit without `negative`), with at most `places` decimals."""
    if not value.is_finite():
        return "er ikke et endelig tall"
    if value < 0 and not negative:
        return "kan ikke være negativt"
    if abs(value) > limit:
        return f"er utenfor grensen ({'±' if negative else ''}{limit:,.0f})".replace(",", " ")
    if _digits_after_point(value.normalize()) > places:
        return "må være i hele øre (høyst to desimaler)" if places == 2 else f"kan ha høyst {places} desimaler"
    return None


def amount_problem(value: Decimal, *, negative: bool = True) -> str | None:
    return number_problem(value, limit=MAX_AMOUNT, places=2, negative=negative)


def date_problem(value: date) -> str | None:
    if not FIRST_DAY <= value <= LAST_DAY:
        return f"må ligge mellom {FIRST_DAY:%d.%m.%Y} og {LAST_DAY:%d.%m.%Y}"
    return None
