"""Norwegian identity numbers (fødselsnummer, D-nummer, H-nummer, synthetic test numbers) and org numbers.

python-stdnum does the checksums, the century rules and the birth date; it does not know synthetic numbers
(Skatteetaten's Tenor test set: month + 80), FH numbers carry no birth date, and it does not know the rule
change of 2032 (the first check digit is relaxed). Those three are the only rules written here; see
docs/intake.md for why no other library was used.

`synthetic_identity_number` is the one generator of made-up numbers: the demo data, the tests, the fault
traffic and the benchmarks all take theirs from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stdnum.exceptions import ValidationError
from stdnum.no import fodselsnummer, orgnr

from services.intake.domain.errors import RuleBroken

FIELD = "identity_number"
NEW_RULES_FROM = date(2032, 1, 1)
"""From 2032 the first check digit (k1) is valid when the weighted sum, k1 included, leaves a remainder of
0, 1, 2 or 3 modulo 11 (today: only 0). The second check digit (k2) keeps today's rule."""
_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
_KIND_OFFSETS = {"fodselsnummer": (0, 0), "d_number": (40, 0), "h_number": (0, 40), "fh_number": (80, 0)}


@dataclass(frozen=True)
class IdentityNumber:
    number: str
    kind: str  # fodselsnummer | d_number | h_number
    birth_date: date
    synthetic: bool = False

    def __repr__(self) -> str:  # never print the number
        return f"IdentityNumber(kind={self.kind!r}, synthetic={self.synthetic})"


def parse_identity_number(text: str, *, allow_synthetic: bool, today: date) -> IdentityNumber:
    """Validate a fødselsnummer, D- or H-nummer (and, when allowed, a synthetic one) and read its birth date.
    Raises RuleBroken naming the field `identity_number`, saying what is wrong (never echoing the number)."""
    number = fodselsnummer.compact(text or "")
    if not number:
        raise RuleBroken("Fyll ut fødselsnummeret eller D-nummeret (11 siffer).", FIELD)
    if not (number.isascii() and number.isdigit()):
        raise RuleBroken("Fødselsnummeret må ha 11 siffer og ingen andre tegn enn mellomrom og bindestrek.", FIELD)
    if len(number) != 11:
        raise RuleBroken(f"Fødselsnummeret må ha 11 siffer; dette har {len(number)}.", FIELD)
    if not _k1_valid(number, today):
        raise RuleBroken("Kontrollsifrene stemmer ikke: siffer 10 passer ikke med de ni første. "
                         "Sjekk at nummeret er skrevet riktig.", FIELD)
    if number[10] != fodselsnummer.calc_check_digit2(number):
        raise RuleBroken("Kontrollsifrene stemmer ikke: siffer 11 passer ikke med de ti første. "
                         "Sjekk at nummeret er skrevet riktig.", FIELD)
    day, month = int(number[0:2]), int(number[2:4])
    if day >= 80:
        raise RuleBroken("FH-nummer har ingen fødselsdato; bruk fødselsnummer eller D-nummer.", FIELD)
    synthetic = month > 80
    if synthetic:
        if not allow_synthetic:
            raise RuleBroken("Syntetiske testnummer er ikke tillatt her.", FIELD)
        month -= 80
    kind = "d_number" if day > 40 else "h_number" if month > 40 else "fodselsnummer"
    birth_date = _birth_date(f"{number[0:2]}{month:02d}{number[4:]}", day % 40, month % 40)
    if birth_date > today:
        raise RuleBroken("Fødselsdatoen i nummeret ligger fram i tid.", FIELD)
    return IdentityNumber(number, kind, birth_date, synthetic)


def _birth_date(number: str, day: int, month: int) -> date:
    """stdnum reads D- (day + 40) and H-numbers (month + 40) and the century from the individual number;
    a date that exists in no year is told apart from an individual number that fits no century."""
    try:
        date(2000, month, day)  # a leap year: only dates that exist in no year fail here
    except ValueError as exc:
        raise RuleBroken("Nummeret har ingen gyldig fødselsdato: de seks første sifrene må være en dato "
                         "(ddmmåå).", FIELD) from exc
    try:
        return fodselsnummer.get_birth_date(number)
    except ValidationError as exc:
        if (day, month) == (29, 2):
            raise RuleBroken("Nummeret har ingen gyldig fødselsdato: 29. februar i et år som ikke er skuddår.",
                             FIELD) from exc
        raise RuleBroken("Nummeret har ingen gyldig fødselsdato: individnummeret (siffer 7–9) passer ikke med "
                         "fødselsåret.", FIELD) from exc


def _k1_valid(number: str, today: date) -> bool:
    if number[9] == fodselsnummer.calc_check_digit1(number):
        return True
    if today < NEW_RULES_FROM:
        return False
    return sum(w * int(d) for w, d in zip(_K1_WEIGHTS, number, strict=False)) % 11 in (1, 2, 3)


def parse_org_number(text: str, field: str = "provider_org_number") -> str:
    """A Norwegian organisation number (9 digits, mod-11), through python-stdnum."""
    try:
        return orgnr.validate(text or "")
    except ValidationError as exc:
        raise RuleBroken("Ugyldig organisasjonsnummer (9 siffer).", field) from exc


def synthetic_identity_number(birth: date, serial: int = 0, *, kind: str = "fodselsnummer",
                              tenor: bool = True) -> str:
    """The `serial`-th made-up identity number for `birth` (serial 0, 1, 2 … give distinct numbers), with
    valid check digits under today's rules. `tenor` adds 80 to the month: Skatteetaten's synthetic test numbers,
    which are never issued to a person — what the demo and the load tests use. `tenor=False` gives the ordinary
    format, for tests that must see one. `kind` d_number adds 40 to the day, h_number 40 to the month,
    fh_number 80 to the day. A birth date has a few hundred numbers; ValueError past them."""
    day_offset, month_offset = _KIND_OFFSETS[kind]
    month_offset += 80 if tenor else 0
    if birth.month + month_offset > 99:
        raise ValueError("an H-number cannot also be a Tenor number")
    head = f"{birth.day + day_offset:02d}{birth.month + month_offset:02d}{birth.year % 100:02d}"
    found = 0
    for individual in _individual_numbers(birth.year):
        nine = f"{head}{individual:03d}"
        k1 = fodselsnummer.calc_check_digit1(nine)
        k2 = fodselsnummer.calc_check_digit2(nine + k1) if len(k1) == 1 else "10"
        if len(k2) == 1:
            if found == serial:
                return nine + k1 + k2
            found += 1
    raise ValueError(f"only {found} numbers exist for this birth date")


def _individual_numbers(year: int) -> range:
    """The individual numbers (digits 7–9) that give this birth year's century."""
    if 1900 <= year <= 1999:
        return range(0, 500)
    if 2000 <= year <= 2039:
        return range(500, 1000)
    if 1854 <= year <= 1899:
        return range(500, 750)
    raise ValueError(f"no individual numbers for {year}")
