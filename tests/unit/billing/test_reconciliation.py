"""The three-way match, pure: every finding code has an invoice that triggers it and one that does not."""

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from services.billing.domain import reconciliation as r
from services.billing.domain.invoice import CREDIT_NOTE, DocumentLine, SupplierDocument
from services.billing.domain.model import is_valid_requisition_number, requisition_number

ORGNR = "974760673"
OTHER_ORGNR = "923609016"
NUMBER = requisition_number(2026, 1)
PRICE = Decimal("1000.00")


def terms(**changes) -> r.RequisitionTerms:
    values = dict(number=NUMBER, requisition_id=uuid4(), provider_id=uuid4(), provider_orgnr=ORGNR,
                  agreement_kind="framework", office_id="nav-grunerlokka", period_from=date(2026, 3, 3),
                  period_to=date(2026, 3, 31), price_per_night=PRICE, check_in=date(2026, 3, 3))
    values.update(changes)
    return r.RequisitionTerms(**values)


def line(first=date(2026, 3, 3), last=date(2026, 3, 5), price=PRICE, reference=None, quantity=None, amount=None,
         unit="DAY", line_id="1") -> DocumentLine:
    nights = (last - first).days + 1
    quantity = Decimal(nights if quantity is None else quantity)
    return DocumentLine(line_id=line_id, quantity=quantity, unit_code=unit, unit_price=price,
                        amount=amount if amount is not None else quantity * price, first_night=first,
                        last_night=last, reference=reference)


def doc(*lines, number="F-1", orgnr=ORGNR, order_reference=NUMBER, kind="invoice", total=None, problems=(),
        currency="NOK") -> SupplierDocument:
    lines = lines or (line(),)
    return SupplierDocument(kind=kind, number=number, supplier_orgnr=orgnr, supplier_name="Tilbyder AS",
                            issue_date=date(2026, 4, 1), currency=currency, lines=tuple(lines),
                            line_total=total if total is not None else sum(x.amount for x in lines),
                            order_reference=order_reference, problems=tuple(problems))


def run(document, requisition=None, **kw):
    requisition = requisition or terms()
    return r.reconcile(document, requisitions={requisition.number: requisition}, **kw)


def test_requisition_numbers_carry_a_check_digit():
    assert is_valid_requisition_number(NUMBER)
    assert not is_valid_requisition_number(NUMBER[:-1] + str((int(NUMBER[-1]) + 1) % 10))


def test_a_clean_invoice_is_matched_and_paid_in_full():
    result = run(doc())
    assert result.status == "matched" and result.codes == []
    [only] = result.lines
    assert (only.claimed_nights, only.payable_nights, only.payable_amount) == (3, 3, Decimal("3000.00"))
    assert only.requisition_number == NUMBER


# unknown_requisition
def test_unknown_requisition_triggers():
    result = run(doc(order_reference=requisition_number(2026, 99)))
    assert result.lines[0].codes == ["unknown_requisition"] and result.lines[0].status == "disputed"
    assert result.payable == 0


def test_unknown_requisition_not_for_a_known_number_written_loosely():
    result = run(doc(order_reference=" " + NUMBER.lower() + " "))
    assert "unknown_requisition" not in result.codes


# requisition_closed
def test_requisition_closed_triggers_for_nights_after_closure():
    closed = terms(period_to=date(2026, 3, 9), closed_from=date(2026, 3, 10), check_out=date(2026, 3, 10))
    result = run(doc(line(date(2026, 3, 10), date(2026, 3, 12))), closed)
    assert result.lines[0].codes == ["requisition_closed"] and result.lines[0].status == "disputed"


def test_requisition_closed_not_for_nights_before_closure():
    closed = terms(period_to=date(2026, 3, 9), closed_from=date(2026, 3, 10), check_out=date(2026, 3, 10))
    result = run(doc(line(date(2026, 3, 3), date(2026, 3, 9))), closed)
    assert result.status == "matched" and result.codes == []


# nights_outside_period
def test_nights_outside_period_triggers_past_the_authorised_last_night():
    short = terms(period_to=date(2026, 3, 4))  # still living there, not extended
    result = run(doc(line(date(2026, 3, 3), date(2026, 3, 6))), short)
    [only] = result.lines
    assert only.codes == ["nights_outside_period"] and only.status == "adjusted"
    assert (only.payable_nights, only.payable_amount) == (2, Decimal("2000.00"))


def test_nights_outside_period_not_after_extension():
    extended = terms(period_to=date(2026, 4, 30))
    assert run(doc(line(date(2026, 3, 3), date(2026, 4, 6))), extended).codes == []


# nights_before_check_in
def test_nights_before_check_in_triggers():
    result = run(doc(line(date(2026, 3, 1), date(2026, 3, 5))))
    [only] = result.lines
    assert only.codes == ["nights_before_check_in"] and only.payable_nights == 3
    assert only.findings[0].nights == 2


def test_nights_before_check_in_not_from_the_check_in_night():
    assert run(doc(line(date(2026, 3, 3), date(2026, 3, 3)))).codes == []


