"""The stay history import (CSV, ../shared/formats/stays-import.md): office leaders (their own office's rows)
and admins. The body is read as it streams in and refused at the cap; the answer lists line numbers and
reasons, a bounded number of them, never the input."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response

from kit.auth import Role
from kit.problems import FieldProblem, answer
from services.placement.adapters import stays_csv
from services.placement.domain import commands, history
from services.placement.entrypoints.answers import (
    FileRejectedOut,
    ImportOut,
    ImportRejectedOut,
    RejectedRowOut,
    UnknownNameOut,
)
from services.placement.entrypoints.deps import Bus, ProviderAdmin
from services.placement.entrypoints.schemas import FirstLine
from services.placement.service_layer.imports import ImportResult

router = APIRouter(prefix="/api/imports", tags=["imports"])

IMPORT_MAX_BYTES = 50 * 1024 * 1024
TOO_LARGE_NB = "Filen er for stor (over 50 MB): del den opp."
LISTED_ROWS = 100  # bad rows listed in an answer; `rejected_count` has them all
LISTED_NAMES = 50  # unknown offices and providers listed
LISTED_STAY_IDS = 1000


async def read_capped(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it passes `limit` bytes (what was declared or what has arrived)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def document_answers(app: FastAPI) -> None:
    """The import refuses a bad file with its own JSON (the rows at fault; `detail` a list), not as a problem:
    say so next to the problem the kit documents for every error (here: a bad query parameter)."""
    generate = app.openapi

    def openapi() -> dict:
        schema = generate()
        response = schema["paths"][router.prefix + "/stays"]["post"]["responses"]["422"]
        response["content"].setdefault("application/json", {"schema": {"anyOf": [
            {"$ref": f"#/components/schemas/{model.__name__}"} for model in (ImportRejectedOut, FileRejectedOut)]}})
        return schema

    app.openapi = openapi


def import_answer(result: ImportResult, *, partial: bool) -> Response | ImportOut:
    listed = result.rejected[:LISTED_ROWS]
    body = ImportOut(
        rows=result.rows, stays_created=0 if result.dry_run else len(result.created),
        stays_to_create=len(result.created) if result.dry_run else None, already_imported=result.already_imported,
        written=result.written, dry_run=result.dry_run, partial=partial,
        rejected=[RejectedRowOut(line=e.line, reason=e.reason, field=e.field, unknown=e.unknown is not None)
                  for e in listed],
        rejected_count=len(result.rejected),
        unknown=[UnknownNameOut(field=u.field, name=u.name, lines=list(u.lines), count=u.count,
                                what_to_do=u.what_to_do) for u in result.unknown[:LISTED_NAMES]],
        stay_ids=result.created[:LISTED_STAY_IDS])
    if result.rejected and not partial:
        detail = [{"loc": ["body", f"line {e.line}"] + ([e.field] if e.field else []),
                   "msg": f"Linje {e.line}: {e.reason}", "type": "bad_row"} for e in listed]
        return JSONResponse(ImportRejectedOut(**body.model_dump(), detail=detail).model_dump(mode="json"),
                            status_code=422)
    return body


@router.post("/stays", response_model=ImportOut, responses={
    413: {"description": "Over 50 MB."},
    422: {"model": ImportRejectedOut | FileRejectedOut,
          "description": "A bad row (nothing written) or not the format at all (JSON), or a bad query parameter "
                         "(a problem)."}},
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}})
async def import_stays(request: Request, user: ProviderAdmin, bus: Bus,
                       partial: bool = Query(False, description="Import the good rows, report the bad ones."),
                       dry_run: bool = Query(False, description="Check every row, write nothing."),
                       first_line: FirstLine = 2):
    """Import stay history. By default one bad row rejects the file (422, nothing written); the answer lists the
    bad rows with their line numbers and reasons (the first 100; `rejected_count` has them all) and each
    unknown office or provider once, with the lines naming it and what to do."""
    data = await read_capped(request, IMPORT_MAX_BYTES)
    if data is None:
        return answer(request, 413, TOO_LARGE_NB, [FieldProblem(loc=["body"], msg=TOO_LARGE_NB, type="too_large")])
    try:
        rows = stays_csv.read(data, first_line=first_line)
    except history.HeaderError as exc:
        return JSONResponse({"detail": [{"loc": ["body"], "msg": str(exc), "type": "format"}]}, status_code=422)
    result = await bus.handle(commands.ImportStays(
        tuple(rows), partial, dry_run, user.office_id if user.role == Role.OFFICE_LEADER else None))
    return import_answer(result, partial=partial)
