"""Identity numbers for tests, made with python-stdnum's check-digit functions (no real person's number)."""

from datetime import date

from stdnum.no import fodselsnummer


def make_number(birth: date, *, day_offset: int = 0, month_offset: int = 0, start: int = 0) -> str:
    """A number with valid check digits for the birth date: day_offset 40 = D-nummer, month_offset 40 =
    H-nummer, month_offset 80 = synthetic (Tenor)."""
    first = (0 if birth.year < 2000 else 500) + start  # the individual number gives the century
    for individual in range(first, first + 500):
        head = f"{birth.day + day_offset:02d}{birth.month + month_offset:02d}{birth.year % 100:02d}{individual:03d}"
        k1 = fodselsnummer.calc_check_digit1(head)
        if len(k1) > 1:
            continue
        k2 = fodselsnummer.calc_check_digit2(head + k1)
        if len(k2) == 1:
            return head + k1 + k2
    raise ValueError("no number")


def synthetic(birth: date, start: int = 0) -> str:
    return make_number(birth, month_offset=80, start=start)
