"""Translation of billing's domain events into the wire contracts."""

from collections.abc import Iterable

import contracts
from services.billing.domain import finance, model

AGREEMENT_KINDS = {"framework", "quality", "operating", "municipal", "none"}


def _requisition_issued(r: model.Requisition) -> contracts.RequisitionIssued:
    return contracts.RequisitionIssued(
        requisition_id=r.id, number=r.number, stay_id=r.stay_id, household_id=r.household_id,
        office_id=r.office_id, provider_id=r.provider_id, provider_orgnr=r.provider_orgnr,
        unit_id=r.unit_id, agreement_kind=r.agreement_kind, period_from=r.period_from,
        period_to=r.period_to, price_per_night=r.price_per_night, max_amount=r.max_amount)


def translate(event: object) -> Iterable[contracts.IntegrationEvent]:
    match event:
        case model.RequisitionIssued(requisition=r):
            yield _requisition_issued(r)
        case model.RequisitionExtended(requisition=r):
            # An extension re-issues the same requisition (same id and number) with its new period.
            yield _requisition_issued(r)
        case model.RequisitionClosed(requisition=r, reason=reason):
            yield contracts.RequisitionClosed(requisition_id=r.id, number=r.number, closed_from=r.closed_from,
                                              reason=reason)
        case finance.InvoiceReceived(invoice=i):
            yield contracts.InvoiceReceived(invoice_id=i.id, kind=i.kind, supplier_orgnr=i.supplier_orgnr,
                                            invoice_number=i.invoice_number, issue_date=i.issue_date,
                                            total=i.line_total, lines=len(i.lines), received_at=i.received_at)
        case finance.InvoiceReconciled(invoice=i):
            yield contracts.InvoiceReconciled(invoice_id=i.id, status=i.status, claimed=i.claimed,
                                              payable=i.payable, findings=i.codes)
        case finance.InvoiceApproved(invoice=i):
            providers = {x.provider_id for x in i.lines if x.provider_id}
            kinds = {x.agreement_kind for x in i.lines if x.agreement_kind}
            yield contracts.InvoiceApproved(
                invoice_id=i.id, provider_id=providers.pop() if len(providers) == 1 else None,
                supplier_orgnr=i.supplier_orgnr,
                agreement_kind=kinds.pop() if len(kinds) == 1 and kinds <= AGREEMENT_KINDS else None,
                approved_amount=i.approved_amount, approved_at=i.decided_at)
        case _:
            raise TypeError(f"billing cannot translate {type(event).__name__}")
