"""The pages' Norwegian formatting (kit/formatting.py, Babel's nb_NO) and its Jinja filters."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from kit.exports import to_csv, to_xlsx
from kit.formatting import (
    cell_nb,
    date_nb,
    datetime_nb,
    label_nb,
    labels_nb,
    money_nb,
    number_nb,
    plural_nb,
    read_date_nb,
)
from kit.templating import templates
from pure.nb_text import date_text, kr_text

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


@pytest.mark.parametrize("value, shown", [
    (date(2026, 3, 5), "05.03.2026"), (datetime(2026, 3, 5, 13, 3, tzinfo=UTC), "05.03.2026 14:03"),
    (12345, f"12{NBSP}345"), (Decimal("2880"), f"2{NBSP}880,00"), (12.5, "12,50"), (True, "ja"), (None, "–"),
    ("Blå Kors", "Blå Kors"),
])
def test_a_report_cell_of_any_kind(value, shown):
    assert cell_nb(value) == shown


@pytest.mark.parametrize("day, amount", [
    (date(2026, 3, 5), Decimal("1650")), (date(2027, 12, 31), Decimal("0.5")),
    (date(2026, 1, 1), Decimal("1234567.89")), (None, None),
])
def test_the_domains_plain_dates_and_money_are_the_pages(day, amount):
    """pure/nb_text.py (for domains, which may not import the kit) writes what Babel writes."""
    assert date_text(day) == date_nb(day)
    assert kr_text(amount) == money_nb(amount)


def test_csv_for_norwegian_excel_has_decimal_commas():
    text = to_csv(["Tilbyder", "Døgn", "Beløp (kr)", "Snitt"],
                  [("Blå Kors", 12345, Decimal("12345.50"), 12.25)]).decode("utf-8-sig")
    assert text.splitlines()[1] == "Blå Kors;12345;12345,50;12,25"


def test_xlsx_shows_dates_as_norwegians_write_them():
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(to_xlsx("Tre måneder", ["Husstand", "Inn siden"],
                                             [("A", date(2026, 3, 5))]))).active
    assert sheet.title == "Tre måneder" and sheet["A1"].value == "Husstand"
    assert sheet["B2"].number_format == "DD.MM.YYYY" and sheet["B2"].value.date() == date(2026, 3, 5)


@pytest.mark.parametrize("typed, day", [("05.03.2026", date(2026, 3, 5)), ("5.3.2026", date(2026, 3, 5)),
                                        (" 2026-03-05 ", date(2026, 3, 5)), ("29.02.2028", date(2028, 2, 29))])
def test_a_date_is_read_as_people_type_it_or_as_the_browser_sends_it(typed, day):
    assert read_date_nb(typed) == day


@pytest.mark.parametrize("typed", ["", "30.02.2026", "05/03/2026", "2026-3-5", "5.3.26", "i morgen", "20260305"])
def test_anything_else_is_not_a_date(typed):
    with pytest.raises(ValueError):
        read_date_nb(typed)