# nights_after_move_out: check-in 3 March, check-out 6 March = nights 3, 4, 5
def test_nights_after_move_out_triggers():
    moved = terms(period_to=date(2026, 3, 5), closed_from=date(2026, 3, 6), check_out=date(2026, 3, 6))
    result = run(doc(line(date(2026, 3, 3), date(2026, 3, 7))), moved)
    [only] = result.lines
    assert only.codes == ["nights_after_move_out"] and only.status == "adjusted"
    assert (only.payable_nights, only.payable_amount) == (3, Decimal("3000.00"))


def test_nights_after_move_out_not_for_the_last_night_before_check_out():
    moved = terms(period_to=date(2026, 3, 5), closed_from=date(2026, 3, 6), check_out=date(2026, 3, 6))
    result = run(doc(line(date(2026, 3, 3), date(2026, 3, 5))), moved)
    assert result.status == "matched" and result.lines[0].payable_nights == 3


# price_above_agreement
def test_price_above_agreement_triggers_and_pays_the_agreed_price():
    result = run(doc(line(price=Decimal("1100.00"))))
    [only] = result.lines
    assert only.codes == ["price_above_agreement"] and only.status == "adjusted"
    assert only.payable_amount == Decimal("3000.00") and only.claimed_amount == Decimal("3300.00")


def test_price_above_agreement_not_at_or_below_the_price_or_within_a_set_tolerance():
    assert run(doc(line(price=PRICE))).codes == []
    assert run(doc(line(price=Decimal("900.00")))).codes == []
    assert run(doc(line(price=Decimal("1000.50"))), price_tolerance=Decimal("1.00")).codes == []


# nights_billed_twice
def test_nights_billed_twice_triggers_across_invoices_and_within_one():
    billed: dict = {}
    first = run(doc(number="F-1"), billed=billed)
    assert first.status == "matched"
    again = run(doc(line(date(2026, 3, 4), date(2026, 3, 6)), number="F-2"), billed=billed)
    assert again.lines[0].codes == ["nights_billed_twice"] and again.lines[0].payable_nights == 1
    within = run(doc(line(date(2026, 3, 10), date(2026, 3, 11), line_id="1"),
                     line(date(2026, 3, 11), date(2026, 3, 11), line_id="2"), number="F-3"), billed=billed)
    assert within.lines[0].codes == [] and within.lines[1].codes == ["nights_billed_twice"]
    assert within.lines[1].status == "disputed"  # nothing left to pay on it


def test_nights_billed_twice_not_for_following_nights_nor_after_a_credit_note():
    billed: dict = {}
    run(doc(number="F-1"), billed=billed)
    assert run(doc(line(date(2026, 3, 6), date(2026, 3, 8)), number="F-2"), billed=billed).codes == []
    credit = run(doc(line(date(2026, 3, 3), date(2026, 3, 5)), number="K-1", kind=CREDIT_NOTE), billed=billed)
    assert credit.status == "matched" and credit.payable == Decimal("-3000.00")
    assert run(doc(number="F-3"), billed=billed).codes == []


# duplicate_invoice
def test_duplicate_invoice_triggers_and_pays_nothing_twice():
    seen: set = set()
    billed: dict = {}
    assert run(doc(), seen_documents=seen, billed=billed).payable == Decimal("3000.00")
    again = run(doc(), seen_documents=seen, billed=billed)
    assert again.status == "disputed" and again.payable == 0
    assert again.codes == ["duplicate_invoice"] and again.lines[0].codes == ["duplicate_invoice"]


def test_duplicate_invoice_not_for_another_number_or_another_supplier():
    seen: set = set()
    run(doc(number="F-1"), seen_documents=seen)
    assert "duplicate_invoice" not in run(doc(line(date(2026, 3, 6), date(2026, 3, 6)), number="F-2"),
                                          seen_documents=seen).codes
    other = terms(provider_orgnr=OTHER_ORGNR)
    assert "duplicate_invoice" not in run(doc(number="F-1", orgnr=OTHER_ORGNR), other, seen_documents=seen).codes


# arithmetic_error
def test_arithmetic_error_triggers_on_a_line_and_on_the_total():
    wrong_line = run(doc(line(amount=Decimal("3100.00"))))
    assert wrong_line.lines[0].codes == ["arithmetic_error"] and wrong_line.lines[0].status == "disputed"
    wrong_nights = run(doc(line(quantity=4, amount=Decimal("4000.00"))))
    assert wrong_nights.lines[0].codes == ["arithmetic_error"]
    wrong_total = run(doc(total=Decimal("2999.00")))
    assert [f.code for f in wrong_total.findings] == ["arithmetic_error"] and wrong_total.status == "disputed"


def test_arithmetic_error_not_when_sums_add_up_with_rounding():
    result = run(doc(line(price=Decimal("999.995"), amount=Decimal("2999.99"), quantity=3)))
    assert "arithmetic_error" not in result.codes


# supplier_mismatch
def test_supplier_mismatch_triggers():
    result = run(doc(orgnr=OTHER_ORGNR))
    assert result.lines[0].codes == ["supplier_mismatch"] and result.payable == 0


