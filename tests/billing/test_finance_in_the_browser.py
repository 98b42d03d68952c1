"""Finance in a real browser: uploads a supplier's EHF invoice, opens it, sees the finding next to the requisition
and the stay, adjusts the disputed line (an empty reason is refused next to the field, the typed amount kept),
approves the invoice and downloads the export."""

from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from kit import clock
from tests.billing.factory import Line, ehf, kroner
from tests.billing.test_documents import XXE
from tests.billing.test_invoices_through_the_stack import place_household
from tests.conftest import browser_login, eventually, login

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def test_finance_adjusts_approves_and_exports(stack, browser, tmp_path):
    today = clock.today()
    check_in = today - timedelta(days=6)
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        _, stay, _ = await place_household(client, check_in, today)
        finance = await login(client, "okonomi")

        async def requisition():
            r = await client.get("/billing/api/requisitions", headers=finance, params={"page_size": 200})
            return [q for q in r.json()["items"] if q["stay_id"] == stay["stay_id"]]
        [req] = await eventually(requisition)
    price = Decimal(str(req["price_per_night"]))
    # Line 2 states a wrong amount (arithmetic_error): disputed until finance settles it.
    path = tmp_path / "faktura-F-77.xml"
    path.write_bytes(ehf(number="F-77", supplier_orgnr=req["provider_orgnr"], order_reference=req["number"], lines=[
        Line(check_in, check_in + timedelta(days=1), price),
        Line(check_in + timedelta(days=2), check_in + timedelta(days=3), price, amount=price * 2 + 500)]))

    page = await browser_login(browser, stack.url, "okonomi")
    await page.goto("/billing/invoices")
    # A hostile file is refused next to the field, and nothing is stored.
    hostile = tmp_path / "farlig.xml"
    hostile.write_bytes(XXE)
    await page.get_by_label("EHF-faktura eller kreditnota (XML), eller CSV").set_input_files(str(hostile))
    await page.get_by_role("button", name="Last opp og avstem").click()
    assert "DTD" in await page.locator("#document-error").inner_text()
    assert await page.get_by_text("Ingen fakturaer mottatt.").count() == 1

    await page.get_by_label("EHF-faktura eller kreditnota (XML), eller CSV").set_input_files(str(path))
    await page.get_by_role("button", name="Last opp og avstem").click()
    await page.get_by_role("heading", name="Faktura F-77", exact=False).wait_for()
    assert "Omstridt" in await page.locator("#status").inner_text()
    line2 = page.locator("#linje-2")
    assert "Regnefeil" in await line2.inner_text() and "arithmetic_error" not in await line2.inner_text()  # a label
    assert req["number"] in await line2.inner_text()  # the requisition beside the line
    assert check_in.strftime("%d.%m.%Y") in await line2.inner_text()  # and the stay

    # Approving with a disputed line is refused with the reason.
    await page.get_by_role("button", name="Godkjenn for betaling").click()
    assert "omstridt" in await page.get_by_role("alert").inner_text()

    await page.get_by_label("Beløp til betaling, linje 2").fill("to tusen")
    await page.get_by_label("Begrunnelse, linje 2").fill("Rettet")
    await page.get_by_role("button", name="Juster linje 2").click()
    assert "Skriv et beløp" in await page.locator("#belop-2-feil").inner_text()
    assert await page.get_by_label("Begrunnelse, linje 2").input_value() == "Rettet"  # what was typed is kept

    amount = f"{price * 2:.2f}".replace(".", ",")
    await page.get_by_label("Beløp til betaling, linje 2").fill(amount)
    await page.get_by_label("Begrunnelse, linje 2").fill("")
    await page.get_by_role("button", name="Juster linje 2").click()
    error = page.locator("#kommentar-2-feil")
    await error.wait_for()
    assert "kommentar" in (await error.inner_text()).lower()
    assert await page.get_by_label("Beløp til betaling, linje 2").input_value() == amount

    await page.get_by_label("Begrunnelse, linje 2").fill("Beløpet rettet til 2 netter à avtalt pris")
    await page.get_by_role("button", name="Juster linje 2").click()
    await page.wait_for_url("**/invoices/**#linje-2")
    assert "Justert" in await page.locator("#status").inner_text()

    await page.get_by_label("Kommentar").fill("Godkjent etter justering av linje 2")
    await page.get_by_role("button", name="Godkjenn for betaling").click()
    await page.get_by_text("Godkjent av okonomi").wait_for()
    assert await page.get_by_role("button", name="Juster linje 2").count() == 0  # no silent change after approval

    await page.get_by_role("link", name="Eksport og forbruk").click()
    await page.get_by_role("heading", name="Eksport og forbruk").wait_for()
    await page.get_by_role("button", name="Vis hva som er til betaling").click()
    await page.locator("#til-betaling").wait_for()
    await page.get_by_role("button", name="Lag eksport for").click()
    await page.wait_for_url("**/export?laget=*")
    async with page.expect_download() as download_info:
        await page.locator("tr[aria-current] a[download]").click()
    download = await download_info.value
    exported = (tmp_path / "export.csv")
    await download.save_as(exported)
    rows = [r for r in exported.read_text(encoding="utf-8-sig").strip().splitlines() if req["number"] in r]
    assert [r.split(";")[-1] for r in rows] == [kroner(price * 2), kroner(price * 2)]
