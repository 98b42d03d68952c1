"""Stats' HTTP API and pages: KOSTRA, the municipality's reports (JSON, CSV, XLSX, pages with charts), and
the rebuild of the projections."""

from __future__ import annotations

import asyncio
import re
import unicodedata
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from kit import exports as tables
from kit.auth import OFFICE_SCOPED, Role, User, api_user, page_user, require_role
from kit.templating import templates
from services.stats.domain.kostra import KEYS, KostraRules
from services.stats.domain.reports import Table
from services.stats.entrypoints import exports
from services.stats.service_layer import handlers

READERS = (Role.OFFICE_LEADER, Role.CASE_WORKER, Role.OPERATIONS, Role.FINANCE, Role.ADMIN)
REBUILDERS = (Role.OPERATIONS, Role.ADMIN)
# `format` csv or xlsx answers with a file instead of JSON: the OpenAPI document says so.
DOWNLOADS = {200: {"content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}},
                               tables.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}
Format = Literal["json", "csv", "xlsx"]

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


def _today():
    return datetime.now(UTC).date()


def _area_name(municipality: str, district: str | None) -> str:
    return f"kommune {municipality}" + (f", bydel {district}" if district else "")


def _download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={"content-disposition": f'attachment; filename="{filename}"'})


def _slug(text: str | None) -> str:
    """A file-name-safe form of a district: Grünerløkka → grunerlokka."""
    text = (text or "").lower().translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a"}))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


# A district's name or number: printable text (a control character cannot go into a report or a spreadsheet).
DISTRICT = r"^[^\x00-\x1f\x7f]+$"

