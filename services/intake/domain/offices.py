"""Nav offices: intake's registry of the offices that do the case work. Intake owns it because it owns the
cases and an office's second-approval rule is intake's; the other services learn offices from its events.
Pure Python.

An office is identified by its name within its municipality. Its id (`nav-sagene`) is made from the name when
it is registered and never changes, not even when the office is renamed. A closed office takes no new
applications; its cases and history stay. Municipality numbers and Oslo's districts come from the reference
data (SSB), passed in as `Places`: an unknown number is an error, never a new municipality."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields, replace

from services.intake.domain.errors import Conflict, RuleBroken

NAME_MAX = 100
ADDRESS_MAX = 200
EMAIL_MAX = 254
ID_MAX = 64
# One line of text: no control characters (NUL among them), no line breaks, no lone surrogates.
_NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# The WHATWG HTML standard's "valid e-mail address" (what <input type=email> accepts): a structural check, no
# look-up of the domain.
_EMAIL = re.compile(r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
                    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+")
_LETTERS = {"ø": "o", "æ": "ae", "å": "a", "ß": "ss", "đ": "d", "ŋ": "n", "ŧ": "t"}


@dataclass(frozen=True)
class Places:
    """The municipalities (kommunenummer → name, SSB) and Oslo's districts (two digits → name) this system
    knows. The composition root reads them from the reference data."""

    municipalities: Mapping[str, str]
    oslo_districts: Mapping[str, str]
    oslo: str = "0301"

    def municipality(self, value: str | None) -> str:
        number = (value or "").strip()
        if not number:
            raise RuleBroken("Oppgi kommunenummeret (fire siffer, for eksempel 0301).", "municipality")
        if not re.fullmatch(r"\d{4}", number):
            raise RuleBroken(f"Kommunenummeret «{shown(number)}» må ha fire siffer (for eksempel 0301).",
                             "municipality")
        if number not in self.municipalities:
            raise RuleBroken(f"Ukjent kommunenummer {number}: det finnes ikke i SSBs kommuneinndeling.",
                             "municipality")
        return number

    def district(self, value: str | None, municipality: str) -> str | None:
        """An Oslo district by name (any case, with or without «Bydel») or number (`3`, `03` or `030103`)."""
        text = (value or "").strip()
        if municipality != self.oslo:
            if text:
                raise RuleBroken(f"Bydel gjelder bare Oslo ({self.oslo}); la feltet stå tomt for "
                                 f"{self.municipalities.get(municipality, municipality)}.", "district")
            return None
        if not text:
            raise RuleBroken("Et Nav-kontor i Oslo hører til en bydel: oppgi bydelen.", "district")
        number = text.removeprefix(self.oslo) if len(text) == 6 else text
        if number.isdigit():
            name = self.oslo_districts.get(number.zfill(2))
        else:
            wanted = key(re.sub(r"^bydel\s+", "", text, flags=re.IGNORECASE))
            name = next((n for n in self.oslo_districts.values() if key(n) == wanted), None)
        if name is None:
            raise RuleBroken(f"Ukjent bydel «{shown(text)}» i Oslo.", "district")
        return name


@dataclass(frozen=True)
class OfficeDetails:
    """What an administrator registers about an office (the same fields as the import file)."""

    name: str
    municipality: str
    district: str | None = None
    second_approval: bool = False
    address: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass
class Office:
    id: str
    name: str
    municipality: str
    district: str | None = None
    second_approval: bool = False
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    closed: bool = False
    events: list = field(default_factory=list, repr=False, compare=False)

    @property
    def requires_second_approval(self) -> bool:
        return self.second_approval

    @property
    def details(self) -> OfficeDetails:
        return OfficeDetails(**{f.name: getattr(self, f.name) for f in fields(OfficeDetails)})

    @property
    def key(self) -> tuple[str, str]:
        """What identifies the office: its municipality and its name (compared as `key` does)."""
        return self.municipality, key(self.name)

    @classmethod
    def register(cls, details: OfficeDetails, *, places: Places, taken: Collection[str]) -> Office:
        """A new office with an id made from its name (`taken`: the ids in use); records OfficeRegistered."""
        checked = check(details, places)
        office = cls(new_id(checked.name, checked.municipality, taken), **vars(checked))
        office.events.append(OfficeRegistered(office.snapshot()))
        return office

    def change(self, details: OfficeDetails, *, places: Places) -> bool:
        """Take the new details (the municipality stays: a name is an office within its municipality). Records
        OfficeChanged when anything changed; returns whether it did."""
        checked = check(details, places)
        if checked.municipality != self.municipality:
            raise RuleBroken("Kommunen til et Nav-kontor kan ikke endres. Registrer kontoret i den nye kommunen, "
                             "og legg ned det gamle.", "municipality")
        if checked == self.details:
            return False
        for name, value in vars(checked).items():
            setattr(self, name, value)
        self.events.append(OfficeChanged(self.snapshot()))
        return True

    def close(self) -> None:
        if self.closed:
            raise Conflict(f"{self.name} er allerede lagt ned.", "office_id")
        self.closed = True
        self.events.append(OfficeClosed(self.snapshot()))

    def check_takes_applications(self) -> None:
        if self.closed:
            raise RuleBroken(f"{self.name} er lagt ned og tar ikke imot nye søknader. Sakene og historikken er "
                             "der fortsatt.", "office_id")

    def snapshot(self) -> Office:
        return replace(self, events=[])


@dataclass(frozen=True)
class OfficeRegistered:
    office: Office


@dataclass(frozen=True)
class OfficeChanged:
    office: Office


@dataclass(frozen=True)
class OfficeClosed:
    office: Office


def key(name: str) -> str:
    """A name as names are compared: Unicode normalised, case folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def shown(value: str, limit: int = 40) -> str:
    """Text as quoted in a message: cut short, without control characters."""
    value = "".join(c if c.isprintable() else " " for c in value[:limit + 1])
    return value if len(value) <= limit else value[:limit] + "…"


