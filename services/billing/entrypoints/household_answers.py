"""What billing answers about one household: its requisitions, the invoice lines billed against them, what was
paid or disputed, and who did what — for intake's case page. Ids, days, amounts and staff only."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from services.billing.adapters.household_billing import BilledLineView, RequisitionHistory
from services.billing.entrypoints.schemas import Money


class SettlementOut(BaseModel):
    position: int | None = Field(description="The line adjusted; null: the whole invoice approved or disputed.")
    action: Literal["adjust", "approve", "dispute"]
    amount: Money | None
    by: str
    by_name: str | None
    at: datetime


class BilledLineOut(BaseModel):
    invoice_id: UUID
    invoice_number: str
    kind: Literal["invoice", "credit_note"]
    supplier_name: str
    issue_date: date
    received_at: datetime
    received_by: str
    received_by_name: str | None
    position: int
    first_night: date | None
    last_night: date | None
    claimed_nights: int
    claimed_amount: Money
    payable_nights: int
    payable_amount: Money
    status: Literal["matched", "adjusted", "disputed"] = Field(description="The line's reconciliation.")
    invoice_decision: Literal["approved", "disputed"] | None = Field(
        description="Finance's decision on the invoice; null while it is open.")
    paid_amount: Money | None = Field(description="What is paid for the line: set once the invoice is approved.")
    settlements: list[SettlementOut] = Field(description="The line's adjustments and the invoice's decision.")

    @classmethod
    def of(cls, x: BilledLineView) -> BilledLineOut:
        return cls(invoice_id=x.invoice_id, invoice_number=x.invoice_number, kind=x.kind,
                   supplier_name=x.supplier_name, issue_date=x.issue_date, received_at=x.received_at,
                   received_by=x.received_by, received_by_name=x.received_by_name, position=x.position,
                   first_night=x.first_night, last_night=x.last_night, claimed_nights=x.claimed_nights,
                   claimed_amount=x.claimed_amount, payable_nights=x.payable_nights,
                   payable_amount=x.payable_amount, status=x.status, invoice_decision=x.invoice_decision,
                   paid_amount=x.paid_amount,
                   settlements=[SettlementOut(position=s.position, action=s.action, amount=s.amount,
                                              by=s.decided_by, by_name=s.decided_by_name, at=s.decided_at)
                                for s in x.settlements])


class MailingSentOut(BaseModel):
    reason: Literal["issued", "extended", "reissued"]
    requested_at: datetime
    requested_by: str | None = Field(description="Who asked to send it again; null: sent when issued/extended.")
    sent_at: datetime | None


class RequisitionHistoryOut(BaseModel):
    number: str
    stay_id: UUID
    office_id: str
    provider_name: str
    unit_id: UUID
    period_from: date
    period_to: date
    price_per_night: Money
    max_amount: Money
    status: Literal["open", "closed"]
    closed_from: date | None
    issued_at: datetime
    contact_username: str | None = Field(description="The case worker who placed (the requisition's contact).")
    contact_name: str | None
    mailings: list[MailingSentOut] = Field(description="Each sending to the provider, oldest first.")
    lines: list[BilledLineOut] = Field(description="The invoice lines billed against it, oldest first.")

    @classmethod
    def of(cls, h: RequisitionHistory) -> RequisitionHistoryOut:
        r = h.requisition
        return cls(number=r.number, stay_id=r.stay_id, office_id=r.office_id, provider_name=r.provider_name,
                   unit_id=r.unit_id, period_from=r.period_from, period_to=r.period_to,
                   price_per_night=r.price_per_night, max_amount=r.max_amount, status=r.status,
                   closed_from=r.closed_from, issued_at=h.issued_at, contact_username=r.contact_username,
                   contact_name=r.contact_name,
                   mailings=[MailingSentOut(reason=m.reason, requested_at=m.requested_at,
                                            requested_by=m.requested_by, sent_at=m.sent_at) for m in h.mailings],
                   lines=[BilledLineOut.of(x) for x in h.lines])


class HouseholdRequisitionsOut(BaseModel):
    household_id: UUID
    requisitions: list[RequisitionHistoryOut]