def create_app(uow_factory, rules: KostraRules, rebuild=None) -> FastAPI:
    app = FastAPI(title="Botilbud stats", version="1", description="Statistikk og KOSTRA.")
    pages = templates(Path(__file__).parent / "templates")
    rebuilding = asyncio.Lock()

    async def kostra_report(year: int, municipality: str, district: str | None) -> dict:
        counts = await handlers.kostra_report(uow_factory, year=year, municipality=municipality,
                                              district=district, today=_today(), rules=rules)
        return {"year": year, "municipality": municipality, "district": district, **counts,
                "settings": asdict(rules)}

    def kostra_rows(report: dict) -> tuple[list[str], list[tuple], list[tuple]]:
        rows = [(key, KOSTRA_LABELS[key], report[key]) for key in KEYS]
        notes = [("year", "År", report["year"]), ("municipality", "Kommunenummer", report["municipality"]),
                 ("district", "Bydel", report["district"] or "")]
        notes += [(f"settings.{k}", SETTING_LABELS[k], v) for k, v in report["settings"].items()]
        return ["key", "Teller", "Husstander"], rows, notes

    async def build_report(key: str, year: int, municipality: str, district: str | None, user: User) -> Table:
        try:
            table = await handlers.report(uow_factory, key, year=year, municipality=municipality, district=district,
                                          today=_today(), rules=rules)
        except KeyError:
            raise HTTPException(404, f"Ukjent rapport {key!r}; velg en av {', '.join(handlers.REPORTS)}.") from None
        if key == "tre-maneder" and user.role in OFFICE_SCOPED:
            # A list of households: an office's people see their own office's.
            table = Table(table.key, table.title, table.columns, [r for r in table.rows if r[0] == user.office_id],
                          table.chart, table.note)
        return table

    def table_chart(table: Table) -> str:
        if not table.chart or not table.rows:
            return ""
        return exports.bar_chart(table.title, [str(r[0]) for r in table.rows],
                                 [(table.columns[i], [float(r[i] or 0) for r in table.rows]) for i in table.chart])

    # -- API ------------------------------------------------------------------------------------------------

    @app.get("/api/kostra", tags=["kostra"], responses=DOWNLOADS)
    async def kostra(year: int = Query(ge=2000, le=2100), municipality: str = Query(pattern=r"^\d{4}$"),
                     district: str | None = Query(None, min_length=1, max_length=64, pattern=DISTRICT),
                     format: Format = "json",
                     user: User = Depends(api_user)):
        """The KOSTRA counters (BRIEF §5) for a year, municipality and (Oslo) district, with the settings used."""
        require_role(user, *READERS)
        report = await kostra_report(year, municipality, district)
        if format == "json":
            return report
        header, rows, notes = kostra_rows(report)
        name = f"kostra-{year}-{municipality}" + (f"-{_slug(district)}" if district else "")
        if format == "csv":
            return _download(tables.to_csv(header, rows, notes), tables.CSV_TYPE, f"{name}.csv")
        return _download(tables.to_xlsx(f"KOSTRA {year}", header, rows, notes), tables.XLSX_TYPE, f"{name}.xlsx")

    @app.get("/api/reports", tags=["reports"])
    async def report_list(user: User = Depends(api_user)):
        require_role(user, *READERS)
        return [{"key": k, "title": t} for k, t in handlers.REPORTS.items()]

    @app.get("/api/reports/{key}", tags=["reports"], responses=DOWNLOADS)
    async def report_api(key: str, year: int = Query(ge=2000, le=2100), municipality: str = Query(pattern=r"^\d{4}$"),
                         district: str | None = Query(None, min_length=1, max_length=64, pattern=DISTRICT),
                         format: Format = "json",
                         user: User = Depends(api_user)):
        """One of the municipality's reports as JSON (columns and rows), CSV or XLSX."""
        require_role(user, *READERS)
        table = await build_report(key, year, municipality, district, user)
        notes = [("År", year), ("Kommunenummer", municipality), ("Bydel", district or "")]
        notes += [(table.note,)] if table.note else []
        if format == "json":
            return {"key": table.key, "title": table.title, "year": year, "municipality": municipality,
                    "district": district, "columns": list(table.columns), "rows": [list(r) for r in table.rows],
                    "note": table.note, "settings": asdict(rules)}
        name = f"{key}-{year}-{municipality}" + (f"-{_slug(district)}" if district else "")
        if format == "csv":
            return _download(tables.to_csv(list(table.columns), table.rows, notes), tables.CSV_TYPE, f"{name}.csv")
        return _download(tables.to_xlsx(table.title, list(table.columns), table.rows, notes), tables.XLSX_TYPE,
                         f"{name}.xlsx")

    @app.post("/api/rebuild", tags=["operations"])
    async def rebuild_projections(user: User = Depends(api_user)):
        """Empty stats' projections and inbox and replay every topic from the beginning."""
        require_role(user, *REBUILDERS)
        if rebuild is None:
            raise HTTPException(503, "Gjenoppbygging er ikke tilgjengelig i denne prosessen.")
        if rebuilding.locked():
            raise HTTPException(409, "En gjenoppbygging pågår allerede.")
        async with rebuilding:
            events = await rebuild()
        return {"events_replayed": events}

    # -- pages ----------------------------------------------------------------------------------------------

    def read_form(year: str | None, municipality: str | None, district: str | None):
        values = {"year": year or str(_today().year), "municipality": municipality or "0301",
                  "district": district or ""}
        errors = {}
        if not re.fullmatch(r"\d{4}", values["year"]) or not 2000 <= int(values["year"]) <= 2100:
            errors["year"] = "Skriv et årstall mellom 2000 og 2100."
        if not re.fullmatch(r"\d{4}", values["municipality"]):
            errors["municipality"] = "Kommunenummeret har fire sifre, for eksempel 0301."
        if len(values["district"]) > 64:
            errors["district"] = "Bydelsnavnet kan ha høyst 64 tegn."
        return values, errors

    def query_string(values: dict) -> str:
        from urllib.parse import urlencode
        return urlencode({k: v for k, v in values.items() if v})

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def kostra_page(request: Request, year: str | None = None, municipality: str | None = None,
                          district: str | None = None, user: User = Depends(page_user)):
        require_role(user, *READERS)
        values, errors = read_form(year, municipality, district)
        report = None
        if not errors:
            report = await kostra_report(int(values["year"]), values["municipality"], values["district"] or None)
        return pages.TemplateResponse(
            request, "kostra.html",
            {"user": user, "report": report, "values": values, "errors": errors, "labels": KOSTRA_LABELS,
             "setting_labels": SETTING_LABELS, "keys": KEYS, "reports": handlers.REPORTS,
             "query": query_string(values), "area": _area_name(values["municipality"], values["district"])},
            status_code=422 if errors else 200)

    @app.get("/rapporter/{key}", response_class=HTMLResponse, include_in_schema=False)
    async def report_page(request: Request, key: str, year: str | None = None, municipality: str | None = None,
                          district: str | None = None, user: User = Depends(page_user)):
        require_role(user, *READERS)
        if key not in handlers.REPORTS:
            raise HTTPException(404, "Ukjent rapport.")
        values, errors = read_form(year, municipality, district)
        table = chart = None
        if not errors:
            table = await build_report(key, int(values["year"]), values["municipality"], values["district"] or None,
                                       user)
            chart = table_chart(table)
        return pages.TemplateResponse(
            request, "report.html",
            {"user": user, "table": table, "chart": chart, "key": key, "title": handlers.REPORTS[key],
             "values": values, "errors": errors, "reports": handlers.REPORTS, "query": query_string(values),
             "area": _area_name(values["municipality"], values["district"])},
            status_code=422 if errors else 200)

    return app
