"""Billing's use cases, one shape: `async def handler(cmd, uow, **dependencies)`. The message bus opens the unit
of work, claims the inbox for commands that events caused, and commits; `bootstrap.py` binds the dependencies
(the price tolerance, the clock). A handler loads aggregates, calls the domain, and saves; the aggregates record
their events."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from kit import clock
from services.billing.adapters import documents, payment_file
from services.billing.domain import commands, finance, model, papers, payments
from services.billing.domain.errors import Conflict, NotFound
from services.billing.domain.invoice import CREDIT_NOTE
from services.billing.domain.reconciliation import (
    DISPUTED,
    FIXED_PLACES_REFERENCE,
    document_key,
    normalise_reference,
    reconcile,
)
from services.billing.service_layer.unit_of_work import BillingUnitOfWork

Today = Callable[[], date]
Now = Callable[[], datetime]


async def issue_requisition(cmd: commands.IssueRequisition, uow: BillingUnitOfWork, *,
                            now: Now = clock.now) -> None:
    """The requisition, and its mailing to the provider asked for in the same transaction (sent by the job)."""
    if not model.requisition_due(imported=cmd.imported, imported_on=cmd.imported_on,
                                 check_out=cmd.imported_check_out):
        # Imported history that ended before the import: known to billing, but no requisition.
        await uow.repo.add_stay(model.Stay(cmd.stay_id, cmd.household_id, cmd.check_in, cmd.imported_check_out))
        return
    requisition = model.issue(
        sequence=await uow.repo.next_sequence(), stay_id=cmd.stay_id, household_id=cmd.household_id,
        office_id=cmd.office_id, provider_id=cmd.provider_id, provider_name=cmd.provider_name,
        provider_orgnr=cmd.provider_orgnr, unit_id=cmd.unit_id, agreement_kind=cmd.agreement_kind,
        check_in=cmd.check_in, authorised_to=cmd.authorised_to, price_per_night=cmd.price_per_night,
        persons=cmd.persons, conditions=cmd.conditions, contact_username=cmd.placed_by,
        contact_name=cmd.placed_by_name)
    await uow.repo.add(requisition)
    await uow.repo.add_stay(model.Stay(cmd.stay_id, cmd.household_id, cmd.check_in))
    await uow.repo.add_mailing(papers.request_mailing(requisition, "issued", at=now()))


async def refuse_placement(cmd: commands.RefusePlacement, uow: BillingUnitOfWork) -> None:
    """The stay is known without a requisition (the edge has logged and counted the refusal)."""
    await uow.repo.add_stay(model.Stay(cmd.stay_id, cmd.household_id, cmd.check_in))


async def _without_requisition(uow: BillingUnitOfWork, stay_id: UUID) -> model.Stay:
    """A stay billing knows without a requisition (imported history, a refused placement): nothing to change.
    Placed, extended and moved-out share a key, so order holds; an unknown stay is a real fault."""
    stay = await uow.repo.get_stay(stay_id)
    if stay is None or await uow.repo.has_requisition(stay_id):
        raise LookupError(f"no requisition for stay {stay_id}")
    return stay


async def extend_requisition(cmd: commands.ExtendRequisition, uow: BillingUnitOfWork, *,
                             now: Now = clock.now) -> None:
    requisition = await uow.repo.open_for_stay(cmd.stay_id)
    if requisition is None:
        await _without_requisition(uow, cmd.stay_id)
        return
    if model.extend(requisition, cmd.authorised_to, cmd.conditions):
        await uow.repo.save(requisition)
        await uow.repo.add_mailing(papers.request_mailing(requisition, "extended", at=now()))


async def send_requisition_again(cmd: commands.SendRequisitionAgain, uow: BillingUnitOfWork, *,
                                 now: Now) -> papers.Mailing:
    """A user asks for the requisition (as it is now) to be sent to the provider again; not while a sending of
    it still waits (that one goes as the requisition is then, and a second would send it twice)."""
    requisition = await uow.repo.by_number(cmd.number)
    if requisition is None:
        raise NotFound("Rekvisisjonen finnes ikke.", field="number")
    if await uow.repo.mailing_pending(requisition.id):
        raise Conflict("En sending av rekvisisjonen venter allerede; den går til tilbyderen så snart den kan, "
                       "slik rekvisisjonen er da.", field="number")
    mailing = papers.request_mailing(requisition, "reissued", at=now(), by=cmd.by)
    await uow.repo.add_mailing(mailing)
    return mailing


async def send_mailing(cmd: commands.SendMailing, uow: BillingUnitOfWork, *, post, now: Now) -> bool:
    """Send one mailing that is due, unless another sender has it or it went already: `post` makes the PDF
    (asking intake for the guest) and sends it. What was sent is recorded; a failure is recorded with its
    reason and tried again after a pause. True when it was sent."""
    mailing = await uow.repo.claim_mailing(cmd.mailing_id)
    if mailing is None:
        return False
    context = await uow.repo.paper_context(mailing.requisition_id)
    try:
        sent = await post.send(mailing, context)
    except papers.NotSent as exc:
        mailing.failed(str(exc), at=now())
    else:
        mailing.sent(at=now(), **sent)
    await uow.repo.save_mailing(mailing)
    return mailing.status == "sent"


async def close_requisition(cmd: commands.CloseRequisition, uow: BillingUnitOfWork) -> None:
    requisition = await uow.repo.open_for_stay(cmd.stay_id)
    stay = await uow.repo.get_stay(cmd.stay_id) if requisition else await _without_requisition(uow, cmd.stay_id)
    if requisition is not None and model.close_at_move_out(requisition, cmd.check_out):
        await uow.repo.save(requisition)
    if stay is not None:
        stay.check_out = cmd.check_out
        await uow.repo.save_stay(stay)


async def record_provider(cmd: commands.RecordProvider, uow: BillingUnitOfWork) -> None:
    await uow.repo.save_provider(model.ProviderAgreement(cmd.provider_id, cmd.orgnr, cmd.name, cmd.agreement_kind,
                                                         cmd.price_per_night, cmd.fixed_places, cmd.email))


async def record_unit(cmd: commands.RecordUnit, uow: BillingUnitOfWork) -> None:
    """Billing's copy of a unit (the requisition names it and its address)."""
    await uow.repo.record_unit(cmd)


