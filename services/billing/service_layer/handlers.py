"""Billing's use cases."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from services.billing.adapters import documents
from services.billing.domain import finance, model
from services.billing.domain.commands import (
    AdjustLine,
    CloseRequisition,
    DecideInvoice,
    ExtendRequisition,
    ImportDocuments,
    IssueRequisition,
    RecordProvider,
)
from services.billing.domain.invoice import CREDIT_NOTE, BillingRuleBroken
from services.billing.domain.reconciliation import (
    DISPUTED,
    FIXED_PLACES_REFERENCE,
    document_key,
    normalise_reference,
    reconcile,
)
from services.billing.service_layer.unit_of_work import BillingUnitOfWork

CONSUMER = "billing"
UowFactory = Callable[[], BillingUnitOfWork]


async def issue_requisition(cmd: IssueRequisition, uow_factory: UowFactory) -> bool:
    async with uow_factory() as uow:
        if not await uow.claim_event(CONSUMER, cmd.event_id):
            return False
        if not model.requisition_due(imported=cmd.imported, imported_on=cmd.imported_on,
                                     check_out=cmd.imported_check_out):
            # Imported history that ended before the import: known to billing, but no requisition.
            await uow.repo.add_stay(model.Stay(cmd.stay_id, cmd.household_id, cmd.check_in,
                                               cmd.imported_check_out))
            await uow.commit()
            return True
        requisition = model.issue(
            sequence=await uow.repo.next_sequence(), stay_id=cmd.stay_id, household_id=cmd.household_id,
            office_id=cmd.office_id, provider_id=cmd.provider_id, provider_name=cmd.provider_name,
            provider_orgnr=cmd.provider_orgnr, unit_id=cmd.unit_id, agreement_kind=cmd.agreement_kind,
            check_in=cmd.check_in, authorised_to=cmd.authorised_to, price_per_night=cmd.price_per_night)
        await uow.repo.add(requisition)
        await uow.repo.add_stay(model.Stay(cmd.stay_id, cmd.household_id, cmd.check_in))
        uow.emit(model.RequisitionIssued(requisition))
        await uow.commit()
        return True


async def extend_requisition(cmd: ExtendRequisition, uow_factory: UowFactory) -> bool:
    async with uow_factory() as uow:
        if not await uow.claim_event(CONSUMER, cmd.event_id):
            return False
        requisition = await uow.repo.open_for_stay(cmd.stay_id)
        if requisition is None:
            raise LookupError(f"no requisition for stay {cmd.stay_id}")
        event = model.extend(requisition, cmd.authorised_to)
        if event is not None:
            await uow.repo.save_period(requisition)
            uow.emit(event)
        await uow.commit()
        return True


async def close_requisition(cmd: CloseRequisition, uow_factory: UowFactory) -> bool:
    async with uow_factory() as uow:
        if not await uow.claim_event(CONSUMER, cmd.event_id):
            return False
        requisition = await uow.repo.open_for_stay(cmd.stay_id)
        if requisition is None:
            stay = await uow.repo.get_stay(cmd.stay_id)
            if stay is not None and stay.check_out == cmd.check_out and not await uow.repo.has_requisition(
                    cmd.stay_id):
                # Imported history without a requisition: its move-out closes nothing.
                await uow.commit()
                return True
            # Placed and moved-out share a key, so order holds; a missing requisition is a real fault.
            raise LookupError(f"no requisition for stay {cmd.stay_id}")
        event = model.close_at_move_out(requisition, cmd.check_out)
        if event is not None:
            await uow.repo.save_closed(requisition)
            uow.emit(event)
        await uow.repo.set_check_out(cmd.stay_id, cmd.check_out)
        await uow.commit()
        return True


async def record_provider(cmd: RecordProvider, uow_factory: UowFactory) -> bool:
    async with uow_factory() as uow:
        if not await uow.claim_event(CONSUMER, cmd.event_id):
            return False
        await uow.repo.save_provider(model.ProviderAgreement(cmd.provider_id, cmd.orgnr, cmd.name,
                                                             cmd.agreement_kind, cmd.price_per_night,
                                                             cmd.fixed_places))
        await uow.commit()
        return True


async def import_documents(cmd: ImportDocuments, uow_factory: UowFactory,
                           price_tolerance: Decimal = Decimal(0)) -> list[finance.Invoice]:
    """Read, validate and reconcile a supplier file; store each invoice with its lines, the nights it pays,
    and the events, in one transaction. A refused file (DocumentRefused) stores nothing."""
    docs, failed = await asyncio.to_thread(documents.read, cmd.data, cmd.filename, cmd.content_type)
    failed_rules = [{"id": f.rule_id, "flag": f.flag, "text": f.text, "location": f.location} for f in failed]
    sha256 = hashlib.sha256(cmd.data).hexdigest()
    now = datetime.now(UTC)
    stored = []
    async with uow_factory() as uow:
        await uow.repo.lock_imports()
        for doc in docs:
            numbers = {normalise_reference(x.reference or doc.order_reference or doc.buyer_reference)
                       for x in doc.lines} - {None}
            terms = await uow.repo.terms(numbers)
            fixed = await uow.repo.fixed_places(doc.supplier_orgnr)
            billed = await uow.repo.billed(numbers | {f"{FIXED_PLACES_REFERENCE}:{doc.supplier_orgnr}"})
            earlier = await uow.repo.received_before(doc.supplier_orgnr, doc.kind, doc.number)
            result = reconcile(doc, requisitions=terms, fixed_places=fixed, billed=billed,
                               seen_documents={document_key(doc)} if earlier else set(),
                               price_tolerance=price_tolerance)
            invoice = finance.record(doc, result, invoice_id=uuid4(), received_at=now,
                                     received_by=cmd.received_by, failed_rules=failed_rules if doc.format == "ehf"
                                     else [], duplicate_of=earlier)
            await uow.repo.add_invoice(invoice, cmd.data, sha256)
            sign = -1 if doc.kind == CREDIT_NOTE else 1
            await uow.repo.add_billed_nights([
                (x.ledger_key, night, invoice.id, x.position, sign)
                for x in result.lines if x.status != DISPUTED and x.ledger_key for night in x.paid_nights])
            uow.emit(finance.InvoiceReceived(invoice))
            uow.emit(finance.InvoiceReconciled(invoice))
            stored.append(invoice)
        await uow.commit()
    return stored


async def _open_invoice(uow: BillingUnitOfWork, invoice_id: UUID) -> finance.Invoice:
    invoice = await uow.repo.get_invoice(invoice_id, for_update=True)
    if invoice is None:
        raise BillingRuleBroken("Fakturaen finnes ikke.", field="invoice_id", status_code=404)
    return invoice


async def adjust_line(cmd: AdjustLine, uow_factory: UowFactory) -> finance.Invoice:
    async with uow_factory() as uow:
        invoice = await _open_invoice(uow, cmd.invoice_id)
        finance.adjust_line(invoice, cmd.position, cmd.payable_amount, cmd.comment)
        await uow.repo.save_settlement(invoice, cmd.position, "adjust", cmd.payable_amount, cmd.comment.strip(),
                                       cmd.by)
        await uow.commit()
        return invoice


async def decide_invoice(cmd: DecideInvoice, uow_factory: UowFactory) -> finance.Invoice:
    async with uow_factory() as uow:
        invoice = await _open_invoice(uow, cmd.invoice_id)
        now = datetime.now(UTC)
        if cmd.action == "approve":
            uow.emit(finance.approve(invoice, cmd.comment, cmd.by, now))
            amount = invoice.approved_amount
        elif cmd.action == "dispute":
            finance.dispute(invoice, cmd.comment, cmd.by, now)
            await uow.repo.release_billed_nights(invoice.id)
            amount = None
        else:
            raise BillingRuleBroken(f"Ukjent handling {cmd.action!r}.", field="action", status_code=422)
        await uow.repo.save_settlement(invoice, None, cmd.action, amount, (cmd.comment or "").strip(), cmd.by)
        await uow.commit()
        return invoice


async def invoices_by_status(uow_factory: UowFactory) -> dict[str, int]:
    async with uow_factory() as uow:
        return await uow.repo.invoices_by_status()
