"""How stats' numbers are shown: Norwegian labels, the KOSTRA table of the downloads, file names, and the files
themselves (CSV and XLSX from `kit.exports`, the one helper every export goes through)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Literal

from fastapi.encoders import decimal_encoder
from fastapi.responses import Response

from contracts import reference
from kit import exports
from kit.formatting import date_nb
from services.stats.domain.kostra import KEYS, KostraRules
from services.stats.domain.reports import Table
from services.stats.service_layer.views import Area

KOSTRA_LABELS = {
    "households": "Husstander i midlertidig botilbud",
    "households_over_3_months": "… mer enn 3 måneder",
    "households_14_days_or_less": "… 14 døgn eller mindre",
    "households_with_children": "Husstander med barn",
    "households_with_children_over_3_months": "… med barn, mer enn 3 måneder",
    "young_households": "Unge husstander (18–24 år)",
    "young_households_over_3_months": "… unge, mer enn 3 måneder",
    "night_shelter_households": "Husstander i natthjem",
}
SETTING_LABELS = {
    "over_days": "Mer enn så mange døgn = over 3 måneder",
    "short_days": "Høyst så mange døgn = 14 døgn eller mindre",
    "young_min_age": "Unge: fra alder",
    "young_max_age": "Unge: til og med alder",
    "child_max_age": "Barn: til og med alder",
}


def kostra_report(area: Area, counts: dict[str, int], rules: KostraRules) -> dict:
    """The KOSTRA answer: the counters with the area and the settings used."""
    return {"year": area.year, "municipality": area.municipality, "district": area.district, **counts,
            "settings": asdict(rules)}


def area_name(municipality: str, district: str | None) -> str:
    """"Oslo kommune (0301), bydel Sagene": the name for people, the number that KOSTRA reports under."""
    name = reference.municipalities().get(municipality)
    place = f"{name} kommune ({municipality})" if name else f"kommune {municipality}"
    return place + (f", bydel {district}" if district else "")


def slug(text: str | None) -> str:
    """A file-name-safe form of a district: Grünerløkka → grunerlokka."""
    text = (text or "").lower().translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a"}))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def file_name(what: str, area: Area, suffix: str) -> str:
    return f"{what}-{area.year}-{area.municipality}" + (f"-{slug(area.district)}" if area.district else "") + \
        f".{suffix}"


def download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={"content-disposition": f'attachment; filename="{filename}"'})


def table_file(kind: Literal["csv", "xlsx"], title: str, header: list[str], rows: list[tuple], notes: list[tuple],
               filename: str) -> Response:
    if kind == "csv":  # a date as text in Norwegian (a spreadsheet file holds a real date)
        rows = [tuple(date_nb(v) if isinstance(v, date) else v for v in row) for row in rows]
        return download(exports.to_csv(header, rows, notes), exports.CSV_TYPE, filename)
    return download(exports.to_xlsx(title, header, rows, notes), exports.XLSX_TYPE, filename)


def kostra_file(kind: Literal["csv", "xlsx"], report: dict, area: Area) -> Response:
    """KOSTRA as a table: one row per counter, then the area and the settings used."""
    rows = [(key, KOSTRA_LABELS[key], report[key]) for key in KEYS]
    notes = [("year", "År", area.year), ("municipality", "Kommunenummer", area.municipality),
             ("district", "Bydel", area.district or "")]
    notes += [(f"settings.{k}", SETTING_LABELS[k], v) for k, v in report["settings"].items()]
    return table_file(kind, f"KOSTRA {area.year}", ["Nøkkel", "Teller", "Husstander"], rows, notes,
                      file_name("kostra", area, kind))


def report_file(kind: Literal["csv", "xlsx"], table: Table, area: Area) -> Response:
    notes = [("År", area.year), ("Kommunenummer", area.municipality), ("Bydel", area.district or "")]
    notes += [(table.note,)] if table.note else []
    return table_file(kind, table.title, list(table.columns), table.rows, notes, file_name(table.key, area, kind))


def json_cell(value):
    """A report cell as the API has always sent it (a whole-number amount as an integer, else a float)."""
    return decimal_encoder(value) if isinstance(value, Decimal) else value
