"""Finance's rules, pure: adjust with a reason, approve only when every line is settled, an approved or
disputed invoice never changes; extension keeps the requisition's number (the PDF: test_requisition_paper.py)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from services.billing.domain import finance, model
from services.billing.domain.errors import BillingError
from services.billing.entrypoints.errors import status_of
from tests.unit.billing.test_reconciliation import PRICE, doc, line, run

NOW = datetime(2026, 4, 2, 10, tzinfo=UTC)


def stored(document=None, **kw) -> finance.Invoice:
    document = document or doc()
    return finance.record(document, run(document, **kw), invoice_id=uuid4(), received_at=NOW, received_by="okonomi",
                          failed_rules=[], duplicate_of=None)


def test_approve_fixes_what_the_lines_pay():
    invoice = stored()
    event = finance.approve(invoice, "", "okonomi", NOW)
    assert event.invoice is invoice and invoice.decision == "approved" and invoice.approved_amount == Decimal("3000.00")


def test_a_disputed_line_blocks_approval_until_finance_adjusts_it():
    invoice = stored(doc(line(amount=Decimal("3100.00"))))
    assert invoice.lines[0].status == "disputed"
    with pytest.raises(BillingError, match="Linje 1 er omstridt"):
        finance.approve(invoice, "", "okonomi", NOW)
    finance.adjust_line(invoice, 1, Decimal("3000"), "Rettet til 3 netter")
    with pytest.raises(BillingError, match="kommentar") as refused:
        finance.approve(invoice, " ", "okonomi", NOW)  # findings: the approval needs its reason
    assert refused.value.field == "comment" and invoice.decision is None
    assert (invoice.lines[0].status, invoice.status, invoice.payable) == ("adjusted", "adjusted", Decimal("3000.00"))
    finance.approve(invoice, "ok", "okonomi", NOW)
    assert invoice.approved_amount == Decimal("3000.00")


@pytest.mark.parametrize("amount, comment, field", [(Decimal("1"), "  ", "comment"),
                                                     (Decimal("3000.01"), "mer", "payable_amount"),
                                                     (Decimal("-1"), "minus", "payable_amount")])
def test_adjust_needs_a_reason_and_an_amount_within_the_claim(amount, comment, field):
    invoice = stored()
    with pytest.raises(BillingError) as refused:
        finance.adjust_line(invoice, 1, amount, comment)
    assert refused.value.field == field and status_of(refused.value) == 422
    assert invoice.lines[0].payable_amount == Decimal("3000.00")
    if field == "payable_amount":
        assert "det fakturerte (3\xa0000,00\xa0kr)" in str(refused.value)  # money as people write it


def test_an_approved_or_disputed_invoice_cannot_change():
    approved = stored()
    finance.approve(approved, "", "okonomi", NOW)
    for action in (lambda i: finance.adjust_line(i, 1, Decimal(0), "x"), lambda i: finance.dispute(i, "x", "o", NOW),
                   lambda i: finance.approve(i, "x", "o", NOW)):
        with pytest.raises(BillingError, match="ny faktura eller kreditnota"):
            action(approved)
    disputed = stored()
    finance.dispute(disputed, "Feil leverandør", "okonomi", NOW)
    with pytest.raises(BillingError, match="avvist"):
        finance.approve(disputed, "", "okonomi", NOW)


def test_a_credit_note_pays_negative_and_adjusts_by_its_size():
    credit = stored(doc(kind="credit_note"))
    assert credit.payable == Decimal("-3000.00") and credit.lines[0].status == "matched"
    finance.adjust_line(credit, 1, Decimal("1000"), "Bare én natt kreditert")
    assert credit.lines[0].payable_amount == Decimal("-1000.00") and credit.status == "adjusted"


def requisition() -> model.Requisition:
    return model.issue(sequence=7, stay_id=uuid4(), household_id=uuid4(), office_id="nav-grunerlokka",
                       provider_id=uuid4(), provider_name="Blå Kors bosenter", provider_orgnr="916451288",
                       unit_id=uuid4(), agreement_kind="framework", check_in=date(2026, 3, 3),
                       authorised_to=date(2026, 3, 31), price_per_night=PRICE)


def test_extension_moves_the_last_night_and_keeps_the_number():
    r = requisition()
    number = r.number
    assert isinstance(model.extend(r, date(2026, 4, 30)), model.RequisitionExtended)
    assert (r.number, r.period_to, r.nights) == (number, date(2026, 4, 30), 59)
    assert model.extend(r, date(2026, 4, 15)) is None  # a shorter or repeated extension changes nothing
    model.close_at_move_out(r, date(2026, 4, 10))
    assert model.extend(r, date(2026, 5, 31)) is None and r.period_to == date(2026, 4, 9)
