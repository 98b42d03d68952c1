"""A case worker in the browser (real Chromium, real stack) opens a household's case page, follows the stay to
its requisition and to the invoice line billed against it and back, and downloads the requisition and the
decision letter from the case page; pypdf reads the guest's name, the unit's name and address, the office's
name and phone, and the appeal deadline."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import httpx
import pytest

from kit.clock import today
from tests.billing.factory import csv_invoice
from tests.conftest import browser_login, eventually, login
from tests.e2e.test_papers_in_the_browser import NAME, downloaded
from tests.placement.helpers import grant

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def test_a_case_worker_follows_the_case_from_stay_to_requisition_to_invoice_line_and_back(stack, browser):
    day = today()
    check_in = day - timedelta(days=5)
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker = await login(client, "veileder-grunerlokka")
        case = await grant(client, worker, period_from=check_in, period_to=day + timedelta(days=20))
        matches = await client.get(f"/placement/api/decisions/{case['decision_id']}/matches", headers=worker)
        place = matches.json()["fits"][0]  # the provider, the unit's name and address
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": case["decision_id"], "unit_id": place["unit_id"], "check_in": str(check_in)})
        assert placed.status_code == 201, placed.text
        stay_id = placed.json()["stay_id"]
        finance = await login(client, "okonomi")

        async def requisition():
            return (await client.get("/billing/api/requisitions", headers=finance,
                                     params={"stay_id": stay_id})).json()["items"]
        [req] = await eventually(requisition)
        price = Decimal(str(req["price_per_night"]))
        invoice_number = f"B-{uuid4().hex[:6]}"
        imported = await client.post("/billing/api/invoices", headers={**finance, "content-type": "text/csv"},
                                     content=csv_invoice([{
                                         "supplier_orgnr": req["provider_orgnr"], "supplier_name": "Tilbyder",
                                         "invoice_number": invoice_number, "issue_date": str(day),
                                         "requisition": req["number"], "first_night": str(check_in),
                                         "last_night": str(check_in + timedelta(days=1)), "nights": 2,
                                         "price_per_night": str(price), "amount": str(price * 2)}]))
        assert imported.status_code == 201, imported.text
        invoice_id = imported.json()["invoices"][0]["invoice_id"]

    page = await browser_login(browser, stack.url, "veileder-grunerlokka")
    case_page = f"/intake/households/{case['household_id']}"
    await page.goto(case_page)
    main = page.locator("main")
    assert f"Saken til {NAME}" in await main.inner_text()
    timeline = await page.locator("[data-testid=timeline]").inner_text()
    for expected in (f"Plassert i {place['provider']}, {place['unit']}", f"Rekvisisjon {req['number']} utstedt",
                     f"Faktura {invoice_number}", "Veileder, Nav Grünerløkka (veileder-grunerlokka)",
                     "Økonomi (okonomi)"):
        assert expected in timeline, expected
    assert not await page.locator("[data-testid=missing-part]").count()

    # The stay, from the case; from the stay, its requisition; the requisition lists the line billed against it.
    await page.locator(f"[data-testid=stay] a[href='/placement/stays/{stay_id}']").click()
    await page.wait_for_url(f"**/placement/stays/{stay_id}")
    await page.locator("[data-testid=requisition-link]").click()
    await page.wait_for_url(f"**/billing/requisitions/{req['number']}")
    line = page.locator(f"#line-{invoice_id}-1")
    assert invoice_number in await line.inner_text()
    await page.locator("[data-testid=stay-link]").click()  # back to the stay, and from it to the case
    await page.wait_for_url(f"**/placement/stays/{stay_id}")
    await page.locator("[data-testid=case-link]").click()
    await page.wait_for_url(f"**{case_page}")

    # The invoice line, straight from the case page, and back.
    await page.locator("[data-testid=invoice-line]").first.click()
    await page.wait_for_url(f"**/billing/requisitions/{req['number']}#line-{invoice_id}-1")
    assert await line.is_visible()
    await page.locator("[data-testid=case-link]").click()
    await page.wait_for_url(f"**{case_page}")

    text = await downloaded(page, page.locator("[data-testid=requisition-pdf]").first)
    for expected in (NAME, place["unit"].replace("–", "-"), place["address"], "Nav Grünerløkka", "55 55 33 33",
                     req["number"]):
        assert expected in text, expected
    letter = await downloaded(page, page.locator("[data-testid=letter]").first)
    deadline = (day + timedelta(weeks=3)).strftime("%d.%m.%Y")
    for expected in (NAME, "sosialtjenesteloven § 27", "forvaltningsloven § 29", deadline, "Nav Grünerløkka",
                     "55 55 33 33"):
        assert expected in letter, expected
