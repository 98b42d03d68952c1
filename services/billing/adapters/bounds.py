"""The readers' checks on what a supplier document says, before billing keeps any of it: money and counts
finite and within billing's bounds (`domain/limits.py`), text without control characters and not too long,
dates in this century. Each refusal names where (`Rad 3: amount`, `Linje 2 (cbc:LineExtensionAmount)`)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from services.billing.domain.errors import DocumentRefused
from services.billing.domain.invoice import SupplierDocument
from services.billing.domain.limits import (
    MAX_AMOUNT,
    MAX_CLAIMED_PRICE,
    MAX_LINE_NIGHTS,
    MAX_LINES,
    MAX_QUANTITY,
    amount_problem,
    date_problem,
    number_problem,
    text_problem,
)

# Longest accepted text per field (invoice numbers and references are short; names are a line).
MAX_TEXT = {"number": 100, "reference": 100, "name": 200, "orgnr": 50, "currency": 10, "unit": 20,
            "line_id": 100, "description": 1000}
PRICE_PLACES = Decimal("0.0001")  # numeric(12, 4)


def _refuse(where: str, problem: str) -> DocumentRefused:
    return DocumentRefused(f"{where} {problem}.")


def amount(value: Decimal, where: str) -> Decimal:
    """An amount in whole øre within ±MAX_AMOUNT."""
    problem = amount_problem(value)
    if problem:
        raise _refuse(where, problem)
    return value


def quantity(value: Decimal, where: str) -> Decimal:
    problem = number_problem(value, limit=MAX_QUANTITY, places=4)
    if problem:
        raise _refuse(where, problem)
    return value


def unit_price(value: Decimal, where: str, base: Decimal = Decimal(1)) -> Decimal:
    """The price per unit (price ÷ base quantity), to the four decimals billing keeps."""
    problem = number_problem(value, limit=MAX_CLAIMED_PRICE, places=28)
    if problem is None and (not base.is_finite() or base < 0 or base > MAX_QUANTITY):
        problem = "har et ugyldig basisantall"
    if problem:
        raise _refuse(where, problem)
    price = (value / (base or Decimal(1))).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)
    if abs(price) >= MAX_CLAIMED_PRICE:
        raise _refuse(where, "er utenfor grensen")
    return price


def text(value: str | None, where: str, kind: str, *, multiline: bool = False) -> str:
    value = value or ""
    problem = text_problem(value, MAX_TEXT[kind], multiline=multiline)
    if problem:
        raise _refuse(where, problem)
    return value


def day(value: date | None, where: str) -> date | None:
    problem = date_problem(value) if value is not None else None
    if problem:
        raise _refuse(where, problem)
    return value


def period(first: date | None, last: date | None, where: str) -> None:
    if first is not None and last is not None and (last - first).days + 1 > MAX_LINE_NIGHTS:
        raise _refuse(where, f"har en periode på over {MAX_LINE_NIGHTS} netter")


def document(doc: SupplierDocument, where: str) -> SupplierDocument:
    """The whole document: not too many lines, and totals that billing can store and announce."""
    if len(doc.lines) > MAX_LINES:
        raise _refuse(where, f"har {len(doc.lines)} linjer; høyst {MAX_LINES}")
    claimed = sum((abs(x.amount) for x in doc.lines), Decimal(0))
    if claimed > MAX_AMOUNT:
        raise _refuse(where, f"er på over {MAX_AMOUNT:,.0f} kr til sammen".replace(",", " "))
    return doc