def test_supplier_mismatch_not_for_the_requisitions_provider():
    assert "supplier_mismatch" not in run(doc(orgnr=ORGNR)).codes


# invalid_document
def test_invalid_document_triggers_on_failed_rules_wrong_unit_or_missing_period():
    assert run(doc(problems=("BR-16",))).findings[0].code == "invalid_document"
    assert run(doc(line(unit="HUR"))).lines[0].codes == ["invalid_document"]
    no_period = DocumentLine("1", Decimal(3), "DAY", PRICE, Decimal(3000), reference=NUMBER)
    assert run(doc(no_period)).lines[0].codes == ["invalid_document"]
    assert run(doc(currency="EUR")).status == "disputed"


def test_invalid_document_not_for_a_valid_document():
    assert "invalid_document" not in run(doc()).codes


# nights_not_yet_stayed: the nights on or after the day the invoice is received are not payable
def test_nights_not_yet_stayed_triggers_for_an_invoice_received_before_the_nights():
    december = terms(period_from=date(2026, 11, 20), period_to=date(2026, 12, 31), check_in=date(2026, 11, 20))
    result = run(doc(line(date(2026, 12, 5), date(2026, 12, 14))), december, received_on=date(2026, 12, 1))
    [only] = result.lines
    assert only.codes == ["nights_not_yet_stayed"] and only.findings[0].nights == 10
    assert (only.status, only.payable_nights, only.payable_amount) == ("disputed", 0, Decimal(0))
    assert result.status == "disputed" and result.payable == 0 and "01.12.2026" in only.findings[0].message


def test_nights_not_yet_stayed_pays_the_nights_before_the_day_of_receipt_and_frees_the_rest():
    billed: dict = {}
    early = run(doc(line(date(2026, 3, 3), date(2026, 3, 12)), number="F-1"), billed=billed,
                received_on=date(2026, 3, 10))
    [only] = early.lines
    assert only.codes == ["nights_not_yet_stayed"] and only.status == "adjusted"
    assert (only.payable_nights, only.payable_amount) == (7, Decimal("7000.00"))
    # The nights held back may be billed again once stayed: a later invoice pays them, not as billed twice.
    later = run(doc(line(date(2026, 3, 10), date(2026, 3, 12)), number="F-2"), billed=billed,
                received_on=date(2026, 4, 1))
    assert later.status == "matched" and later.payable == Decimal("3000.00")


def test_nights_not_yet_stayed_not_for_nights_before_the_day_of_receipt():
    assert run(doc(line(date(2026, 3, 3), date(2026, 3, 9))), received_on=date(2026, 3, 10)).codes == []


def test_nights_not_yet_stayed_counts_fixed_places_too():
    fixed = {ORGNR: r.FixedPlaces(uuid4(), ORGNR, "framework", places=2, price_per_night=PRICE)}
    places = line(date(2026, 3, 1), date(2026, 3, 31), quantity=62, reference=r.FIXED_PLACES_REFERENCE)
    result = r.reconcile(doc(places, order_reference=None), requisitions={}, fixed_places=fixed,
                         received_on=date(2026, 3, 21))
    [only] = result.lines
    assert only.codes == ["nights_not_yet_stayed"] and only.payable_nights == 40
    assert only.payable_amount == Decimal("40000.00") and only.findings[0].nights == 11


def test_line_level_reference_wins_over_the_document_reference():
    other = terms(number=requisition_number(2026, 2))
    result = r.reconcile(doc(line(reference=other.number), order_reference=NUMBER),
                         requisitions={other.number: other})
    assert result.lines[0].requisition_number == other.number and result.status == "matched"


def test_fixed_places_are_paid_whether_used_or_not():
    fixed = {ORGNR: r.FixedPlaces(uuid4(), ORGNR, "framework", places=2, price_per_night=PRICE)}
    places = line(date(2026, 3, 1), date(2026, 3, 31), quantity=62, reference=r.FIXED_PLACES_REFERENCE)
    billed: dict = {}
    result = r.reconcile(doc(places, order_reference=None), requisitions={}, fixed_places=fixed, billed=billed)
    assert result.status == "matched" and result.payable == Decimal("62000.00")
    again = r.reconcile(doc(places, number="F-2", order_reference=None), requisitions={}, fixed_places=fixed,
                        billed=billed)
    assert again.lines[0].codes == ["nights_billed_twice"]
    too_many = line(date(2026, 4, 1), date(2026, 4, 10), quantity=30, reference=r.FIXED_PLACES_REFERENCE)
    over = r.reconcile(doc(too_many, number="F-3", order_reference=None), requisitions={}, fixed_places=fixed)
    assert over.lines[0].status == "adjusted" and over.lines[0].payable_amount == Decimal("20000.00")
    none = r.reconcile(doc(places, number="F-4", order_reference=None), requisitions={}, fixed_places={})
    assert none.lines[0].codes == ["unknown_requisition"]


@pytest.mark.parametrize("code", r.FINDING_CODES)
def test_every_finding_code_is_covered_here(code):
    source = open(__file__, encoding="utf-8").read()
    assert f"def test_{code}_triggers" in source and f"def test_{code}_not" in source
