from stdnum import luhn

from services.billing.domain.model import is_valid_requisition_number, requisition_number


def test_number_format_and_check_digit():
    number = requisition_number(2026, 123)
    assert number.startswith("R2026-000123-")
    assert luhn.is_valid("2026000123" + number[-1])
    assert is_valid_requisition_number(number)


def test_a_mistyped_digit_is_caught():
    number = requisition_number(2026, 123)
    typo = number.replace("000123", "000128")
    assert not is_valid_requisition_number(typo)
    assert not is_valid_requisition_number("R2026-000123")
    assert not is_valid_requisition_number("hello")
