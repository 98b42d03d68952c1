"""The pages' Norwegian formatting (kit/formatting.py, Babel's nb_NO) and its Jinja filters."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from kit.formatting import date_nb, datetime_nb, label_nb, labels_nb, money_nb, number_nb, plural_nb
from kit.templating import templates

NBSP = "\xa0"  # Babel's space between thousands and before "kr": a number never breaks over two lines


@pytest.mark.parametrize("value, shown", [
    (date(2026, 3, 5), "05.03.2026"),
    ("2026-12-14", "14.12.2026"),
    # 23:30 UTC on New Year's Eve is already the first of January in Norway.
    (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "01.01.2027"),
    (None, "–"),
])
def test_dates_as_dd_mm_yyyy(value, shown):
    assert date_nb(value) == shown


def test_a_time_in_norway():
    assert datetime_nb(datetime(2026, 7, 1, 12, 3, tzinfo=UTC)) == "01.07.2026 14:03"  # summer time: UTC+2


@pytest.mark.parametrize("value, shown", [
    (Decimal("1650"), f"1{NBSP}650,00{NBSP}kr"),
    (Decimal("1234567.5"), f"1{NBSP}234{NBSP}567,50{NBSP}kr"),
    (690, f"690,00{NBSP}kr"),
    (Decimal("-45.1"), f"-45,10{NBSP}kr"),
    (None, "–"),
])
def test_money_in_kroner_with_two_decimals(value, shown):
    assert money_nb(value) == shown


def test_numbers_with_decimal_commas():
    assert number_nb(12345.5) == f"12{NBSP}345,5"
    assert number_nb(Decimal("3.14159"), 2) == "3,14"
    assert number_nb(7, 0) == "7"
    assert number_nb(None) == "–"


@pytest.mark.parametrize("count, shown", [
    (1, "1 voksen"), (2, "2 voksne"), (0, "0 voksne"), (21, "21 voksne"),
])
def test_adults_singular_and_plural(count, shown):
    assert plural_nb(count, "voksen", "voksne") == shown


def test_beds_singular_and_plural():
    assert [plural_nb(n, "seng", "senger") for n in (1, 2)] == ["1 seng", "2 senger"]


def test_codes_as_labels():
    assert label_nb("singles_couples") == "Enslige og par"
    assert label_nb("remarks") == "Merknader"
    assert labels_nb(["families", "young"]) == "Barnefamilier, Unge"
    findings = {"nights_before_check_in": "Netter før innsjekk"}  # a service's own table, passed to the filter
    assert label_nb("nights_before_check_in", findings) == "Netter før innsjekk"
    assert label_nb(None) == "–"


def test_every_template_has_the_filters():
    env = templates().env
    page = env.from_string("{{ d|date }} · {{ a|money }} · {{ n|plural('seng', 'senger') }} · {{ g|labels }}")
    assert page.render(d=date(2026, 3, 5), a=Decimal("1650"), n=1, g=["singles_couples"]) == (
        f"05.03.2026 · 1{NBSP}650,00{NBSP}kr · 1 seng · Enslige og par")
