"""The administrator's upload of an offices file (../shared/formats/offices-import.md) on the offices page:
the same import as `botilbud offices import` and the API — «bare kontroller» checks every row and writes
nothing; otherwise the file goes in whole, or is refused with every bad row (nothing written)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kit.uploads import UploadRefused, form_upload
from services.intake.adapters import offices_csv
from services.intake.domain.commands import ImportOffices
from services.intake.domain.errors import RuleBroken
from services.intake.domain.office_import import FileError
from services.intake.entrypoints.api.offices import IMPORT_MAX_BYTES, TOO_LARGE_NB
from services.intake.entrypoints.deps import Admin, Bus, Municipalities, Queries, actor_of
from services.intake.entrypoints.mapping import import_out
from services.intake.entrypoints.pages.common import render

router = APIRouter(include_in_schema=False)
OUTCOMES_NB = {"registered": "Nytt", "changed": "Endret", "unchanged": "Uendret"}


async def _rows(request: Request) -> tuple[str, list, bool]:
    """The uploaded file's rows, its name and whether only to check; RuleBroken (field `file`) says why not."""
    try:
        upload = await form_upload(request, IMPORT_MAX_BYTES, missing_nb="Velg en CSV-fil med Nav-kontorer.",
                                   too_large_nb=TOO_LARGE_NB, max_fields=4)
        rows = offices_csv.read(upload.data)
    except (UploadRefused, FileError) as exc:
        raise RuleBroken(str(exc), "file") from None
    return upload.filename[:100], rows, upload.form.get("dry_run") == "true"


@router.post("/offices/import", response_class=HTMLResponse)
async def import_offices_page(request: Request, user: Admin, bus: Bus, queries: Queries,
                              municipalities: Municipalities):
    try:
        file, rows, dry_run = await _rows(request)
    except RuleBroken as exc:
        return render(request, "offices.html", status_code=413 if str(exc) == TOO_LARGE_NB else 422, user=user,
                      offices=await queries.offices(), municipalities=municipalities, done=None,
                      import_error=str(exc))
    result = import_out(await bus.handle(ImportOffices(actor_of(user), tuple(rows), False, dry_run)))
    return render(request, "office_import.html", status_code=422 if result.rejected_count else 200, user=user,
                  r=result, file=file, outcomes=OUTCOMES_NB, municipalities=municipalities)
