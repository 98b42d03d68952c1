"""Billing's handlers through the message bus on a fake unit of work: what placement's events do to
requisitions, what an import, an adjustment, an approval and a dispute store and announce."""

from datetime import date
from decimal import Decimal

import pytest

import contracts
from services.billing.domain.commands import AdjustLine, ApproveInvoice, DisputeInvoice, ImportDocuments
from services.billing.domain.errors import Conflict, DocumentRefused, NotFound, RuleBroken
from tests.billing.factory import csv_invoice
from tests.unit.billing.events import ORGNR, deliver, envelope, extended, moved_out, placed, provider
from tests.unit.billing.fakes import billing


def published(b, kind):
    return [e.data for e in b.published if isinstance(e.data, kind)]


def only_requisition(b):
    [r] = b.store.requisitions.values()
    return r


async def test_a_placement_issues_one_requisition_and_announces_it():
    b = billing()
    event = placed()
    await deliver(b.bus, event)
    r = only_requisition(b)
    assert (r.stay_id, r.period_from, r.period_to, r.status) == (event.stay_id, date(2026, 3, 3), date(2026, 3, 31),
                                                                "open")
    [issued] = published(b, contracts.RequisitionIssued)
    assert (issued.number, issued.max_amount, issued.price_per_night) == (r.number, Decimal("29000.00"),
                                                                         Decimal("1000.00"))
    assert b.store.stays[event.stay_id].check_in == date(2026, 3, 3)


async def test_a_redelivered_placement_changes_nothing():
    b = billing()
    env = envelope(placed())
    await deliver(b.bus, env)
    await deliver(b.bus, env)
    assert len(b.store.requisitions) == 1 and len(published(b, contracts.RequisitionIssued)) == 1


async def test_an_extension_keeps_the_number_and_a_shorter_one_changes_nothing():
    b = billing()
    event = placed()
    await deliver(b.bus, event)
    number = only_requisition(b).number
    await deliver(b.bus, extended(event, date(2026, 4, 30)))
    await deliver(b.bus, extended(event, date(2026, 4, 15)))
    r = only_requisition(b)
    assert (r.number, r.period_to) == (number, date(2026, 4, 30))
    assert [e.period_to for e in published(b, contracts.RequisitionIssued)] == [date(2026, 3, 31), date(2026, 4, 30)]


async def test_a_move_out_closes_the_requisition_from_check_out():
    b = billing()
    event = placed()
    await deliver(b.bus, event)
    await deliver(b.bus, moved_out(event, date(2026, 3, 10)))
    r = only_requisition(b)
    assert (r.status, r.closed_from, r.period_to) == ("closed", date(2026, 3, 10), date(2026, 3, 9))
    [closed] = published(b, contracts.RequisitionClosed)
    assert (closed.closed_from, closed.reason) == (date(2026, 3, 10), "moved_out")
    assert b.store.stays[event.stay_id].check_out == date(2026, 3, 10)


async def test_a_move_out_of_a_stay_billing_never_saw_is_a_fault_and_keeps_nothing():
    b = billing()
    with pytest.raises(LookupError):
        await deliver(b.bus, moved_out(placed(), date(2026, 3, 10)))
    assert b.store.stays == {} and b.published == []


async def test_imported_history_that_ended_before_the_import_gets_no_requisition():
    b = billing()
    event = placed(check_in=date(2025, 1, 3), authorised_to=date(2025, 2, 13), imported=True,
                   imported_on=date(2026, 3, 1), imported_check_out=date(2025, 2, 14))
    await deliver(b.bus, event)
    await deliver(b.bus, moved_out(event, date(2025, 2, 14)))
    assert b.store.requisitions == {} and b.published == []
    assert b.store.stays[event.stay_id].check_out == date(2025, 2, 14)


@pytest.mark.parametrize("changes, field", [
    ({"provider_name": "Blå\x00Kors"}, "provider_name"),
    ({"office_id": "nav-" + "x" * 5000}, "office_id"),
    ({"authorised_to": date(2026, 3, 1)}, "authorised_to"),  # before check-in
    ({"price": Decimal("100000.00"), "authorised_to": date(2055, 1, 1)}, "authorised_to"),  # > a billion
    ({"check_in": date(1970, 1, 1)}, "check_in"),
])
async def test_a_placement_billing_cannot_store_is_refused_alone_and_its_stay_stays_known(changes, field):
    b = billing()
    bad, good = placed(**changes), placed()
    await deliver(b.bus, bad)
    await deliver(b.bus, good)
    await deliver(b.bus, extended(bad, date(2026, 6, 30)))
    await deliver(b.bus, moved_out(bad, date(2026, 3, 20)))  # no fault: billing knows the stay it refused
    assert [r.stay_id for r in b.store.requisitions.values()] == [good.stay_id]
    assert [e.stay_id for e in published(b, contracts.RequisitionIssued)] == [good.stay_id]
    assert b.store.stays[bad.stay_id].check_out == date(2026, 3, 20)


