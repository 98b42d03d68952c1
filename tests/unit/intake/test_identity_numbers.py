"""Identity-number rules: valid, invalid, D-, H-, FH- and synthetic numbers, and the 2032 rule change."""

from datetime import date

import pytest

from services.intake.domain.errors import RuleBroken
from services.intake.domain.identity import parse_identity_number, parse_org_number, synthetic_identity_number

TODAY = date(2026, 11, 26)


def parse(number: str, allow_synthetic: bool = False, today: date = TODAY):
    return parse_identity_number(number, allow_synthetic=allow_synthetic, today=today)


def test_a_valid_fodselsnummer_gives_the_birth_date():
    parsed = parse("15108695088")  # python-stdnum's documented example
    assert (parsed.kind, parsed.birth_date, parsed.synthetic) == ("fodselsnummer", date(1986, 10, 15), False)


def test_spaces_and_dashes_are_allowed():
    assert parse("151086 95088").number == "15108695088"
    assert parse("151086-95088").number == "15108695088"


@pytest.mark.parametrize("number, message", [
    ("15108695077", "Kontrollsifrene"),      # wrong check digits
    ("15108695089", "Kontrollsifrene"),      # second check digit wrong
    ("1510869508", "11 siffer"),             # too short
    ("151086950881", "11 siffer"),           # too long
    ("1510869508a", "11 siffer"),            # not digits
    ("", "11 siffer"),
])
def test_invalid_numbers_are_refused_naming_the_field(number, message):
    with pytest.raises(RuleBroken) as err:
        parse(number)
    assert err.value.field == "identity_number"
    assert message in str(err.value)


def test_a_d_number_has_day_plus_40():
    number = synthetic_identity_number(date(1990, 4, 2), kind="d_number", tenor=False)
    parsed = parse(number)
    assert (parsed.kind, parsed.birth_date) == ("d_number", date(1990, 4, 2))


def test_an_h_number_has_month_plus_40():
    number = synthetic_identity_number(date(1975, 12, 31), kind="h_number", tenor=False)
    parsed = parse(number)
    assert (parsed.kind, parsed.birth_date) == ("h_number", date(1975, 12, 31))


def test_an_fh_number_has_no_birth_date_and_is_refused():
    number = synthetic_identity_number(date(1990, 1, 1), kind="fh_number", tenor=False)
    with pytest.raises(RuleBroken, match="FH-nummer"):
        parse(number)


def test_synthetic_numbers_only_when_allowed():
    number = synthetic_identity_number(date(1988, 6, 17))
    with pytest.raises(RuleBroken, match="Syntetiske"):
        parse(number, allow_synthetic=False)
    parsed = parse(number, allow_synthetic=True)
    assert (parsed.kind, parsed.birth_date, parsed.synthetic) == ("fodselsnummer", date(1988, 6, 17), True)


def test_a_synthetic_d_number():
    number = synthetic_identity_number(date(2001, 2, 3), kind="d_number")
    parsed = parse(number, allow_synthetic=True)
    assert (parsed.kind, parsed.birth_date, parsed.synthetic) == ("d_number", date(2001, 2, 3), True)


def test_an_impossible_date_is_refused():
    from stdnum.no import fodselsnummer

    for individual in range(100, 500):
        head = f"300290{individual:03d}"  # 30 February 1990
        k1 = fodselsnummer.calc_check_digit1(head)
        k2 = fodselsnummer.calc_check_digit2(head + k1) if len(k1) == 1 else "10"
        if len(k2) == 1:
            break
    with pytest.raises(RuleBroken, match="fødselsdato"):
        parse(head + k1 + k2)


def test_a_birth_date_in_the_future_is_refused():
    number = synthetic_identity_number(date(2026, 12, 24), tenor=False)
    with pytest.raises(RuleBroken, match="fram i tid"):
        parse(number)
    assert parse(number, today=date(2027, 1, 1)).birth_date == date(2026, 12, 24)


