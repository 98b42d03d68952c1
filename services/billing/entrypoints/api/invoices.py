"""API: supplier invoices in (import) and read."""

from __future__ import annotations

from fastapi import APIRouter, Request

from kit.paging import PageOut
from kit.uploads import read_capped
from services.billing.adapters.ehf import MAX_DOCUMENT_BYTES
from services.billing.domain.commands import ImportDocuments
from services.billing.domain.errors import DocumentTooLarge
from services.billing.entrypoints.deps import Bus, Finance, FinanceInvoice, Queries
from services.billing.entrypoints.lists import InvoiceFiltersApi, InvoicePaging
from services.billing.entrypoints.schemas import Imported, InvoiceOut, InvoiceSummary

router = APIRouter(prefix="/api/invoices", tags=["invoices"])
SLACK = 64 * 1024  # headers and framing around a document at the limit


async def read_limited(request: Request, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The request body, refused (413) as soon as it passes the limit: a 50 MB upload is never held whole."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + SLACK:
        raise DocumentTooLarge(f"Dokumentet er {int(declared) // 1024} kB; grensen er {limit // 1024} kB.")
    data = await read_capped(request, limit + SLACK)
    if data is None:
        raise DocumentTooLarge(f"Dokumentet er over grensen på {limit // 1024} kB.")
    return data


async def import_file(bus: Bus, queries: Queries, data: bytes, filename: str, content_type: str,
                      username: str, name: str | None = None) -> list:
    """Import through the bus; the stored invoices as the queries read them."""
    ids = await bus.handle(ImportDocuments(data, filename[:200], content_type[:200], username, name))
    return [await queries.invoice(invoice_id) for invoice_id in ids]


@router.post("", status_code=201, response_model=Imported,
             openapi_extra={"requestBody": {"content": {"application/xml": {}, "text/csv": {}}}})
async def import_invoices(request: Request, user: Finance, bus: Bus, queries: Queries) -> Imported:
    """Import a supplier file: EHF (PEPPOL BIS Billing 3.0 Invoice or CreditNote) or billing's CSV, as the
    raw request body. Each invoice is reconciled at once; the answer holds status and lines."""
    data = await read_limited(request)
    invoices = await import_file(bus, queries, data, request.headers.get("x-filename", ""),
                                 request.headers.get("content-type", ""), user.username,
                                 user.name or None)
    return Imported(invoices=[InvoiceOut.of(i) for i in invoices])


@router.get("", response_model=PageOut[InvoiceSummary])
async def list_invoices(user: Finance, queries: Queries, paging: InvoicePaging,
                        filters: InvoiceFiltersApi) -> PageOut[InvoiceSummary]:
    """One page of the invoices (`page`, `page_size` 1–200, default 50), newest first unless `sort` says
    otherwise, narrowed by `status` (the reconciliation), `decided`, `supplier` (its organisation number or a
    part of its name) and the days received `received_from`–`received_to`; `total` counts them all."""
    return PageOut.of(await queries.invoices(paging, filters), InvoiceSummary.of)


@router.get("/{invoice_id}", response_model=InvoiceOut)
async def get_invoice(invoice: FinanceInvoice) -> InvoiceOut:
    return InvoiceOut.of(invoice)
