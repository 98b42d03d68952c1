"""Pages: finance's invoice inbox and upload, and one invoice with its lines beside their requisitions and stays
(adjust a line, approve, dispute). Errors are shown next to the field, with what was typed kept."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from kit.auth import User
from kit.paging import PAGE_NAMES, Paging
from kit.uploads import UploadRefused, form_upload
from services.billing.adapters.ehf import MAX_DOCUMENT_BYTES
from services.billing.adapters.queries import INVOICE_SORTING, BillingQueries, InvoiceFilters
from services.billing.domain.commands import AdjustLine, ApproveInvoice, DisputeInvoice
from services.billing.domain.errors import BillingError, DocumentRefused, DocumentTooLarge, NotFound, RuleBroken
from services.billing.entrypoints.api.invoices import import_file
from services.billing.entrypoints.deps import Bus, Finance, LinePosition, Queries
from services.billing.entrypoints.errors import status_of
from services.billing.entrypoints.lists import InvoiceFiltersPage, InvoicePagingPage
from services.billing.entrypoints.pages.common import pages

router = APIRouter(include_in_schema=False)
MAX_FIELD = 4000  # a form field longer than any comment is refused before it is read further


async def inbox(request: Request, user: User, queries: BillingQueries, error: str | None = None,
                status_code: int = 200, paging: Paging | None = None, filters: InvoiceFilters = InvoiceFilters()):
    """One page of the invoices, filtered, with the upload form (its error, after a refused upload)."""
    paging = paging or Paging(sort=INVOICE_SORTING.default, names=PAGE_NAMES)
    result = await queries.invoices(paging, filters)
    return pages.TemplateResponse(request, "invoices.html", {
        "user": user, "invoices": result.items, "result": result, "paging": paging,
        "filters": dict(request.query_params) if request.method == "GET" else {}, "error": error,
        "limit_kb": MAX_DOCUMENT_BYTES // 1024}, status_code=status_code)


async def invoice_page_response(request: Request, user: User, queries: BillingQueries, invoice_id: UUID,
                                errors: dict | None = None, typed: dict | None = None, status_code: int = 200):
    invoice = await queries.invoice(invoice_id)
    if invoice is None:
        raise NotFound("Fakturaen finnes ikke.", field="invoice_id")
    context = await queries.invoice_context(invoice)
    return pages.TemplateResponse(request, "invoice.html", {
        "user": user, "invoice": invoice, "requisitions": context.requisitions, "stays": context.stays,
        "decisions": context.decisions, "errors": errors or {}, "typed": typed or {}}, status_code=status_code)


async def form_fields(request: Request, *names: str) -> dict[str, str]:
    form = await request.form(max_files=0, max_fields=10)
    values = {name: str(form.get(name, "")) for name in names}
    too_long = [name for name, value in values.items() if len(value) > MAX_FIELD]
    if too_long:
        raise RuleBroken(f"Feltet er for langt (høyst {MAX_FIELD} tegn).", field=too_long[0])
    return values


@router.get("/invoices", response_class=HTMLResponse)
async def inbox_page(request: Request, user: Finance, queries: Queries, paging: InvoicePagingPage,
                     filters: InvoiceFiltersPage):
    return await inbox(request, user, queries, paging=paging, filters=filters)


@router.post("/invoices", response_class=HTMLResponse)
async def upload(request: Request, user: Finance, bus: Bus, queries: Queries):
    try:
        try:
            document = await form_upload(
                request, MAX_DOCUMENT_BYTES, field="document", missing_nb="Velg en fil (EHF-XML eller CSV).",
                too_large_nb=f"Filen er for stor; grensen er {MAX_DOCUMENT_BYTES // 1024} kB.")
        except UploadRefused as exc:
            raise (DocumentTooLarge if exc.too_large else DocumentRefused)(str(exc)) from None
        invoices = await import_file(bus, queries, document.data, document.filename, document.content_type,
                                     user.username, user.name or None)
    except DocumentRefused as exc:
        return await inbox(request, user, queries, error=str(exc), status_code=status_of(exc))
    target = f"/billing/invoices/{invoices[0].id}" if len(invoices) == 1 else "/billing/invoices"
    return RedirectResponse(target, status_code=303)


@router.get("/invoices/{invoice_id}", response_class=HTMLResponse)
async def invoice_page(request: Request, invoice_id: UUID, user: Finance, queries: Queries):
    return await invoice_page_response(request, user, queries, invoice_id)


@router.post("/invoices/{invoice_id}/lines/{position}", response_class=HTMLResponse)
async def adjust_form(request: Request, invoice_id: UUID, position: LinePosition, user: Finance, bus: Bus,
                      queries: Queries):
    typed = {"position": position, "payable_amount": "", "comment": ""}
    try:
        fields = await form_fields(request, "payable_amount", "comment")
        typed.update(payable_amount=fields["payable_amount"].strip(), comment=fields["comment"])
        try:
            amount = Decimal(typed["payable_amount"].replace(" ", "").replace(",", "."))
        except InvalidOperation:
            raise RuleBroken("Skriv et beløp, for eksempel 1500,00.", field="payable_amount") from None
        await bus.handle(AdjustLine(invoice_id, position, amount, typed["comment"], user.username,
                                    user.name or None))
    except BillingError as exc:
        if isinstance(exc, NotFound) and exc.field == "invoice_id":
            raise
        where = exc.field if exc.field in ("payable_amount", "comment") else "form"
        return await invoice_page_response(request, user, queries, invoice_id, {where: str(exc)}, typed,
                                           status_of(exc))
    return RedirectResponse(f"/billing/invoices/{invoice_id}#linje-{position}", status_code=303)


@router.post("/invoices/{invoice_id}/decision", response_class=HTMLResponse)
async def decision_form(request: Request, invoice_id: UUID, user: Finance, bus: Bus, queries: Queries):
    comment = ""
    try:
        fields = await form_fields(request, "action", "comment")
        comment = fields["comment"]
        commands = {"approve": ApproveInvoice, "dispute": DisputeInvoice}
        if fields["action"] not in commands:
            raise RuleBroken("Velg godkjenn eller avvis.", field="action")
        await bus.handle(commands[fields["action"]](invoice_id, comment, user.username, user.name or None))
    except BillingError as exc:
        if isinstance(exc, NotFound) and exc.field == "invoice_id":
            raise
        return await invoice_page_response(request, user, queries, invoice_id, {"decision": str(exc)},
                                           {"decision_comment": comment}, status_of(exc))
    return RedirectResponse(f"/billing/invoices/{invoice_id}", status_code=303)
