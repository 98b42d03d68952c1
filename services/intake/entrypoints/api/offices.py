"""The office registry: every logged-in user reads it (no personal data); an administrator registers, changes
and closes offices, one by one or from a CSV file (../shared/formats/offices-import.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import AfterValidator

from kit.problems import FieldProblem, Problem, ProblemResponse, answer
from kit.uploads import read_capped
from services.intake.adapters import offices_csv
from services.intake.domain.commands import ChangeOffice, CloseOffice, ImportOffices, RegisterOffice
from services.intake.domain.errors import NotFound
from services.intake.domain.office_import import FileError
from services.intake.entrypoints.deps import Admin, Anyone, Bus, Municipalities, Queries, actor_of
from services.intake.entrypoints.mapping import import_out, office_details, office_out
from services.intake.entrypoints.schemas import OfficeImportOut, OfficeIn, OfficeOut
from services.intake.entrypoints.text import single_line

router = APIRouter(prefix="/api/offices", tags=["offices"])

OfficeIdPath = Annotated[str, Path(max_length=64, description="The office's id, e.g. `nav-sagene`."),
                         AfterValidator(single_line)]
IMPORT_MAX_BYTES = 2 * 1024 * 1024
TOO_LARGE_NB = "Filen er for stor (over 2 MB). En fil med Nav-kontorer er noen få kilobyte."


class OfficeImportProblem(Problem):
    """The file was refused (nothing written): each bad row in `errors` (`loc`: body, the line, the column),
    and the whole answer of the import in `result`."""

    result: OfficeImportOut


@router.get("", response_model=list[OfficeOut])
async def list_offices(user: Anyone, queries: Queries, municipalities: Municipalities):
    """Every registered office, closed ones too (by municipality, then name)."""
    return [office_out(o, municipalities) for o in await queries.offices()]


@router.post("", status_code=201, response_model=OfficeOut)
async def register_office(body: OfficeIn, user: Admin, bus: Bus, municipalities: Municipalities):
    """Register an office; its id is made from its name. The same name twice in a municipality is refused
    (409); an unknown municipality number, a district outside Oslo, a bad phone or e-mail address: 422."""
    office = await bus.handle(RegisterOffice(actor_of(user), office_details(body)))
    return office_out(office, municipalities)


@router.post("/import", response_model=OfficeImportOut, responses={
    413: {"description": "Over 2 MB."},
    422: {"model": OfficeImportProblem, "description": "Not the format, or a bad row (nothing written unless "
                                                       "`partial`); every bad row in `errors`."}},
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}})
async def import_offices(request: Request, user: Admin, bus: Bus,
                         partial: bool = Query(False, description="Import the good rows, report the bad ones."),
                         dry_run: bool = Query(False, description="Check every row and say what would happen; "
                                                                  "write nothing.")):
    """Register and change offices from a CSV file. An office is its name within its municipality: the same
    file twice changes nothing, changed fields update. One bad row rejects the file (422, nothing written)
    unless `partial`; the answer lists every bad row with its line and reason."""
    data = await read_capped(request, IMPORT_MAX_BYTES)
    if data is None:
        return answer(request, 413, TOO_LARGE_NB, [FieldProblem(loc=["body"], msg=TOO_LARGE_NB, type="too_large")])
    try:
        rows = offices_csv.read(data)
    except FileError as exc:
        return answer(request, 422, str(exc), [FieldProblem(loc=["body"], msg=str(exc), type="format")])
    result = import_out(await bus.handle(ImportOffices(actor_of(user), tuple(rows), partial, dry_run)))
    if result.rejected and not partial:
        detail = (f"Filen ble avvist: {result.rejected_count} ugyldige rader. Ingenting er lagret."
                  if not dry_run else f"Prøvekjøring: {result.rejected_count} ugyldige rader.")
        problem = OfficeImportProblem(
            title="Opplysningene kan ikke brukes", status=422, detail=detail, instance=request.url.path,
            errors=[FieldProblem(loc=["body", f"line {e.line}", *([e.field] if e.field else [])],
                                 msg=f"Linje {e.line}: {e.reason}", type="bad_row") for e in result.rejected],
            result=result)
        return ProblemResponse(problem.model_dump(mode="json"), status_code=422)
    return result


@router.get("/{office_id}", response_model=OfficeOut)
async def get_office(office_id: OfficeIdPath, user: Anyone, queries: Queries, municipalities: Municipalities):
    office = await queries.office(office_id)
    if office is None:
        raise NotFound("Fant ikke Nav-kontoret.", "office_id")
    return office_out(office, municipalities)


@router.put("/{office_id}", response_model=OfficeOut)
async def change_office(office_id: OfficeIdPath, body: OfficeIn, user: Admin, bus: Bus,
                        municipalities: Municipalities):
    """Change an office's details (its id and municipality stay). An event goes out only if anything changed."""
    office = await bus.handle(ChangeOffice(actor_of(user), office_id, office_details(body)))
    return office_out(office, municipalities)


@router.post("/{office_id}/close", response_model=OfficeOut)
async def close_office(office_id: OfficeIdPath, user: Admin, bus: Bus, municipalities: Municipalities):
    """Close an office: it takes no new applications; its cases and history stay."""
    return office_out(await bus.handle(CloseOffice(actor_of(user), office_id)), municipalities)


