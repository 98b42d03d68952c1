"""Billing's HTTP API and pages: requisitions (list, PDF), supplier invoices (import, reconcile, settle), export."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Literal
from uuid import UUID

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from kit.auth import Role, User, api_user, page_user, require_office, require_role
from kit.problems import install_error_handlers
from kit.templating import templates
from services.billing.adapters import requisition_pdf
from services.billing.adapters.ehf import MAX_DOCUMENT_BYTES
from services.billing.domain.commands import AdjustLine, DecideInvoice, ImportDocuments
from services.billing.domain.finance import Invoice
from services.billing.domain.invoice import BillingRuleBroken, DocumentRefused
from services.billing.domain.model import Requisition
from services.billing.service_layer import handlers

READERS = (Role.CASE_WORKER, Role.OFFICE_LEADER, Role.FINANCE, Role.ADMIN)
FINANCE = (Role.FINANCE, Role.ADMIN)
STATUS_NB = {"matched": "Avstemt", "adjusted": "Justert", "disputed": "Omstridt"}
DECISION_NB = {"approved": "Godkjent", "disputed": "Avvist"}
KIND_NB = {"invoice": "Faktura", "credit_note": "Kreditnota"}
FINDING_NB = {
    "unknown_requisition": "Ukjent rekvisisjon", "requisition_closed": "Rekvisisjonen er lukket",
    "nights_outside_period": "Netter utenfor perioden", "nights_before_check_in": "Netter før innsjekk",
    "nights_after_move_out": "Netter etter utflytting", "price_above_agreement": "Pris over avtalen",
    "nights_billed_twice": "Netter fakturert to ganger", "duplicate_invoice": "Faktura mottatt før",
    "arithmetic_error": "Regnefeil", "supplier_mismatch": "Feil leverandør", "invalid_document": "Ugyldig dokument",
}
EXPORT_COLUMNS = ("invoice_id", "kind", "supplier_orgnr", "supplier_name", "invoice_number", "issue_date",
                  "approved_at", "line", "requisition", "office_id", "agreement_kind", "first_night", "last_night",
                  "nights", "amount")


class Settle(BaseModel):
    comment: str = Field("", max_length=2000)


class Adjust(BaseModel):
    payable_amount: Decimal = Field(ge=0, description="What the line pays, NOK (at most what it claims).")
    comment: str = Field(..., min_length=1, max_length=2000)


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


Money = Annotated[Decimal, PlainSerializer(money, return_type=str)]  # NOK as "850.00", like the invoices


class RequisitionOut(BaseModel):
    """A requisition as the API shows it (the response is serialised by pydantic, not field by field)."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    number: str
    stay_id: UUID
    household_id: UUID
    office_id: str
    provider_id: UUID
    provider_name: str
    provider_orgnr: str
    unit_id: UUID
    agreement_kind: str
    period_from: date
    period_to: date
    price_per_night: Money
    status: str
    closed_from: date | None
    nights: int
    max_amount: Money


def invoice_json(i: Invoice, *, lines: bool = True) -> dict:
    body = {
        "invoice_id": str(i.id), "kind": i.kind, "format": i.format, "invoice_number": i.invoice_number,
        "supplier_orgnr": i.supplier_orgnr, "supplier_name": i.supplier_name, "issue_date": str(i.issue_date),
        "status": i.status, "decision": i.decision, "claimed": money(i.claimed), "payable": money(i.payable),
        "approved_amount": money(i.approved_amount), "findings": i.codes, "duplicate_of":
        str(i.duplicate_of) if i.duplicate_of else None, "received_at": i.received_at.isoformat(),
        "comment": i.comment,
        "document_findings": [{"code": f["code"], "message": f["message"]} for f in i.findings if f["message"]],
        "failed_rules": [{"id": f["id"], "flag": f["flag"], "text": f["text"]} for f in i.failed_rules],
    }
    if lines:
        body["lines"] = [{
            "position": x.position, "line_id": x.line_id, "requisition": x.requisition_number,
            "first_night": str(x.first_night) if x.first_night else None,
            "last_night": str(x.last_night) if x.last_night else None,
            "claimed_nights": x.claimed_nights, "payable_nights": x.payable_nights,
            "claimed_price": money(x.claimed_price), "claimed_amount": money(x.claimed_amount),
            "payable_amount": money(x.payable_amount), "status": x.status, "findings": x.codes,
            "reasons": [f["message"] for f in x.findings], "comment": x.comment} for x in i.lines]
    return body


