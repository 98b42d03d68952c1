"""Placement's imports (CSV): the stay history (../shared/formats/stays-import.md; office leaders — their own
office's rows — and admins) and the providers with their agreements and units (providers-import.md; office
leaders and admins). The body is read as it streams in and refused at the cap; the answer lists line numbers and
reasons, a bounded number of them, never the input."""

from __future__ import annotations

import asyncio
from uuid import UUID, uuid4

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response

from kit import clock
from kit.auth import Role, User
from kit.messagebus import MessageBus
from kit.problems import FieldProblem, answer
from kit.uploads import read_capped
from services.placement.adapters import csv_files
from services.placement.adapters.queries import ImportRunRow, PlacementQueries
from services.placement.domain import commands, history, provider_import
from services.placement.domain.errors import NotFound
from services.placement.entrypoints.deps import Bus, ProviderAdmin, Queries, may_see
from services.placement.entrypoints.import_answers import (
    FileRejectedOut,
    ImportOut,
    ImportRejectedOut,
    ImportRunOut,
    ProvidersImportOut,
    ProvidersImportRejectedOut,
    ProviderStepOut,
    UnknownNameOut,
    rejected_detail,
    rejected_rows,
)
from services.placement.entrypoints.schemas import FirstLine
from services.placement.service_layer import imports
from services.placement.service_layer.imports import ImportResult, StartedRun
from services.placement.service_layer.provider_imports import ProvidersImportResult

router = APIRouter(prefix="/api/imports", tags=["imports"])

IMPORT_MAX_BYTES = 50 * 1024 * 1024
TOO_LARGE_NB = "Filen er for stor (over 50 MB): del den opp."
PROVIDERS_MAX_BYTES = 5 * 1024 * 1024  # some 25,000 rows: far more units than any municipality has
PROVIDERS_TOO_LARGE_NB = "Filen er for stor (over 5 MB)."
LISTED_ROWS = 100  # bad rows of a stay history listed in an answer; `rejected_count` has them all
LISTED_PROBLEMS = 1000  # a providers file's problems listed: a dry run shows every one of a real file at once
LISTED_CHANGES = 1000
LISTED_NAMES = 50  # unknown offices and providers listed
LISTED_STAY_IDS = 1000
PARTIAL = Query(False, description="Import the good rows, report the bad ones.")
DRY_RUN = Query(False, description="Check every row, write nothing.")



def document_answers(app: FastAPI) -> None:
    """An import refuses a bad file with its own JSON (the rows at fault; `detail` a list), not as a problem:
    say so next to the problem the kit documents for every error (here: a bad query parameter)."""
    generate = app.openapi

    def openapi() -> dict:
        schema = generate()
        for path, rejected in (("/stays", ImportRejectedOut), ("/stays/runs", ImportRejectedOut),
                               ("/providers", ProvidersImportRejectedOut)):
            response = schema["paths"][router.prefix + path]["post"]["responses"]["422"]
            response["content"].setdefault("application/json", {"schema": {"anyOf": [
                {"$ref": f"#/components/schemas/{model.__name__}"} for model in (rejected, FileRejectedOut)]}})
        return schema

    app.openapi = openapi


def import_body(result: ImportResult, *, partial: bool) -> ImportOut:
    listed = result.rejected[:LISTED_ROWS]
    return ImportOut(
        rows=result.rows, stays_created=0 if result.dry_run else len(result.created),
        stays_to_create=len(result.created) if result.dry_run else None, already_imported=result.already_imported,
        written=result.written, dry_run=result.dry_run, partial=partial, rejected=rejected_rows(listed),
        rejected_count=len(result.rejected),
        unknown=[UnknownNameOut(field=u.field, name=u.name, lines=list(u.lines), count=u.count,
                                what_to_do=u.what_to_do) for u in result.unknown[:LISTED_NAMES]],
        stay_ids=result.created[:LISTED_STAY_IDS])