async def record_office(cmd: commands.RecordOffice, uow: BillingUnitOfWork) -> None:
    """Billing's copy of an office (the requisition names it)."""
    await uow.repo.record_office(cmd)


async def import_documents(cmd: commands.ImportDocuments, uow: BillingUnitOfWork, *, price_tolerance: Decimal,
                           today: Today, now: Now) -> list[UUID]:
    """Read, validate and reconcile a supplier file; store each invoice with its lines and the nights it pays.
    A refused file (DocumentRefused) stores nothing. Nights from today (the day it is received, in Norway) on
    are not yet stayed."""
    docs, failed = await asyncio.to_thread(documents.read, cmd.data, cmd.filename, cmd.content_type)
    failed_rules = [{"id": f.rule_id, "flag": f.flag, "text": f.text, "location": f.location} for f in failed]
    sha256 = hashlib.sha256(cmd.data).hexdigest()
    received_at, received_on = now(), today()
    stored = []
    await uow.repo.lock_imports()
    for doc in docs:
        numbers = {normalise_reference(x.reference or doc.order_reference or doc.buyer_reference)
                   for x in doc.lines} - {None}
        earlier = await uow.repo.received_before(doc.supplier_orgnr, doc.kind, doc.number)
        result = reconcile(
            doc, requisitions=await uow.repo.terms(numbers),
            fixed_places=await uow.repo.fixed_places(doc.supplier_orgnr),
            billed=await uow.repo.billed(numbers | {f"{FIXED_PLACES_REFERENCE}:{doc.supplier_orgnr}"}),
            seen_documents={document_key(doc)} if earlier else set(), price_tolerance=price_tolerance,
            received_on=received_on)
        invoice = finance.record(doc, result, invoice_id=uuid4(), received_at=received_at,
                                 received_by=cmd.received_by, failed_rules=failed_rules if doc.format == "ehf" else [],
                                 duplicate_of=earlier)
        sign = -1 if doc.kind == CREDIT_NOTE else 1
        await uow.repo.add_invoice(invoice, cmd.data, sha256, [
            (x.ledger_key, night, x.position, sign)
            for x in result.lines if x.status != DISPUTED and x.ledger_key for night in x.paid_nights],
            received_by_name=cmd.received_by_name)
        stored.append(invoice.id)
    return stored


