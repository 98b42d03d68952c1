"""Norwegian identity numbers (fødselsnummer, D-nummer, H-nummer, synthetic test numbers) and org numbers.

python-stdnum does the checksums, the century rules and the birth date; it does not know synthetic numbers
(Skatteetaten's Tenor test set: month + 80), FH numbers carry no birth date, and it does not know the rule
change of 2032 (the first check digit is relaxed). Those three are the only rules written here; see
docs/intake.md for why no other library was used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stdnum.exceptions import ValidationError
from stdnum.no import fodselsnummer, orgnr

from services.intake.domain.errors import IntakeError

FIELD = "identity_number"
NEW_RULES_FROM = date(2032, 1, 1)
"""From 2032 the first check digit (k1) is valid when the weighted sum, k1 included, leaves a remainder of
0, 1, 2 or 3 modulo 11 (today: only 0). The second check digit (k2) keeps today's rule."""
_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)


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
    Raises IntakeError naming the field `identity_number`."""
    number = fodselsnummer.compact(text or "")
    if len(number) != 11 or not number.isdigit():
        raise IntakeError("Fødselsnummer eller D-nummer må være 11 siffer.", FIELD)
    if not (_k1_valid(number, today) and number[10] == fodselsnummer.calc_check_digit2(number)):
        raise IntakeError("Kontrollsifrene stemmer ikke: sjekk nummeret.", FIELD)
    day, month = int(number[0:2]), int(number[2:4])
    if day >= 80:
        raise IntakeError("FH-nummer har ingen fødselsdato; bruk fødselsnummer eller D-nummer.", FIELD)
    synthetic = month > 80
    if synthetic:
        if not allow_synthetic:
            raise IntakeError("Syntetiske testnummer er ikke tillatt her.", FIELD)
        month -= 80
    kind = "d_number" if day > 40 else "h_number" if month > 40 else "fodselsnummer"
    try:
        # stdnum reads D- (day + 40) and H-numbers (month + 40) and the century from the individual number.
        birth_date = fodselsnummer.get_birth_date(f"{number[0:2]}{month:02d}{number[4:]}")
    except ValidationError as exc:
        raise IntakeError("Nummeret inneholder ingen gyldig fødselsdato.", FIELD) from exc
    if birth_date > today:
        raise IntakeError("Fødselsdatoen i nummeret ligger fram i tid.", FIELD)
    return IdentityNumber(number, kind, birth_date, synthetic)


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
        raise IntakeError("Ugyldig organisasjonsnummer (9 siffer).", field) from exc
