"""Invoices through the whole stack (real PostgreSQL and broker): a household is placed, billing issues the
requisition; the supplier's EHF invoice is imported over the API and reconciled against the requisition and the
stay; the same invoice twice is a duplicate, not double pay; hostile XML is refused and nothing is stored; after
move-out nights are not payable; finance approves, the approved invoice cannot change; a credit note reduces
what was billed; the export and the spend have it; the events left through the outbox."""

import io
from datetime import date, timedelta
from decimal import Decimal

import asyncpg
import httpx
import pypdf
import pytest

from kit import clock
from tests.billing.factory import Line, csv_invoice, ehf, export_today, kroner
from tests.billing.test_documents import BILLION_LAUGHS, XXE, fifty_megabytes
from tests.conftest import eventually, granted_decision, login

pytestmark = [pytest.mark.integration]



async def place_household(client: httpx.AsyncClient, check_in: date, today: date) -> tuple[dict, dict, dict]:
    """Through intake and placement as a case worker; returns (worker headers, stay, unit)."""
    worker, decision_id = await granted_decision(client, period_from=check_in,
                                                 period_to=today + timedelta(days=30))
    unit = (await client.get(f"/placement/api/decisions/{decision_id}/matches", headers=worker)).json()["fits"][0]
    placed = await client.post("/placement/api/stays", headers=worker, json={
        "decision_id": decision_id, "unit_id": unit["unit_id"], "check_in": str(check_in)})
    assert placed.status_code == 201, placed.text
    return worker, placed.json(), unit


