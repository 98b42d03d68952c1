"""Billing's bounds are the contracts' bounds, so what billing accepts it can also announce; each check names
what is wrong in Norwegian."""

from datetime import date
from decimal import Decimal

import pytest

import contracts
from contracts import base
from services.billing.domain import limits
from services.billing.domain.errors import Conflict, DocumentRefused, DocumentTooLarge, Forbidden, NotFound
from services.billing.entrypoints.errors import status_of


def test_billing_bounds_equal_the_contracts():
    assert limits.MAX_PRICE_PER_NIGHT == base.MAX_PRICE_PER_NIGHT_NOK
    assert limits.MAX_AMOUNT == base.MAX_AMOUNT_NOK
    lines = contracts.InvoiceReceived.model_fields["lines"].metadata
    assert any(getattr(m, "le", None) == limits.MAX_LINES for m in lines)


@pytest.mark.parametrize("value, words", [(Decimal("NaN"), "endelig"), (Decimal("-Infinity"), "endelig"),
                                          (Decimal("0.001"), "hele øre"), (Decimal("1000000000.01"), "grensen")])
def test_amount_problems_say_what_is_wrong(value, words):
    assert words in limits.amount_problem(value)


def test_amounts_within_bounds_pass_in_any_notation():
    for value in (Decimal("3000.00"), Decimal("3E+3"), Decimal("-1000000000"), Decimal("0.10")):
        assert limits.amount_problem(value) is None


@pytest.mark.parametrize("text, multiline, ok", [("Blå Kors", False, True), ("linje\nto", True, True),
                                                 ("linje\nto", False, False), ("a\x00b", True, False),
                                                 ("a\x85b", True, False), ("a\ud800b", True, False)])
def test_text_without_control_characters(text, multiline, ok):
    assert (limits.text_problem(text, 100, multiline=multiline) is None) is ok


def test_dates_in_this_century():
    assert limits.date_problem(date(2026, 12, 1)) is None
    assert "01.01.2000" in limits.date_problem(date(1999, 12, 31))


def test_each_error_has_one_status():
    assert [status_of(e("x")) for e in (NotFound, Forbidden, Conflict, DocumentRefused, DocumentTooLarge)] == [
        404, 403, 409, 422, 413]
