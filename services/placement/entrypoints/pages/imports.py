"""The stay history import's pages, for office leaders (their office's rows) and admins: upload a file (check
it, or import it), the check's result with each unknown office or provider once, and a run's progress while it
is written in the background (`api/imports.start_run`), reloading itself until it is done."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from kit import clock
from kit.auth import User
from kit.input_guard import MAX_BODY_BYTES
from kit.uploads import FORM_SLACK_BYTES, UploadRefused, form_upload
from services.placement.adapters import csv_files
from services.placement.adapters.queries import PlacementQueries
from services.placement.domain import commands
from services.placement.domain.errors import RuleBroken
from services.placement.domain.history import HeaderError
from services.placement.entrypoints.api.imports import import_body, leader_office, run_for, start_run
from services.placement.entrypoints.deps import Bus, ProviderAdmin, Queries
from services.placement.entrypoints.import_answers import ImportRunOut
from services.placement.entrypoints.pages.common import render

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
# A page's form is held in memory while its security token is checked (kit.web): the page takes what fits
# there, some 100,000 rows; larger files go through `botilbud import-stays`.
PAGE_MAX_BYTES = MAX_BODY_BYTES - FORM_SLACK_BYTES
TOO_LARGE_NB = f"Filen er for stor for siden (over {PAGE_MAX_BYTES // 2**20} MB): bruk botilbud import-stays."


async def imports_page(request: Request, user: User, queries: PlacementQueries, *, error: RuleBroken | None = None,
                       status_code: int = 200) -> HTMLResponse:
    runs = [ImportRunOut.of(r, now=clock.now()) for r in await queries.import_runs(leader_office(user))]
    return render(request, "imports.html", {"user": user, "runs": runs, "error": error,
                                            "limit_mb": PAGE_MAX_BYTES // 2**20}, status_code=status_code)


@router.get("/imports")
async def imports_view(request: Request, user: ProviderAdmin, queries: Queries):
    return await imports_page(request, user, queries)


@router.post("/imports/stays")
async def import_stays_form(request: Request, user: ProviderAdmin, queries: Queries, bus: Bus):
    """«Bare kontroller»: every row checked, nothing written, the result shown. Otherwise the import run starts
    (or the file is refused with every bad row) and the browser follows its progress."""
    try:
        try:
            upload = await form_upload(request, PAGE_MAX_BYTES, missing_nb="Velg en CSV-fil med opphold.",
                                       too_large_nb=TOO_LARGE_NB)
            rows = csv_files.read(upload.data)
        except (UploadRefused, HeaderError) as exc:
            raise RuleBroken(str(exc), "file") from None
    except RuleBroken as exc:
        return await imports_page(request, user, queries, error=exc,
                                  status_code=413 if str(exc) == TOO_LARGE_NB else 422)
    partial, file_name = upload.form.get("partial") == "true", upload.filename[:200]
    if upload.form.get("dry_run") == "true":
        result = await bus.handle(commands.ImportStays(tuple(rows), partial, True, leader_office(user)))
    else:
        started = await start_run(request, bus, rows, partial=partial, user=user, file_name=file_name)
        if started.run_id is not None:
            return RedirectResponse(f"/placement/imports/stays/{started.run_id}", status_code=303)
        result = started.check
    checked = import_body(result, partial=partial)
    return render(request, "import_check.html", {"user": user, "r": checked, "file": file_name},
                  status_code=422 if checked.rejected_count and not partial else 200)


@router.get("/imports/stays/{run_id}")
async def import_run_page(request: Request, run_id: UUID, user: ProviderAdmin, queries: Queries):
    run = ImportRunOut.of(await run_for(user, run_id, queries), now=clock.now())
    return render(request, "import_run.html", {"user": user, "run": run})
