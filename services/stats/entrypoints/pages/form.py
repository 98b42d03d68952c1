"""The area form every stats page carries (year, municipality, district): read from the query string with a
Norwegian message next to each field at fault, and what was typed shown back (without control characters)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from kit.templating import templates
from services.stats.entrypoints import presentation
from services.stats.entrypoints.schemas import DISTRICT_MAX, PRINTABLE
from services.stats.service_layer.views import Area, StatsViews

PAGES = templates(Path(__file__).resolve().parents[1] / "templates")
SHOWN_MAX = 100  # what a page shows back of a value typed
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ufffd-\uffff]")


@dataclass
class AreaForm:
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def area(self) -> Area | None:
        """The area asked for, when every field is right."""
        if self.errors:
            return None
        return Area(int(self.values["year"]), self.values["municipality"], self.values["district"] or None)

    @property
    def query(self) -> str:
        return urlencode({k: v for k, v in self.values.items() if v}) if not self.errors else ""

    async def districts(self, views: StatsViews) -> list[str]:
        """The district field's choices: the districts of the municipality's offices."""
        return await views.districts(self.values["municipality"]) if "municipality" not in self.errors else []

    @property
    def area_name(self) -> str:
        return presentation.area_name(self.values["municipality"], self.values["district"] or None)


def read_area(year: str | None, municipality: str | None, district: str | None, this_year: int) -> AreaForm:
    """Any text is accepted here and checked with a message a person understands (a page answers 422 with the
    form, never an error page, for what someone typed)."""
    raw = {"year": year or str(this_year), "municipality": municipality or "0301", "district": district or ""}
    errors = {}
    if not re.fullmatch(r"\d{4}", raw["year"]) or not 2000 <= int(raw["year"]) <= 2100:
        errors["year"] = "Skriv et årstall mellom 2000 og 2100."
    if not re.fullmatch(r"\d{4}", raw["municipality"]):
        errors["municipality"] = "Kommunenummeret har fire sifre, for eksempel 0301."
    if len(raw["district"]) > DISTRICT_MAX:
        errors["district"] = f"Bydelsnavnet kan ha høyst {DISTRICT_MAX} tegn."
    elif raw["district"] and not re.fullmatch(PRINTABLE, raw["district"]):
        errors["district"] = "Bydelsnavnet kan bare ha vanlige tegn (ingen kontrolltegn eller ugyldig tekst)."
    shown = {k: _CONTROL.sub("", v)[:SHOWN_MAX] for k, v in raw.items()}
    return AreaForm(raw if not errors else shown, errors)