async def test_invoice_import_reconcile_settle_and_export(stack):
    today = clock.today()
    check_in = today - timedelta(days=10)
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, stay, unit = await place_household(client, check_in, today)
        finance = await login(client, "okonomi")

        async def requisition():
            r = await client.get("/billing/api/requisitions", headers=finance, params={"page_size": 200})
            return [q for q in r.json()["items"] if q["stay_id"] == stay["stay_id"]]
        [req] = await eventually(requisition)
        # Filtered by the stay, the list holds that requisition alone; by status, it is among the open ones.
        by_stay = await client.get("/billing/api/requisitions", headers=finance, params={"stay_id": stay["stay_id"]})
        assert by_stay.json()["items"] == [req]
        closed = await client.get("/billing/api/requisitions", headers=finance, params={"status": "closed"})
        assert req["number"] not in {q["number"] for q in closed.json()["items"]}
        number, price, orgnr = req["number"], Decimal(str(req["price_per_night"])), req["provider_orgnr"]

        # The case worker prints the requisition as a PDF in Norwegian.
        pdf = await client.get(f"/billing/api/requisitions/{number}.pdf", headers=worker)
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
        assert number in text and req["provider_name"] in text and check_in.strftime("%d.%m.%Y") in text

        # An invoice quoting the requisition: three good nights; then seven nights of which two are before
        # check-in and three were on the first line.
        invoice = ehf(number="F-1001", supplier_orgnr=orgnr, order_reference=number, lines=[
            Line(check_in, check_in + timedelta(days=2), price),
            Line(check_in - timedelta(days=2), check_in + timedelta(days=4), price)])
        first = await client.post("/billing/api/invoices", headers={**finance, "content-type": "application/xml"},
                                  content=invoice)
        assert first.status_code == 201, first.text
        [one] = first.json()["invoices"]
        assert one["status"] == "adjusted" and one["findings"] == ["nights_before_check_in", "nights_billed_twice"]
        l1, l2 = one["lines"]
        assert (l1["requisition"], l1["status"], l1["claimed_nights"]) == (number, "matched", 3)
        assert l1["payable_nights"] == 3
        assert (l2["status"], l2["claimed_nights"], l2["payable_nights"]) == ("adjusted", 7, 2)
        assert l2["findings"] == ["nights_before_check_in", "nights_billed_twice"] and len(l2["reasons"]) == 2
        assert Decimal(one["payable"]) == price * 5 and Decimal(one["claimed"]) == price * 10

        # The same invoice again: a duplicate, nothing payable twice.
        again = await client.post("/billing/api/invoices", headers={**finance, "content-type": "application/xml"},
                                  content=invoice)
        [dup] = again.json()["invoices"]
        assert dup["status"] == "disputed" and dup["findings"] == ["duplicate_invoice"] and Decimal(dup["payable"]) == 0

        # Hostile XML: refused with a clear error, nothing stored.
        before = (await client.get("/billing/api/invoices", headers=finance)).json()["total"]
        for hostile in (XXE, BILLION_LAUGHS):
            refused = await client.post("/billing/api/invoices", headers={**finance, "content-type": "application/xml"},
                                        content=hostile)
            assert refused.status_code == 422 and refused.json()["errors"][0]["loc"] == ["body", "document"]
            assert "DTD" in refused.json()["errors"][0]["msg"]
        huge = await client.post("/billing/api/invoices", headers={**finance, "content-type": "application/xml"},
                                 content=fifty_megabytes())
        assert huge.status_code == 413
        assert (await client.get("/billing/api/invoices", headers=finance)).json()["total"] == before == 2

        # Move-out three days ago: the requisition closes; nights from check-out on are not payable.
        check_out = today - timedelta(days=3)
        moved = await client.post(f"/placement/api/stays/{stay['stay_id']}/move-out", headers=worker,
                                  json={"check_out": str(check_out), "destination": "private_rental"})
        assert moved.status_code == 200, moved.text

        async def closed():
            return [q for q in await requisition() if q["status"] == "closed"]
        await eventually(closed)
        late = csv_invoice([{"supplier_orgnr": orgnr, "supplier_name": "Tilbyder", "invoice_number": "F-1002",
                             "issue_date": str(today), "requisition": number,
                             "first_night": str(check_in + timedelta(days=5)),
                             "last_night": str(today - timedelta(days=1)), "nights": 5,
                             "price_per_night": str(price), "amount": str(price * 5)}])
        second = await client.post("/billing/api/invoices", headers={**finance, "content-type": "text/csv"},
                                   content=late)
        [two] = second.json()["invoices"]
        assert two["lines"][0]["findings"] == ["nights_after_move_out"]
        assert two["lines"][0]["payable_nights"] == 2 and two["status"] == "adjusted"

        # Finance: adjust needs a comment; approve; an approved invoice does not change.
        no_comment = await client.post(f"/billing/api/invoices/{one['invoice_id']}/lines/2/adjust", headers=finance,
                                       json={"payable_amount": "0", "comment": ""})
        assert no_comment.status_code == 422
        approved = await client.post(f"/billing/api/invoices/{one['invoice_id']}/approve", headers=finance,
                                     json={"comment": "Ok etter avstemming"})
        assert approved.status_code == 200, approved.text
        assert approved.json()["decision"] == "approved" and Decimal(approved.json()["approved_amount"]) == price * 5
        changed = await client.post(f"/billing/api/invoices/{one['invoice_id']}/lines/1/adjust", headers=finance,
                                    json={"payable_amount": "1", "comment": "for sent"})
        assert changed.status_code == 409 and "ny faktura eller kreditnota" in changed.text
        disputed_dup = await client.post(f"/billing/api/invoices/{dup['invoice_id']}/approve", headers=finance,
                                         json={"comment": ""})
        assert disputed_dup.status_code == 409 and "omstridt" in disputed_dup.text

        # A credit note for the check-in night reduces what was billed.
        credit = ehf(number="K-1", supplier_orgnr=orgnr, order_reference=number, credit_note=True,
                     lines=[Line(check_in, check_in, price)])
        credited = await client.post("/billing/api/invoices", headers={**finance, "content-type": "application/xml"},
                                     content=credit)
        [note] = credited.json()["invoices"]
        assert (note["kind"], note["status"], Decimal(note["payable"])) == ("credit_note", "matched", -price)
        assert (await client.post(f"/billing/api/invoices/{note['invoice_id']}/approve", headers=finance,
                                  json={"comment": ""})).status_code == 200

        _, rows = await export_today(client, finance)
        mine = [r for r in rows if r["Rekvisisjon"] == number]
        assert len(mine) == 3 and mine[0]["Beløp (kr)"] == kroner(price * 3)
        assert mine[2]["Type"] == "Kreditnota" and (mine[2]["Netter"], mine[2]["Beløp (kr)"]) == ("-1", kroner(-price))
        spend = (await client.get("/billing/api/spend", headers=finance)).json()
        assert Decimal(spend["by_provider"][0]["amount"]) == price * 4 and spend["by_provider"][0]["nights"] == 4
        assert spend["outside_agreements"] == "0.00"

        # Case workers do not see invoices.
        assert (await client.get("/billing/api/invoices", headers=worker)).status_code == 403

    # The events left through the outbox to the broker.
    conn = await asyncpg.connect(stack.settings.service_database_url("billing"))
    try:
        async def published():
            rows = await conn.fetch("SELECT event_type FROM outbox WHERE published_at IS NOT NULL")
            types = [r["event_type"] for r in rows]
            return types if types.count("botilbud.billing.invoice-approved.v1") == 2 else None
        types = await eventually(published)
    finally:
        await conn.close()
    assert types.count("botilbud.billing.invoice-received.v1") == 4
    assert types.count("botilbud.billing.invoice-reconciled.v1") == 4
    assert "botilbud.billing.requisition-closed.v1" in types