async def test_an_extension_beyond_what_an_event_can_carry_is_refused_and_the_requisition_kept():
    b = billing()
    event = placed(price=Decimal("90000.00"))
    await deliver(b.bus, event)
    with pytest.raises(RuleBroken, match="maksimalt beløp"):
        await deliver(b.bus, extended(event, date(2060, 1, 1)))
    assert only_requisition(b).period_to == date(2026, 3, 31)
    assert all(e.max_amount <= contracts.base.MAX_AMOUNT_NOK for e in published(b, contracts.RequisitionIssued))


async def requisition_and_csv(b, **row):
    event = placed()
    await deliver(b.bus, event)
    number = only_requisition(b).number
    base = {"supplier_orgnr": ORGNR, "supplier_name": "Blå Kors", "invoice_number": "F-1", "issue_date": "2026-04-01",
            "requisition": number, "first_night": "2026-03-03", "last_night": "2026-03-05", "nights": 3,
            "price_per_night": "1000", "amount": "3000"}
    return event, number, csv_invoice([base | row])


async def test_an_import_stores_the_invoice_and_announces_it_received_and_reconciled():
    b = billing()
    _, number, data = await requisition_and_csv(b)
    [invoice_id] = await b.bus.handle(ImportDocuments(data, "f.csv", "text/csv", "okonomi"))
    invoice = b.store.invoices[invoice_id]
    assert (invoice.status, invoice.payable, invoice.received_by) == ("matched", Decimal("3000.00"), "okonomi")
    [received] = published(b, contracts.InvoiceReceived)
    [reconciled] = published(b, contracts.InvoiceReconciled)
    assert (received.total, received.lines, reconciled.payable, reconciled.findings) == (
        Decimal("3000"), 1, Decimal("3000.00"), [])
    assert sorted(n for k, n, *_ in b.store.billed if k == number) == [date(2026, 3, d) for d in (3, 4, 5)]


async def test_the_same_file_twice_is_a_duplicate_and_pays_nothing():
    b = billing()
    _, _, data = await requisition_and_csv(b)
    await b.bus.handle(ImportDocuments(data, "f.csv", "text/csv", "okonomi"))
    [again] = await b.bus.handle(ImportDocuments(data, "f.csv", "text/csv", "okonomi"))
    assert b.store.invoices[again].codes == ["duplicate_invoice"] and b.store.invoices[again].payable == 0


async def test_a_refused_file_stores_nothing():
    b = billing()
    _, _, data = await requisition_and_csv(b, amount="NaN")
    before = len(b.published)
    with pytest.raises(DocumentRefused, match="Rad 2: amount"):
        await b.bus.handle(ImportDocuments(data, "f.csv", "text/csv", "okonomi"))
    assert b.store.invoices == {} and len(b.published) == before


async def test_nights_not_yet_stayed_are_paid_after_they_have_passed_not_before():
    received = billing(today=date(2026, 3, 4))
    _, _, data = await requisition_and_csv(received)
    [invoice_id] = await received.bus.handle(ImportDocuments(data, "f.csv", "text/csv", "okonomi"))
    line = received.store.invoices[invoice_id].lines[0]
    assert line.codes == ["nights_not_yet_stayed"] and line.payable_amount == Decimal("1000.00")
    with pytest.raises(RuleBroken, match="2 netter som ikke er passert ennå") as refused:
        await received.bus.handle(AdjustLine(invoice_id, 1, Decimal("3000"), "Alle netter", "okonomi"))
    assert refused.value.field == "payable_amount"
    received.today = date(2026, 3, 5)  # a day later one more night has passed
    with pytest.raises(RuleBroken, match="1 natt som"):
        await received.bus.handle(AdjustLine(invoice_id, 1, Decimal("3000"), "Alle netter", "okonomi"))
    await received.bus.handle(AdjustLine(invoice_id, 1, Decimal("2000"), "To netter passert", "okonomi"))
    received.today = date(2026, 3, 6)  # all have passed: the whole claim may be paid
    await received.bus.handle(AdjustLine(invoice_id, 1, Decimal("3000"), "Alle netter passert", "okonomi"))
    assert received.store.invoices[invoice_id].lines[0].payable_amount == Decimal("3000.00")


