"""The offices file (../shared/formats/offices-import.md): each row checked against the format and the
reference data, then planned against the registry — a new office, a changed one, or one as it is. Pure.

An office is identified by its name within its municipality: importing the same file twice changes nothing, a
later file with changed fields updates the office, and an office is never silently duplicated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.intake.domain.errors import RuleBroken
from services.intake.domain.offices import Office, OfficeDetails, Places, check, key, shown

COLUMNS = ("office", "municipality", "district", "second_approval", "address", "phone", "email")
REQUIRED = ("office", "municipality")
YES = frozenset({"yes", "ja", "true", "1"})
NO = frozenset({"no", "nei", "false", "0", ""})
# The file's column for each field of an office, where they differ.
COLUMN_OF = {"name": "office"}


class FileError(ValueError):
    """The file as a whole is not in the format (not UTF-8, not CSV, a wrong header)."""


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str
    field: str | None = None


@dataclass(frozen=True)
class Row:
    line: int
    details: OfficeDetails


@dataclass(frozen=True)
class Planned:
    """What importing a good row does: `registered` (new), `changed` or `unchanged` (`office`: the one in the
    registry, None for a new one)."""

    line: int
    details: OfficeDetails
    outcome: str
    office: Office | None = None


def check_header(header: list[str] | None) -> list[str]:
    if not header or not any(h.strip() for h in header):
        raise FileError("Linje 1: filen er tom; første linje må være overskriftsraden "
                        f"({','.join(COLUMNS)}).")
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise FileError(f"Linje 1: mangler kolonnene {', '.join(missing)}.")
    unknown = [h for h in names if h not in COLUMNS]
    if unknown:
        raise FileError(f"Linje 1: ukjente kolonner {', '.join(shown(u) for u in unknown[:5])} (kolonnene er "
                        f"{', '.join(COLUMNS)}).")
    twice = sorted({h for h in names if names.count(h) > 1})
    if twice:
        raise FileError(f"Linje 1: kolonnen {', '.join(twice)} står flere ganger.")
    return names


def check_row(line: int, row: dict, places: Places) -> Row | RowError:
    """One row against the format and the reference data. `row` maps the columns to their cells; extra cells
    are under None (csv.DictReader's way)."""
    if None in row:
        return RowError(line, "raden har flere celler enn overskriftsraden")
    cell = {c: (row.get(c) or "").strip() for c in COLUMNS}
    approval = cell["second_approval"].lower()
    if approval not in YES | NO:
        return RowError(line, f"second_approval «{shown(cell['second_approval'])}» må være yes eller no",
                        "second_approval")
    try:
        details = check(OfficeDetails(name=cell["office"], municipality=cell["municipality"],
                                      district=cell["district"], second_approval=approval in YES,
                                      address=cell["address"], phone=cell["phone"], email=cell["email"]), places)
    except RuleBroken as bad:
        return RowError(line, str(bad), COLUMN_OF.get(bad.field or "", bad.field))
    return Row(line, details)


def plan(rows: list[Row], registry: Mapping[tuple[str, str], Office]) -> tuple[list[Planned], list[RowError]]:
    """Each good row against the registry (keyed by municipality and name, as `Office.key`); the same office
    twice in one file is a bad row (the second)."""
    planned, errors = [], []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        office_key = (row.details.municipality, key(row.details.name))
        if office_key in seen:
            errors.append(RowError(row.line, f"samme kontor som linje {seen[office_key]} ({row.details.name}, "
                                             f"kommune {row.details.municipality})", "office"))
            continue
        seen[office_key] = row.line
        office = registry.get(office_key)
        if office is None:
            planned.append(Planned(row.line, row.details, "registered"))
        else:
            same = office.details == row.details
            planned.append(Planned(row.line, row.details, "unchanged" if same else "changed", office))
    return planned, errors
