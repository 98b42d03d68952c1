"""API: what is approved goes out — payment exports (a period, what is due in it, the export made once and its
file downloaded as often as needed) and the spend."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response

from kit import clock
from kit.exports import CSV_TYPE
from kit.problems import PROBLEM_JSON, Problem
from services.billing.adapters import payment_file
from services.billing.domain.commands import CreatePaymentExport
from services.billing.domain.errors import NotFound
from services.billing.domain.payments import check_period, total_of
from services.billing.entrypoints.deps import Bus, Finance, Queries, SpendReader
from services.billing.entrypoints.schemas import DueOut, ExportPeriod, PaymentExportOut, SpendOut

router = APIRouter(prefix="/api", tags=["export"])
PROBLEMS = {s: {"model": Problem, "content": {PROBLEM_JSON: {}}} for s in (403, 404, 409, 422)}


@router.get("/exports", response_model=list[PaymentExportOut], responses=PROBLEMS)
async def exports(user: Finance, queries: Queries) -> list[PaymentExportOut]:
    """The payment exports made, newest first (the latest 100)."""
    return [PaymentExportOut.of(e) for e in await queries.exports()]


@router.get("/exports/due", response_model=DueOut, responses=PROBLEMS)
async def due(user: Finance, queries: Queries, period_from: Annotated[date, Query()],
              period_to: Annotated[date, Query()]) -> DueOut:
    """What an export of the period would pay now: lines of invoices approved in it not exported before."""
    check_period(period_from, period_to, clock.today())
    lines = await queries.due_lines(period_from, period_to)
    return DueOut(period_from=period_from, period_to=period_to, lines=len(lines), total=total_of(lines))


@router.post("/exports", response_model=PaymentExportOut, status_code=201, responses=PROBLEMS)
async def create(body: ExportPeriod, user: Finance, bus: Bus) -> PaymentExportOut:
    """Export for payment what was approved in the period and not exported before; each line is marked with the
    export, so a later export of an overlapping period leaves it out. Nothing new: 409; a bad period: 422."""
    export = await bus.handle(CreatePaymentExport(body.period_from, body.period_to, user.username,
                                                  user.name or None))
    return PaymentExportOut.of(export)


@router.get("/exports/{export_id}.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "The export's file, one row per line."},
                       **PROBLEMS})
async def export_file(export_id: UUID, user: Finance, queries: Queries) -> Response:
    """The export's file (format in docs/billing.md), the same bytes at every download."""
    found = await queries.export_file(export_id)
    if found is None:
        raise NotFound("Eksporten finnes ikke.", field="export_id")
    return Response(found.content, media_type=CSV_TYPE, headers={
        "content-disposition": f'attachment; filename="{payment_file.file_name(found.export)}"'})


@router.get("/spend", response_model=SpendOut)
async def spend(user: SpendReader, queries: Queries) -> SpendOut:
    """Approved spend per provider and per agreement kind; `outside_agreements` is kind `none`."""
    return SpendOut.of(await queries.spend())
