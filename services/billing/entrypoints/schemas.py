"""The API's request and response models. Every string is bounded and free of control characters (a
Norwegian message says which field is wrong); money is NOK as a string with two decimals ("850.00")."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer
from pydantic_core import PydanticCustomError

from services.billing.adapters.queries import InvoiceView, LineView, RequisitionView, Spend
from services.billing.domain.finance import MAX_COMMENT
from services.billing.domain.limits import MAX_AMOUNT, amount_problem, text_problem


def bounded_text(max_length: int, *, multiline: bool = False) -> BeforeValidator:
    def check(value):
        if isinstance(value, str):
            problem = text_problem(value, max_length, multiline=multiline)
            if problem:
                raise PydanticCustomError("text", "Teksten {problem}.", {"problem": problem})
        return value
    return BeforeValidator(check)


def _payable(value):
    try:
        amount = Decimal(str(value)) if isinstance(value, (str, int, float)) else value
    except InvalidOperation:
        raise PydanticCustomError("amount", "Skriv et beløp i kroner, for eksempel 1500.00.") from None
    problem = amount_problem(amount, negative=False) if isinstance(amount, Decimal) else None
    if problem:
        raise PydanticCustomError("amount", "Beløpet {problem}.", {"problem": problem})
    return amount


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


Money = Annotated[Decimal, PlainSerializer(money, return_type=str)]
Instant = Annotated[datetime, PlainSerializer(lambda v: v.isoformat(), return_type=str)]
Comment = Annotated[str, Field(max_length=MAX_COMMENT), bounded_text(MAX_COMMENT, multiline=True)]


class Settle(BaseModel):
    comment: Comment = ""


class Adjust(BaseModel):
    payable_amount: Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, decimal_places=2, description=(
        "What the line pays, NOK in whole øre (at most what it claims).")), BeforeValidator(_payable)]
    comment: Annotated[str, Field(min_length=1, max_length=MAX_COMMENT), bounded_text(MAX_COMMENT, multiline=True)]


class RequisitionOut(BaseModel):
    """A requisition as the API shows it."""

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
    office_name: str | None = Field(None, description="The office's name (from intake's office events).")
    persons: int | None = Field(None, description="Persons in the household (null for requisitions from before "
                                "billing kept it).")
    conditions: list[str] = Field(default_factory=list, description="The decision's conditions, printed on the "
                                  "requisition.", examples=[["boligskole"]])

    @classmethod
    def of(cls, r: RequisitionView) -> RequisitionOut:
        return cls.model_validate(r)


class MailingOut(BaseModel):
    """One sending of a requisition to its provider: asked for when it was issued, extended or sent again, and
    what was sent when (the PDF itself is not kept: it names the guest)."""

    model_config = ConfigDict(from_attributes=True)

    id: UUID
    reason: Literal["issued", "extended", "reissued"]
    period_from: date
    period_to: date
    max_amount: Money
    requested_at: datetime
    requested_by: str | None = Field(description="Who asked to send it again; null: the event that issued or "
                                     "extended it.")
    status: Literal["pending", "sent"]
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None = Field(description="Why the last try did not send it (Norwegian).")
    sent_at: datetime | None
    recipient: str | None
    subject: str | None
    attachment: str | None
    pdf_sha256: str | None
    pdf_bytes: int | None
    message_id: str | None


class DocumentFinding(BaseModel):
    code: str
    message: str


class FailedRule(BaseModel):
    id: str
    flag: str
    text: str


class LineOut(BaseModel):
    position: int
    line_id: str
    requisition: str | None
    first_night: date | None
    last_night: date | None
    claimed_nights: int
    payable_nights: int
    claimed_price: Money
    claimed_amount: Money
    payable_amount: Money
    status: str
    findings: list[str] = Field(description="Finding codes (docs/billing.md).")
    reasons: list[str] = Field(description="Each finding in Norwegian, as finance reads it.")
    comment: str | None

    @classmethod
    def of(cls, x: LineView) -> LineOut:
        return cls(position=x.position, line_id=x.line_id, requisition=x.requisition_number,
                   first_night=x.first_night, last_night=x.last_night, claimed_nights=x.claimed_nights,
                   payable_nights=x.payable_nights, claimed_price=x.claimed_price, claimed_amount=x.claimed_amount,
                   payable_amount=x.payable_amount, status=x.status, findings=x.codes,
                   reasons=[f.message for f in x.findings], comment=x.comment)


class InvoiceSummary(BaseModel):
    invoice_id: UUID
    kind: str
    format: str
    invoice_number: str
    supplier_orgnr: str
    supplier_name: str
    issue_date: date
    status: str
    decision: str | None
    claimed: Money
    payable: Money
    approved_amount: Money | None
    findings: list[str] = Field(description="Every finding code on the invoice and its lines.")
    duplicate_of: UUID | None
    received_at: Instant
    comment: str | None
    document_findings: list[DocumentFinding]
    failed_rules: list[FailedRule]

    @classmethod
    def fields_of(cls, i: InvoiceView) -> dict:
        return dict(
            invoice_id=i.id, kind=i.kind, format=i.format, invoice_number=i.invoice_number,
            supplier_orgnr=i.supplier_orgnr, supplier_name=i.supplier_name, issue_date=i.issue_date,
            status=i.status, decision=i.decision, claimed=i.claimed, payable=i.payable,
            approved_amount=i.approved_amount, findings=list(i.codes), duplicate_of=i.duplicate_of,
            received_at=i.received_at, comment=i.comment,
            document_findings=[DocumentFinding(code=f.code, message=f.message) for f in i.findings if f.message],
            failed_rules=[FailedRule(id=f.id, flag=f.flag, text=f.text) for f in i.failed_rules])

    @classmethod
    def of(cls, i: InvoiceView) -> InvoiceSummary:
        return cls(**cls.fields_of(i))


class InvoiceOut(InvoiceSummary):
    lines: list[LineOut]

    @classmethod
    def of(cls, i: InvoiceView) -> InvoiceOut:
        return cls(**cls.fields_of(i), lines=[LineOut.of(x) for x in i.lines])


class Imported(BaseModel):
    invoices: list[InvoiceOut]


class ProviderSpendOut(BaseModel):
    supplier_orgnr: str
    supplier_name: str
    amount: Money
    nights: int


class KindSpendOut(BaseModel):
    agreement_kind: str
    amount: Money


class SpendOut(BaseModel):
    by_provider: list[ProviderSpendOut]
    by_agreement_kind: list[KindSpendOut]
    outside_agreements: Money = Field(description="Approved spend with providers without agreement (kind none).")

    @classmethod
    def of(cls, s: Spend) -> SpendOut:
        return cls(by_provider=[ProviderSpendOut(**vars(p)) for p in s.by_provider],
                   by_agreement_kind=[KindSpendOut(**vars(k)) for k in s.by_agreement_kind],
                   outside_agreements=s.outside_agreements)


class ExportPeriod(BaseModel):
    """The approval dates (in Norway) an export covers, both included; neither after today."""

    model_config = ConfigDict(extra="forbid")
    period_from: date = Field(description="First approval date, e.g. 2026-03-01.")
    period_to: date = Field(description="Last approval date (today at the latest).")


class DueOut(BaseModel):
    period_from: date
    period_to: date
    lines: int = Field(description="Approved invoice lines in the period not exported before.")
    total: Money = Field(description="What they pay together (credit notes negative).")


class PaymentExportOut(BaseModel):
    id: UUID
    created_at: Instant
    created_by: str = Field(max_length=200)
    created_by_name: str | None = Field(None, max_length=200)
    period_from: date
    period_to: date
    lines: int
    total: Money
    download: str = Field(description="Where the file is: the same bytes every time.")

    @classmethod
    def of(cls, e) -> PaymentExportOut:
        return cls(**vars(e), download=f"/billing/api/exports/{e.id}.csv")
