"""API: what is approved goes out — the payment export (CSV) and the spend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fastapi import APIRouter
from fastapi.responses import Response

from kit.exports import CSV_TYPE, to_csv
from services.billing.adapters.queries import ApprovedLine
from services.billing.entrypoints.deps import Finance, Queries, SpendReader
from services.billing.entrypoints.schemas import SpendOut

router = APIRouter(prefix="/api", tags=["export"])
EXPORT_COLUMNS = ["invoice_id", "kind", "supplier_orgnr", "supplier_name", "invoice_number", "issue_date",
                  "approved_at", "line", "requisition", "office_id", "agreement_kind", "first_night", "last_night",
                  "nights", "amount"]


@dataclass(frozen=True)
class Kroner:
    """An amount written with two decimals. Not text, so `kit.exports` writes it as it is (a number is no
    formula); a Decimal it would turn into a float, and 3000.00 would lose its øre."""

    value: Decimal

    def __str__(self) -> str:
        return f"{self.value:.2f}"


def export_rows(lines: list[ApprovedLine]) -> list[tuple]:
    rows = []
    for r in lines:
        sign = -1 if r.kind == "credit_note" else 1
        rows.append((str(r.invoice_id), r.kind, r.supplier_orgnr, r.supplier_name, r.invoice_number, r.issue_date,
                     r.approved_at.isoformat(), r.position, r.requisition_number, r.office_id, r.agreement_kind,
                     r.first_night, r.last_night, sign * r.payable_nights, Kroner(r.payable_amount)))
    return rows


@router.get("/export.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "One row per approved invoice line."}})
async def export(user: Finance, queries: Queries, since: date | None = None, until: date | None = None) -> Response:
    """Approved amounts per invoice line, for payment and accounting (format in docs/billing.md); `since` and
    `until` are approval dates (in Norway), both included."""
    body = to_csv(EXPORT_COLUMNS, export_rows(await queries.approved_lines(since, until)))
    return Response(body, media_type=CSV_TYPE,
                    headers={"content-disposition": 'attachment; filename="godkjente-fakturaer.csv"'})


@router.get("/spend", response_model=SpendOut)
async def spend(user: SpendReader, queries: Queries) -> SpendOut:
    """Approved spend per provider and per agreement kind; `outside_agreements` is kind `none`."""
    return SpendOut.of(await queries.spend())
