"""Ages as Norwegian law counts them: a person is N years old from their N-th birthday (a 29 February birthday
falls on 1 March in a year without one)."""

from datetime import date


def age_on(birth_date: date, day: date) -> int:
    """Whole years lived on `day`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
