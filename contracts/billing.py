"""Events from billing: requisitions (rekvisisjoner) and supplier invoices."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from contracts.base import Amount, IntegrationEvent, NonNegativeAmount, PricePerNight
from contracts.placement import AgreementKind
from contracts.topics import Topic


class RequisitionIssued(IntegrationEvent):
    """A requisition (payment guarantee) was issued to a provider for a stay, or extended."""

    event_type = "botilbud.billing.requisition-issued.v1"
    topic = Topic.REQUISITION
    key_field = "requisition_id"

    requisition_id: UUID
    number: str = Field(description="Human-readable number with a check digit, quoted on invoices.",
                        examples=["R2026-000123-4"])
    stay_id: UUID
    household_id: UUID
    office_id: str
    provider_id: UUID
    provider_orgnr: str = Field(pattern=r"^\d{9}$")
    unit_id: UUID
    agreement_kind: AgreementKind
    period_from: date = Field(description="First night covered.")
    period_to: date = Field(description="Last night covered, included.")
    price_per_night: PricePerNight
    max_amount: NonNegativeAmount = Field(description="Nights in the period times the price.")


class RequisitionClosed(IntegrationEvent):
    """A requisition was closed (at move-out): nights from `closed_from` on are not payable."""

    event_type = "botilbud.billing.requisition-closed.v1"
    topic = Topic.REQUISITION
    key_field = "requisition_id"

    requisition_id: UUID
    number: str
    closed_from: date = Field(description="First night no longer covered.")
    reason: Literal["moved_out", "replaced", "cancelled"]


class InvoiceReceived(IntegrationEvent):
    """A supplier invoice or credit note came in."""

    event_type = "botilbud.billing.invoice-received.v1"
    topic = Topic.INVOICE
    key_field = "invoice_id"

    invoice_id: UUID
    kind: Literal["invoice", "credit_note"]
    supplier_orgnr: str
    invoice_number: str
    issue_date: date
    total: Amount
    lines: int = Field(ge=0, le=100_000)
    received_at: datetime


class InvoiceReconciled(IntegrationEvent):
    """Every line of an invoice was matched against requisitions and stays."""

    event_type = "botilbud.billing.invoice-reconciled.v1"
    topic = Topic.INVOICE
    key_field = "invoice_id"

    invoice_id: UUID
    status: Literal["matched", "adjusted", "disputed"]
    claimed: Amount
    payable: Amount
    findings: list[str] = Field(default_factory=list, examples=[["price_above_agreement"]])


class InvoiceApproved(IntegrationEvent):
    """Finance approved an invoice for payment."""

    event_type = "botilbud.billing.invoice-approved.v1"
    topic = Topic.INVOICE
    key_field = "invoice_id"

    invoice_id: UUID
    provider_id: UUID | None = None
    supplier_orgnr: str
    agreement_kind: AgreementKind | None = None
    approved_amount: Amount
    approved_at: datetime
