"""Payment exports through the stack: finance exports a period, then an overlapping one after approving more —
the second pays only the new line; a download again gives the same bytes; a bad period is a 422 problem."""

from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from kit import clock
from tests.billing.factory import csv_invoice, kroner
from tests.billing.test_bad_input_through_the_stack import requisition_of
from tests.billing.test_invoices_through_the_stack import place_household
from tests.conftest import login

pytestmark = [pytest.mark.integration]


async def approved_invoice(client, finance, req, number: str, first, nights: int) -> None:
    price = Decimal(req["price_per_night"])
    data = csv_invoice([{"supplier_orgnr": req["provider_orgnr"], "invoice_number": number,
                         "issue_date": str(clock.today()), "requisition": req["number"], "first_night": str(first),
                         "last_night": str(first + timedelta(days=nights - 1)), "nights": nights,
                         "price_per_night": str(price), "amount": str(price * nights)}])
    r = await client.post("/billing/api/invoices", headers={**finance, "content-type": "text/csv"}, content=data)
    [invoice] = r.json()["invoices"]
    approved = await client.post(f"/billing/api/invoices/{invoice['invoice_id']}/approve", headers=finance,
                                 json={"comment": ""})
    assert approved.status_code == 200, approved.text


async def rows_of(client, finance, export: dict) -> tuple[bytes, list[list[str]]]:
    body = (await client.get(export["download"], headers=finance)).content
    return body, [r.split(";") for r in body.decode("utf-8-sig").splitlines()]


async def test_overlapping_exports_pay_each_line_once_and_download_the_same_file(stack):
    today = clock.today()
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        _, stay, _ = await place_household(client, today - timedelta(days=6), today)
        finance = await login(client, "okonomi")
        req = await requisition_of(client, finance, stay["stay_id"])
        price = Decimal(req["price_per_night"])
        await approved_invoice(client, finance, req, "EKSP-1", today - timedelta(days=6), 2)

        period = {"period_from": str(today - timedelta(days=1)), "period_to": str(today)}
        due = (await client.get("/billing/api/exports/due", headers=finance, params=period)).json()
        first = await client.post("/billing/api/exports", headers=finance, json=period)
        assert first.status_code == 201, first.text
        one = first.json()
        assert (one["lines"], one["total"]) == (due["lines"], due["total"]) and due["lines"] >= 1
        body, rows = await rows_of(client, finance, one)
        assert rows[0][:3] == ["Eksport", "Faktura-id", "Type"]
        mine = [r for r in rows if "EKSP-1" in r]
        assert len(mine) == 1 and mine[0][-2:] == ["2", kroner(price * 2)]
        assert mine[0][12] == f"{today - timedelta(days=6):%d.%m.%Y}"

        await approved_invoice(client, finance, req, "EKSP-2", today - timedelta(days=4), 1)
        overlapping = {"period_from": str(today.replace(day=1)), "period_to": str(today)}
        second = await client.post("/billing/api/exports", headers=finance, json=overlapping)
        assert second.status_code == 201, second.text
        _, rows_two = await rows_of(client, finance, second.json())
        numbers = [r[5] for r in rows_two[1:] if len(r) > 5]
        assert "EKSP-2" in numbers and "EKSP-1" not in numbers and second.json()["lines"] == 1
        again, _ = await rows_of(client, finance, one)
        assert again == body

        nothing = await client.post("/billing/api/exports", headers=finance, json=overlapping)
        assert nothing.status_code == 409
        listed = (await client.get("/billing/api/exports", headers=finance)).json()
        assert [e["id"] for e in listed[:2]] == [second.json()["id"], one["id"]]

        for bad, field in (({"period_from": str(today), "period_to": str(today - timedelta(days=1))}, "period_from"),
                           ({"period_from": str(today), "period_to": str(today + timedelta(days=1))}, "period_to")):
            r = await client.post("/billing/api/exports", headers=finance, json=bad)
            assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
            assert r.json()["errors"][0]["loc"] == ["body", field]
        due = await client.get("/billing/api/exports/due", headers=finance,
                               params={"period_from": str(today), "period_to": str(today - timedelta(days=1))})
        assert due.status_code == 422 and due.json()["errors"][0]["loc"] == ["query", "period_from"], due.text

        page = await client.get("/billing/export", headers=finance)
        assert page.status_code == 200 and f"/billing/api/exports/{one['id']}.csv" in page.text
        assert "Tidligere eksporter" in page.text