def export_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for r in rows:
        sign = -1 if r["kind"] == "credit_note" else 1
        writer.writerow([r["invoice_id"], r["kind"], r["supplier_orgnr"], r["supplier_name"], r["invoice_number"],
                         r["issue_date"], r["approved_at"].isoformat(), r["position"], r["requisition_number"] or "",
                         r["office_id"] or "", r["agreement_kind"] or "", r["first_night"] or "",
                         r["last_night"] or "", sign * r["payable_nights"], f"{r['payable_amount']:.2f}"])
    return out.getvalue()


async def read_limited(request: Request, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The request body, refused (413) as soon as it passes the limit: a 50 MB upload is never held whole."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise DocumentRefused(f"Dokumentet er {int(declared) // 1024} kB; grensen er {limit // 1024} kB.",
                              status_code=413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit + 64 * 1024:
            raise DocumentRefused(f"Dokumentet er over grensen på {limit // 1024} kB.", status_code=413)
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(uow_factory, price_tolerance: Decimal = Decimal(0)) -> FastAPI:
    app = FastAPI(title="Botilbud billing", version="1", description="Rekvisisjoner og fakturaer.")
    pages = templates(Path(__file__).parent / "templates")
    pages.env.globals.update(status_nb=STATUS_NB, decision_nb=DECISION_NB, kind_nb=KIND_NB, finding_nb=FINDING_NB)
    pages.env.filters["kr"] = lambda v: "–" if v is None else f"{v:,.2f}".replace(",", " ").replace(".", ",")
    pages.env.filters["d"] = lambda v: v.strftime("%d.%m.%Y") if v else "–"
    install_error_handlers(app, {DocumentRefused: 422, BillingRuleBroken: 409})

    async def visible_requisitions(user: User, **filters) -> list[Requisition]:
        require_role(user, *READERS)
        async with uow_factory() as uow:
            # Case workers and leaders see their own office's; finance sees all.
            return await uow.repo.list(user.office_id if user.role in (Role.CASE_WORKER, Role.OFFICE_LEADER)
                                       else None, **filters)

    async def load_invoice(invoice_id: UUID) -> tuple[Invoice, dict, dict, list]:
        async with uow_factory() as uow:
            invoice = await uow.repo.get_invoice(invoice_id)
            if invoice is None:
                raise HTTPException(404, "Fakturaen finnes ikke.")
            requisitions, stays = {}, {}
            for line in invoice.lines:
                if line.requisition_id and line.requisition_id not in requisitions:
                    r = await uow.repo.get_by_id(line.requisition_id)
                    requisitions[line.requisition_id] = r
                    stays[line.requisition_id] = await uow.repo.get_stay(r.stay_id) if r else None
            return invoice, requisitions, stays, await uow.repo.decisions(invoice_id)

    async def do_import(data: bytes, filename: str, content_type: str, user: User) -> list[Invoice]:
        return await handlers.import_documents(ImportDocuments(data, filename, content_type, user.username),
                                               uow_factory, price_tolerance)

    # --- API: requisitions -----------------------------------------------------------------------------
    @app.get("/api/requisitions", tags=["requisitions"], response_model=list[RequisitionOut])
    async def list_requisitions(
            user: User = Depends(api_user),
            stay_id: Annotated[UUID | None, Query(description="Only the requisitions of this stay.")] = None,
            status: Annotated[Literal["open", "closed"] | None, Query()] = None,
            limit: Annotated[int, Query(ge=1, le=5000, description="At most this many, newest first.")] = 1000,
            offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0):
        return await visible_requisitions(user, stay_id=stay_id, status=status, limit=limit, offset=offset)

    @app.get("/api/requisitions/{number}.pdf", tags=["requisitions"], response_class=Response)
    async def requisition_pdf_file(number: str, user: User = Depends(api_user)):
        require_role(user, *READERS)
        async with uow_factory() as uow:
            r = await uow.repo.get_by_number(number)
            if r is None:
                raise HTTPException(404, "Rekvisisjonen finnes ikke.")
            require_office(user, r.office_id)
            stay = await uow.repo.get_stay(r.stay_id)
        return Response(requisition_pdf.render(r, stay), media_type="application/pdf",
                        headers={"content-disposition": f'inline; filename="rekvisisjon-{r.number}.pdf"'})

    # --- API: invoices ---------------------------------------------------------------------------------
    @app.post("/api/invoices", tags=["invoices"], status_code=201,
              openapi_extra={"requestBody": {"content": {"application/xml": {}, "text/csv": {}}}})
    async def import_invoices(request: Request, user: User = Depends(api_user)):
        """Import a supplier file: EHF (PEPPOL BIS Billing 3.0 Invoice or CreditNote) or billing's CSV, as the
        raw request body. Each invoice is reconciled at once; the answer holds status and lines."""
        require_role(user, *FINANCE)
        data = await read_limited(request)
        name = request.headers.get("x-filename", "")
        invoices = await do_import(data, name, request.headers.get("content-type", ""), user)
        return {"invoices": [invoice_json(i) for i in invoices]}

    @app.get("/api/invoices", tags=["invoices"])
    async def list_invoices(user: User = Depends(api_user)):
        require_role(user, *FINANCE)
        async with uow_factory() as uow:
            return [invoice_json(i, lines=False) for i in await uow.repo.list_invoices()]

    @app.get("/api/invoices/{invoice_id}", tags=["invoices"])
    async def get_invoice(invoice_id: UUID, user: User = Depends(api_user)):
        require_role(user, *FINANCE)
        invoice, *_ = await load_invoice(invoice_id)
        return invoice_json(invoice)

    @app.post("/api/invoices/{invoice_id}/lines/{position}/adjust", tags=["invoices"])
    async def adjust(invoice_id: UUID, position: int, body: Adjust, user: User = Depends(api_user)):
        require_role(user, *FINANCE)
        invoice = await handlers.adjust_line(AdjustLine(invoice_id, position, body.payable_amount, body.comment,
                                                        user.username), uow_factory)
        return invoice_json(invoice)

    @app.post("/api/invoices/{invoice_id}/approve", tags=["invoices"])
    async def approve(invoice_id: UUID, body: Settle, user: User = Depends(api_user)):
        require_role(user, *FINANCE)
        return invoice_json(await handlers.decide_invoice(DecideInvoice(invoice_id, "approve", body.comment,
                                                                        user.username), uow_factory))

    @app.post("/api/invoices/{invoice_id}/dispute", tags=["invoices"])
    async def dispute(invoice_id: UUID, body: Settle, user: User = Depends(api_user)):
        require_role(user, *FINANCE)
        return invoice_json(await handlers.decide_invoice(DecideInvoice(invoice_id, "dispute", body.comment,
                                                                        user.username), uow_factory))

    @app.get("/api/export.csv", tags=["export"], response_class=Response)
    async def export(user: User = Depends(api_user), since: date | None = None, until: date | None = None):
        """Approved amounts per invoice line, for payment and accounting (format in docs/billing.md)."""
        require_role(user, *FINANCE)
        async with uow_factory() as uow:
            rows = await uow.repo.approved_lines(since, until)
        return Response(export_csv(rows).encode("utf-8"), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": 'attachment; filename="godkjente-fakturaer.csv"'})

    @app.get("/api/spend", tags=["export"])
    async def spend(user: User = Depends(api_user)):
        """Approved spend per provider and per agreement kind; `outside_agreements` is kind `none`."""
        require_role(user, *FINANCE + (Role.OFFICE_LEADER,))
        async with uow_factory() as uow:
            data = await uow.repo.spend()
        outside = sum((r["amount"] for r in data["by_agreement_kind"] if r["agreement_kind"] == "none"), Decimal(0))
        return {"by_provider": [{**r, "amount": money(r["amount"])} for r in data["by_provider"]],
                "by_agreement_kind": [{**r, "amount": money(r["amount"])} for r in data["by_agreement_kind"]],
                "outside_agreements": money(outside)}

    # --- pages -----------------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def requisitions_page(request: Request, user: User = Depends(page_user)):
        return pages.TemplateResponse(request, "requisitions.html",
                                      {"user": user, "requisitions": await visible_requisitions(user),
                                       "finance": user.role in FINANCE})

    async def inbox(request: Request, user: User, error: str | None = None, status_code: int = 200):
        require_role(user, *FINANCE)
        async with uow_factory() as uow:
            invoices = await uow.repo.list_invoices()
        context = {"user": user, "invoices": invoices, "error": error, "limit_kb": MAX_DOCUMENT_BYTES // 1024}
        return pages.TemplateResponse(request, "invoices.html", context, status_code=status_code)

    @app.get("/invoices", response_class=HTMLResponse, include_in_schema=False)
    async def inbox_page(request: Request, user: User = Depends(page_user)):
        return await inbox(request, user)

    @app.post("/invoices", response_class=HTMLResponse, include_in_schema=False)
    async def upload(request: Request, user: User = Depends(page_user)):
        require_role(user, *FINANCE)
        try:
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_DOCUMENT_BYTES + 64 * 1024:
                raise DocumentRefused(f"Filen er for stor; grensen er {MAX_DOCUMENT_BYTES // 1024} kB.",
                                      status_code=413)
            form = await request.form(max_files=1, max_fields=5)
            upload_file = form.get("document")
            if upload_file is None or isinstance(upload_file, str) or not upload_file.filename:
                raise DocumentRefused("Velg en fil (EHF-XML eller CSV).")
            data = await upload_file.read(MAX_DOCUMENT_BYTES + 1)
            invoices = await do_import(data, upload_file.filename, upload_file.content_type or "", user)
        except DocumentRefused as exc:
            return await inbox(request, user, error=str(exc), status_code=exc.status_code)
        target = f"/billing/invoices/{invoices[0].id}" if len(invoices) == 1 else "/billing/invoices"
        return RedirectResponse(target, status_code=303)

    async def invoice_page_response(request: Request, user: User, invoice_id: UUID, errors: dict | None = None,
                                    typed: dict | None = None, status_code: int = 200):
        require_role(user, *FINANCE)
        invoice, requisitions, stays, decisions = await load_invoice(invoice_id)
        return pages.TemplateResponse(request, "invoice.html", {
            "user": user, "invoice": invoice, "requisitions": requisitions, "stays": stays, "decisions": decisions,
            "errors": errors or {}, "typed": typed or {}}, status_code=status_code)

    @app.get("/invoices/{invoice_id}", response_class=HTMLResponse, include_in_schema=False)
    async def invoice_page(request: Request, invoice_id: UUID, user: User = Depends(page_user)):
        return await invoice_page_response(request, user, invoice_id)

    @app.post("/invoices/{invoice_id}/lines/{position}", response_class=HTMLResponse, include_in_schema=False)
    async def adjust_form(request: Request, invoice_id: UUID, position: int, user: User = Depends(page_user)):
        require_role(user, *FINANCE)
        form = await request.form()
        raw, comment = str(form.get("payable_amount", "")).strip(), str(form.get("comment", ""))
        typed = {"position": position, "payable_amount": raw, "comment": comment}
        try:
            amount = Decimal(raw.replace(" ", "").replace(",", "."))
        except InvalidOperation:
            return await invoice_page_response(request, user, invoice_id, {"payable_amount": "Skriv et beløp, "
                                               "for eksempel 1500,00."}, typed, 422)
        try:
            await handlers.adjust_line(AdjustLine(invoice_id, position, amount, comment, user.username), uow_factory)
        except BillingRuleBroken as exc:
            return await invoice_page_response(request, user, invoice_id, {exc.field or "form": str(exc)}, typed,
                                               exc.status_code)
        return RedirectResponse(f"/billing/invoices/{invoice_id}#linje-{position}", status_code=303)

    @app.post("/invoices/{invoice_id}/decision", response_class=HTMLResponse, include_in_schema=False)
    async def decision_form(request: Request, invoice_id: UUID, user: User = Depends(page_user)):
        require_role(user, *FINANCE)
        form = await request.form()
        action, comment = str(form.get("action", "")), str(form.get("comment", ""))
        try:
            await handlers.decide_invoice(DecideInvoice(invoice_id, action, comment, user.username), uow_factory)
        except BillingRuleBroken as exc:
            return await invoice_page_response(request, user, invoice_id, {"decision": str(exc)},
                                               {"decision_comment": comment}, exc.status_code)
        return RedirectResponse(f"/billing/invoices/{invoice_id}", status_code=303)

    @app.get("/export", response_class=HTMLResponse, include_in_schema=False)
    async def export_page(request: Request, user: User = Depends(page_user)):
        require_role(user, *FINANCE)
        async with uow_factory() as uow:
            data = await uow.repo.spend()
            rows = await uow.repo.approved_lines()
        outside = sum((r["amount"] for r in data["by_agreement_kind"] if r["agreement_kind"] == "none"), Decimal(0))
        return pages.TemplateResponse(request, "export.html", {"user": user, "spend": data, "outside": outside,
                                                               "lines": len(rows),
                                                               "total": sum((r["payable_amount"] for r in rows),
                                                                            Decimal(0))})

    return app