async def test_approval_announces_what_the_lines_pay_and_fixes_it():
    b = billing()
    _, _, data = await requisition_and_csv(b, price_per_night="1100", amount="3300")
    [invoice_id] = await b.bus.handle(ImportDocuments(data, "f.csv", "text/csv", "okonomi"))
    with pytest.raises(RuleBroken, match="kommentar"):
        await b.bus.handle(ApproveInvoice(invoice_id, "", "okonomi"))
    await b.bus.handle(ApproveInvoice(invoice_id, "Avtalt pris", "okonomi"))
    [approved] = published(b, contracts.InvoiceApproved)
    assert (approved.approved_amount, approved.supplier_orgnr, approved.agreement_kind) == (
        Decimal("3000.00"), ORGNR, "framework")
    with pytest.raises(Conflict):
        await b.bus.handle(AdjustLine(invoice_id, 1, Decimal("1"), "for sent", "okonomi"))
    assert [(d.action, d.decided_at) for _, d in b.store.decisions] == [("approve", b.now)]  # the one clock
    assert approved.approved_at == b.now


async def test_a_disputed_line_blocks_approval_and_nothing_is_kept():
    b = billing()
    _, _, data = await requisition_and_csv(b, amount="3100")  # 3 × 1000 is not 3100
    [invoice_id] = await b.bus.handle(ImportDocuments(data, "f.csv", "text/csv", "okonomi"))
    with pytest.raises(Conflict, match="omstridt"):
        await b.bus.handle(ApproveInvoice(invoice_id, "ok", "okonomi"))
    assert b.store.invoices[invoice_id].decision is None and b.store.decisions == []


async def test_a_dispute_frees_the_nights_for_the_next_invoice():
    b = billing()
    _, number, data = await requisition_and_csv(b)
    [first] = await b.bus.handle(ImportDocuments(data, "f.csv", "text/csv", "okonomi"))
    await b.bus.handle(DisputeInvoice(first, "Feil beløp", "okonomi"))
    again = data.replace(b";F-1;", b";F-2;")
    [second] = await b.bus.handle(ImportDocuments(again, "f.csv", "text/csv", "okonomi"))
    assert b.store.invoices[second].status == "matched" and b.store.invoices[second].payable == Decimal("3000.00")


async def test_unknown_invoice_or_line_is_not_found():
    b = billing()
    _, _, data = await requisition_and_csv(b)
    [invoice_id] = await b.bus.handle(ImportDocuments(data, "f.csv", "text/csv", "okonomi"))
    with pytest.raises(NotFound) as line:
        await b.bus.handle(AdjustLine(invoice_id, 9, Decimal("1"), "x", "okonomi"))
    assert line.value.field == "position"
    with pytest.raises(NotFound):
        await b.bus.handle(ApproveInvoice(placed().stay_id, "x", "okonomi"))


async def test_fixed_places_of_a_recorded_agreement_are_paid():
    b = billing()
    await deliver(b.bus, provider(fixed_places=2))
    data = csv_invoice([{"supplier_orgnr": ORGNR, "invoice_number": "FAST-1", "issue_date": "2026-04-01",
                         "requisition": "FASTE-PLASSER", "first_night": "2026-03-01", "last_night": "2026-03-31",
                         "nights": 62, "price_per_night": "800", "amount": "49600"}])
    [invoice_id] = await b.bus.handle(ImportDocuments(data, "f.csv", "text/csv", "okonomi"))
    assert (b.store.invoices[invoice_id].status, b.store.invoices[invoice_id].payable) == ("matched",
                                                                                           Decimal("49600.00"))


async def test_every_amount_announced_is_in_whole_ore():
    b = billing()
    _, _, data = await requisition_and_csv(b, price_per_night="999,995", amount="2999,99")
    [invoice_id] = await b.bus.handle(ImportDocuments(data, "f.csv", "text/csv", "okonomi"))
    await b.bus.handle(ApproveInvoice(invoice_id, "", "okonomi"))
    [reconciled] = published(b, contracts.InvoiceReconciled)
    [approved] = published(b, contracts.InvoiceApproved)
    for amount in (reconciled.claimed, reconciled.payable, approved.approved_amount):
        assert amount == amount.quantize(Decimal("0.01"))
    assert approved.approved_amount == Decimal("2999.99")


async def test_billing_knows_an_office_from_intakes_events_and_the_newest_state_wins():
    from datetime import UTC, datetime, timedelta

    b = billing()
    sagene = dict(office_id="nav-sagene", name="Nav Sagene", municipality="0301", district="Sagene",
                  phone="55553333")
    at = datetime(2026, 3, 1, 9, tzinfo=UTC)
    newer = envelope(contracts.OfficeChanged(**sagene | {"phone": "22334455"})).model_copy(update={"time": at})
    older = envelope(contracts.OfficeRegistered(**sagene)).model_copy(update={"time": at - timedelta(hours=1)})
    await deliver(b.bus, newer)
    await deliver(b.bus, older)  # late: changes nothing
    assert (b.store.offices["nav-sagene"].name, b.store.offices["nav-sagene"].phone) == ("Nav Sagene", "22334455")
    await deliver(b.bus, placed(office_id="nav-sagene"))
    [listed] = await b.queries.requisitions(None)
    assert (listed.office_id, listed.office_name) == ("nav-sagene", "Nav Sagene")