def import_answer(result: ImportResult, *, partial: bool) -> Response | ImportOut:
    """The result as the API says it: a bad row (unless partial) is a 422 with `detail` besides."""
    body = import_body(result, partial=partial)
    if result.rejected and not partial:
        return JSONResponse(ImportRejectedOut(**body.model_dump(), detail=rejected_detail(
            result.rejected[:LISTED_ROWS])).model_dump(mode="json"), status_code=422)
    return body


def providers_answer(result: ProvidersImportResult, *, partial: bool) -> ProvidersImportOut:
    """The result as the API says it (a 422's body adds `detail`: `providers_rejected`)."""
    changes = [s for s in result.steps if s.changes]
    return ProvidersImportOut(
        rows=result.rows, **{f"{what}s_{done}": result.count(f"{action}_{what}")
                             for what in ("provider", "unit")
                             for action, done in (("register", "registered"), ("change", "changed"),
                                                  ("unchanged", "unchanged"))},
        written=result.written, dry_run=result.dry_run, partial=partial,
        changes=[ProviderStepOut(line=s.line, action=s.action, orgnr=s.provider.orgnr, provider=s.provider.name,
                                 unit=s.unit.name if s.unit else None, columns=list(s.columns))
                 for s in changes[:LISTED_CHANGES]],
        changes_count=len(changes), rejected=rejected_rows(result.rejected[:LISTED_PROBLEMS]),
        rejected_count=len(result.rejected))


def providers_rejected(body: ProvidersImportOut, result: ProvidersImportResult) -> JSONResponse:
    return JSONResponse(ProvidersImportRejectedOut(
        **body.model_dump(), detail=rejected_detail(result.rejected[:LISTED_PROBLEMS])).model_dump(mode="json"),
        status_code=422)


def file_rejected(exc: history.HeaderError) -> JSONResponse:
    return JSONResponse({"detail": [{"loc": ["body"], "msg": str(exc), "type": "format"}]}, status_code=422)


CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}}


@router.post("/stays", response_model=ImportOut, responses={
    413: {"description": "Over 50 MB."},
    422: {"model": ImportRejectedOut | FileRejectedOut,
          "description": "A bad row (nothing written) or not the format at all (JSON), or a bad query parameter "
                         "(a problem)."}}, openapi_extra=CSV_BODY)
async def import_stays(request: Request, user: ProviderAdmin, bus: Bus, partial: bool = PARTIAL,
                       dry_run: bool = DRY_RUN, first_line: FirstLine = 2):
    """Import stay history. By default one bad row rejects the file (422, nothing written); the answer lists the
    bad rows with their line numbers and reasons (the first 100; `rejected_count` has them all) and each
    unknown office or provider once, with the lines naming it and what to do."""
    data = await read_capped(request, IMPORT_MAX_BYTES)
    if data is None:
        return answer(request, 413, TOO_LARGE_NB, [FieldProblem(loc=["body"], msg=TOO_LARGE_NB, type="too_large")])
    try:
        rows = csv_files.read(data, first_line=first_line)
    except history.HeaderError as exc:
        return file_rejected(exc)
    result = await bus.handle(commands.ImportStays(tuple(rows), partial, dry_run, leader_office(user)))
    return import_answer(result, partial=partial)


RUN_NOT_FOUND = "Fant ikke importen."


def leader_office(user: User) -> str | None:
    """An office leader imports their own office's rows only (an admin: every office's)."""
    return user.office_id if user.role == Role.OFFICE_LEADER else None


async def start_run(request: Request, bus: MessageBus, rows: list[tuple[int, dict]], *, partial: bool, user: User,
                    file_name: str = "") -> StartedRun:
    """Check the whole file; unless refused, start its background writer in this process (the run's progress is
    in the database, for every process to read)."""
    started = await bus.handle(commands.StartImportRun(uuid4(), tuple(rows), partial, leader_office(user),
                                                       file_name[:200]))
    if started.run_id is not None and started.stays:
        task = asyncio.create_task(imports.run_import(bus, started.run_id, started.stays, partial=partial))
        request.app.state.import_runs.add(task)  # held until done (the loop keeps only weak references)
        task.add_done_callback(request.app.state.import_runs.discard)
    return started