def _relaxed_k1_number() -> str:
    """A number whose first check digit is valid only under the 2032 rules (weighted remainder 1–3)."""
    from stdnum.no import fodselsnummer

    weights = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
    for individual in range(100, 500):
        head = f"010190{individual:03d}"
        for k1 in "0123456789":
            if sum(w * int(d) for w, d in zip(weights, head + k1, strict=True)) % 11 in (1, 2, 3):
                k2 = fodselsnummer.calc_check_digit2(head + k1)
                if len(k2) == 1:
                    return head + k1 + k2
    raise AssertionError("none found")


def test_the_2032_rules_relax_the_first_check_digit():
    number = _relaxed_k1_number()
    with pytest.raises(RuleBroken, match="Kontrollsifrene"):
        parse(number, today=date(2031, 12, 31))
    assert parse(number, today=date(2032, 1, 1)).birth_date == date(1990, 1, 1)
    # The second check digit keeps today's rule after 2032.
    broken = number[:10] + str((int(number[10]) + 1) % 10)
    with pytest.raises(RuleBroken):
        parse(broken, today=date(2032, 1, 1))


def test_the_number_is_not_in_the_repr():
    parsed = parse("15108695088")
    assert "15108695088" not in repr(parsed)


def test_org_numbers_through_stdnum():
    assert parse_org_number("988 077 917") == "988077917"
    with pytest.raises(RuleBroken) as err:
        parse_org_number("988077918")
    assert err.value.field == "provider_org_number"


@pytest.mark.parametrize("number, message", [
    ("1510869508", "Fødselsnummeret må ha 11 siffer; dette har 10."),
    ("151086950881", "Fødselsnummeret må ha 11 siffer; dette har 12."),
    ("15108695089", "Kontrollsifrene stemmer ikke: siffer 11 passer ikke"),
    ("15108695078", "Kontrollsifrene stemmer ikke: siffer 10 passer ikke"),
    ("", "Fyll ut fødselsnummeret"),
])
def test_the_message_says_what_is_wrong(number, message):
    with pytest.raises(RuleBroken) as err:
        parse(number)
    assert str(err.value).startswith(message)
    assert "15108" not in str(err.value)  # the number is never echoed


def test_a_date_that_exists_in_no_year_is_told_apart_from_a_wrong_century():
    from stdnum.no import fodselsnummer

    def with_check_digits(nine: str) -> str:
        k1 = fodselsnummer.calc_check_digit1(nine)
        return nine + k1 + fodselsnummer.calc_check_digit2(nine + k1)

    impossible = next(n for i in range(100, 500) if len(n := with_check_digits(f"310490{i:03d}")) == 11)
    with pytest.raises(RuleBroken, match="de seks første sifrene må være en dato"):
        parse(impossible)  # 31 April
    no_century = next(n for i in range(750, 900) if len(n := with_check_digits(f"010190{i:03d}")) == 11)
    with pytest.raises(RuleBroken, match="individnummeret"):
        parse(no_century)  # individual numbers 750–899 give no birth year for 1990


def test_the_generator_gives_distinct_valid_numbers_for_the_birth_date():
    birth = date(1984, 3, 9)
    numbers = [synthetic_identity_number(birth, serial) for serial in range(300)]
    assert len(set(numbers)) == 300
    for number in numbers:
        parsed = parse(number, allow_synthetic=True)
        assert (parsed.birth_date, parsed.synthetic, parsed.kind) == (birth, True, "fodselsnummer")


@pytest.mark.parametrize("birth", [date(1899, 12, 31), date(1950, 6, 15), date(2003, 2, 28), date(2024, 2, 29)])
@pytest.mark.parametrize("kind", ["fodselsnummer", "d_number", "h_number"])
def test_the_generator_knows_the_centuries_and_kinds(birth, kind):
    number = synthetic_identity_number(birth, 7, kind=kind, tenor=False)
    parsed = parse(number)
    assert (parsed.birth_date, parsed.kind, parsed.synthetic) == (birth, kind, False)


def test_the_generator_says_when_a_birth_date_has_no_more_numbers():
    with pytest.raises(ValueError, match="only"):
        synthetic_identity_number(date(1984, 3, 9), 1000)
    with pytest.raises(ValueError):
        synthetic_identity_number(date(1984, 3, 9), kind="h_number")  # month + 40 + 80 has three digits