async def _invoice(uow: BillingUnitOfWork, invoice_id: UUID) -> finance.Invoice:
    invoice = await uow.repo.get_invoice(invoice_id)
    if invoice is None:
        raise NotFound("Fakturaen finnes ikke.", field="invoice_id")
    return invoice


async def adjust_line(cmd: commands.AdjustLine, uow: BillingUnitOfWork, *, today: Today, now: Now) -> UUID:
    invoice = await _invoice(uow, cmd.invoice_id)
    line = finance.adjust_line(invoice, cmd.position, cmd.payable_amount, cmd.comment, today())
    await uow.repo.save_settlement(invoice, cmd.position, "adjust", line.comment, cmd.by, now(),
                                   by_name=cmd.by_name)
    return invoice.id


async def approve_invoice(cmd: commands.ApproveInvoice, uow: BillingUnitOfWork, *, now: Now) -> UUID:
    invoice = await _invoice(uow, cmd.invoice_id)
    finance.approve(invoice, cmd.comment, cmd.by, now())
    await uow.repo.save_settlement(invoice, None, "approve", invoice.comment or "", cmd.by, invoice.decided_at,
                                   by_name=cmd.by_name)
    return invoice.id


async def dispute_invoice(cmd: commands.DisputeInvoice, uow: BillingUnitOfWork, *, now: Now) -> UUID:
    invoice = await _invoice(uow, cmd.invoice_id)
    finance.dispute(invoice, cmd.comment, cmd.by, now())
    await uow.repo.save_settlement(invoice, None, "dispute", invoice.comment or "", cmd.by, invoice.decided_at,
                                   by_name=cmd.by_name)
    return invoice.id


async def create_payment_export(cmd: commands.CreatePaymentExport, uow: BillingUnitOfWork, *, today: Today,
                                now: Now) -> payments.PaymentExport:
    """One export of the lines approved in the period that no export has paid: the file is written once and
    kept with the export, and each line is marked with the export's id, all in this transaction. Exports are
    made one at a time, so two at once never take the same line."""
    payments.check_period(cmd.period_from, cmd.period_to, today())
    await uow.repo.lock_exports()
    lines = await uow.repo.due_lines(cmd.period_from, cmd.period_to)
    export = payments.new_export(export_id=uuid4(), lines=lines, period_from=cmd.period_from,
                                 period_to=cmd.period_to, today=today(), by=cmd.by, by_name=cmd.by_name, at=now())
    content = payment_file.write(export, lines)
    await uow.repo.add_export(export, lines, content, hashlib.sha256(content).hexdigest())
    return export


HANDLERS = {
    commands.IssueRequisition: issue_requisition, commands.RefusePlacement: refuse_placement,
    commands.ExtendRequisition: extend_requisition, commands.CloseRequisition: close_requisition,
    commands.RecordProvider: record_provider, commands.RecordOffice: record_office,
    commands.RecordUnit: record_unit, commands.SendRequisitionAgain: send_requisition_again,
    commands.SendMailing: send_mailing,
    commands.ImportDocuments: import_documents,
    commands.AdjustLine: adjust_line, commands.ApproveInvoice: approve_invoice,
    commands.DisputeInvoice: dispute_invoice, commands.CreatePaymentExport: create_payment_export,
}