def slug(name: str) -> str:
    """`Nav Hundvåg og Storhaug` → `nav-hundvag-og-storhaug`: Norwegian and Sami letters as Latin ones."""
    text = "".join(_LETTERS.get(c, c) for c in name.casefold())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", text))


def new_id(name: str, municipality: str, taken: Collection[str]) -> str:
    """The office's id: its name as a slug; the municipality number added when another municipality has an
    office of the same name, then a counter (names that differ only in letters the slug drops)."""
    base = slug(name)[:ID_MAX - 8].strip("-")
    if not base:
        raise RuleBroken("Navnet må inneholde bokstaver eller tall.", "name")
    for candidate in (base, f"{base}-{municipality}", *(f"{base}-{municipality}-{n}" for n in range(2, 100))):
        if candidate not in taken:
            return candidate
    raise Conflict("Fant ikke en ledig id for kontoret; velg et annet navn.", "name")


def _one_line(value: str | None, field_name: str, label: str, max_length: int) -> str | None:
    text = " ".join((value or "").split()) if value is not None else ""
    if _NOT_ONE_LINE.search(value or ""):
        raise RuleBroken(f"{label} kan ikke inneholde kontrolltegn, linjeskift eller ugyldige tegn.", field_name)
    if len(text) > max_length:
        raise RuleBroken(f"{label} kan ha høyst {max_length} tegn.", field_name)
    return text or None


def phone_number(value: str | None) -> str | None:
    """A Norwegian phone number: eight digits, spaces allowed, optionally with +47 (or 0047) in front; kept as
    the eight digits."""
    text = (value or "").strip()
    if not text:
        return None
    digits = re.sub(r"[\s.\-]", "", text)
    digits = re.sub(r"^(\+47|0047)", "", digits)
    if not re.fullmatch(r"\d{8}", digits):
        raise RuleBroken(f"Telefonnummeret «{shown(text)}» må ha åtte siffer (for eksempel 55553333), eventuelt "
                         "med +47 foran.", "phone")
    return digits


def email_address(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > EMAIL_MAX or not _EMAIL.fullmatch(text):
        raise RuleBroken(f"E-postadressen «{shown(text)}» er ikke gyldig (for eksempel "
                         "bolig.sagene@nav.no).", "email")
    return text


def check(details: OfficeDetails, places: Places) -> OfficeDetails:
    """The details checked and in their kept form, or RuleBroken naming the field."""
    name = _one_line(details.name, "name", "Navnet", NAME_MAX)
    if not name:
        raise RuleBroken("Oppgi kontorets navn (for eksempel Nav Sagene).", "name")
    for value, name_of_field in ((details.municipality, "municipality"), (details.district, "district"),
                                 (details.phone, "phone"), (details.email, "email")):
        _one_line(value, name_of_field, "Feltet", ADDRESS_MAX + EMAIL_MAX)
    municipality = places.municipality(details.municipality)
    return OfficeDetails(
        name=name, municipality=municipality, district=places.district(details.district, municipality),
        second_approval=bool(details.second_approval),
        address=_one_line(details.address, "address", "Adressen", ADDRESS_MAX),
        phone=phone_number(details.phone), email=email_address(details.email))
