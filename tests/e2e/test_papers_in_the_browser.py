"""A case worker in the browser (real Chromium, real stack) sees who the household is on the stay and the
requisition, and downloads the requisition and the decision letter as the pages link them; pypdf reads what a
provider and the person would: the guest's name, the unit's name and address, the office's name and phone, the
appeal deadline."""

import io
from datetime import timedelta

import httpx
import pypdf
import pytest

from kit.clock import today
from tests.conftest import browser_login, eventually, login
from tests.placement.helpers import grant

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
TODAY = today()
NAME = "Test Testesen"  # as grant() registers the household


async def downloaded(page, link) -> str:
    """The PDF behind a link, fetched as the browser does (its session), read as text."""
    r = await page.request.get(await link.get_attribute("href"))
    assert r.status == 200 and r.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(await r.body()))
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


async def test_a_case_worker_sees_who_and_downloads_the_requisition_and_the_decision_letter(stack, browser):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker = await login(client, "veileder-grunerlokka")
        case = await grant(client, worker, period_from=TODAY, period_to=TODAY + timedelta(days=20))

    page = await browser_login(browser, stack.url, "veileder-grunerlokka")
    await page.goto(f"/placement/decisions/{case['decision_id']}/places")
    assert NAME in await page.locator("main").inner_text()
    await page.locator("input[name=unit_id]").first.check()
    await page.get_by_role("button", name="Plasser husstanden").click()
    await page.get_by_text("Husstanden er plassert.").wait_for()
    assert NAME in await page.locator("[data-testid=household]").inner_text()
    unit = await page.locator("dd").nth(1).inner_text()  # the stay's «Enhet»: name (beds), address

    async def requisition_listed():
        await page.goto("/billing/")
        return await page.locator("a[href^='/billing/requisitions/R']").count()
    await eventually(requisition_listed)
    await page.locator("a[href^='/billing/requisitions/R']").first.click()
    assert NAME in await page.locator("[data-testid=guest]").inner_text()
    text = await downloaded(page, page.get_by_role("link", name="Åpne PDF"))
    unit_name, address = unit.split(" (")[0].replace("–", "-"), unit.rsplit("), ", 1)[1]  # the PDF's Latin-1
    for expected in (NAME, "04.03.1985", unit_name, address, "Nav Grünerløkka", "55 55 33 33",
                     "cac:OrderReference/cbc:ID"):
        assert expected in text, expected

    await page.goto("/intake/?alle=1")  # decided: among all the cases
    await page.get_by_role("link", name=NAME).first.click()
    letter = await downloaded(page, page.locator("[data-testid=letter]").first)
    deadline = (TODAY + timedelta(weeks=3)).strftime("%d.%m.%Y")
    for expected in (NAME, "Vedtak om midlertidig botilbud", "sosialtjenesteloven § 27", "forvaltningsloven § 29",
                     deadline, "Nav Grünerløkka", "55 55 33 33"):
        assert expected in letter, expected