async def run_for(user: User, run_id: UUID, queries: PlacementQueries) -> ImportRunRow:
    """The run, when this user may see it: an admin every run, an office leader their office's."""
    run = await queries.import_run(run_id)
    if run is None or (user.role != Role.ADMIN and run.office_id is None):
        raise NotFound(RUN_NOT_FOUND, "run_id")
    if run.office_id is not None:
        may_see(user, run.office_id, "run_id")
    return run


@router.post("/stays/runs", status_code=202, response_model=ImportRunOut, responses={
    413: {"description": "Over 50 MB."},
    422: {"model": ImportRejectedOut | FileRejectedOut,
          "description": "A bad row (nothing written) or not the format at all (JSON), or a bad query parameter "
                         "(a problem)."}}, openapi_extra=CSV_BODY)
async def start_stays_run(request: Request, user: ProviderAdmin, bus: Bus, queries: Queries,
                          partial: bool = PARTIAL):
    """Import a whole stay history file as a run: every row is checked at once (a bad row refuses the file as
    `POST /stays` does, unless `partial`), then the new stays are written in the background in chunks, each in
    its own transaction; `GET /stays/runs/{run_id}` tells how far it has come."""
    data = await read_capped(request, IMPORT_MAX_BYTES)
    if data is None:
        return answer(request, 413, TOO_LARGE_NB, [FieldProblem(loc=["body"], msg=TOO_LARGE_NB, type="too_large")])
    try:
        rows = csv_files.read(data)
    except history.HeaderError as exc:
        return file_rejected(exc)
    started = await start_run(request, bus, rows, partial=partial, user=user)
    if started.run_id is None:
        return import_answer(started.check, partial=partial)
    return ImportRunOut.of(await queries.import_run(started.run_id), now=clock.now())


@router.get("/stays/runs/{run_id}", response_model=ImportRunOut)
async def stays_run(run_id: UUID, user: ProviderAdmin, queries: Queries):
    """How far a history import run has come."""
    return ImportRunOut.of(await run_for(user, run_id, queries), now=clock.now())


@router.post("/providers", response_model=ProvidersImportOut, responses={
    413: {"description": "Over 5 MB."},
    422: {"model": ProvidersImportRejectedOut | FileRejectedOut,
          "description": "Problems in the rows (nothing written) or not the format at all (JSON), or a bad query "
                         "parameter (a problem)."}}, openapi_extra=CSV_BODY)
async def import_providers(request: Request, _user: ProviderAdmin, bus: Bus, partial: bool = PARTIAL,
                           dry_run: bool = DRY_RUN):
    """Register and change providers, their agreements and units from a CSV file, through the same use cases
    (and events) as the provider's page; the same file twice changes nothing. By default any problem rejects the
    file (422, nothing written); the answer lists every problem with its line and column (a dry run: all of
    them at once, writing nothing) and every registration and change the import makes (or would make)."""
    data = await read_capped(request, PROVIDERS_MAX_BYTES)
    if data is None:
        return answer(request, 413, PROVIDERS_TOO_LARGE_NB,
                      [FieldProblem(loc=["body"], msg=PROVIDERS_TOO_LARGE_NB, type="too_large")])
    try:
        rows = csv_files.read(data, check_header=provider_import.check_header)
    except history.HeaderError as exc:
        return file_rejected(exc)
    result = await bus.handle(commands.ImportProviders(tuple(rows), partial, dry_run))
    body = providers_answer(result, partial=partial)
    return providers_rejected(body, result) if result.rejected and not partial else body
