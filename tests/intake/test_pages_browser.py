"""The intake pages in a real browser (Playwright driving Debian's Chromium): a case worker registers a case,
decides it, and a leader approves it; errors show next to the field and what was typed is kept."""

from datetime import timedelta

import pytest

from tests.conftest import browser_login
from tests.intake.helpers import TODAY, number

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def test_register_decide_and_approve_a_case_through_the_pages(stack, browser):
    fnr = number(11)
    page = await browser_login(browser, stack.url, "veileder-grunerlokka")
    await page.goto("/intake/")
    await page.get_by_role("link", name="Ny søknad").click()
    await page.get_by_role("heading", name="Ny søknad om midlertidig botilbud").wait_for()

    # Look the person up first: not registered.
    await page.locator("#lookup_identity_number").fill(fnr)
    await page.locator("#lookup_purpose").fill("Ny søknad")
    await page.get_by_role("button", name="Finn husstanden").click()
    await page.get_by_text("Ingen husstand med dette nummeret").wait_for()
    assert await page.locator("#identity_number").input_value() == fnr
    assert fnr not in page.url

    # A mistake: the error stands next to the field and what was typed is kept.
    await page.locator("#name").fill("Brita Nettleser")
    await page.locator("#phone").fill("41234567")
    await page.locator("#children_birth_dates").fill("31.02.2019")
    await page.get_by_label("Haster: trenger sted i natt").check()
    await page.get_by_label("Trenger kjøkken").check()
    await page.get_by_role("button", name="Registrer søknaden").click()
    error = page.locator("#children_birth_dates-error")
    await error.wait_for()
    assert "Ugyldig dato" in await error.inner_text()
    assert await page.locator("#children_birth_dates").get_attribute("aria-invalid") == "true"
    assert await page.locator("#name").input_value() == "Brita Nettleser"
    assert await page.locator("#phone").input_value() == "41234567"
    assert await page.get_by_label("Trenger kjøkken").is_checked()

    await page.locator("#children_birth_dates").fill("01.05.2019")
    await page.get_by_role("button", name="Registrer søknaden").click()
    await page.get_by_role("heading", name="Søknad fra Brita Nettleser").wait_for()
    assert await page.locator("#case-status").inner_text() == "Mottatt"

    # Decide with a period that ends before it starts, then correctly.
    await page.get_by_label("Innvilget").check()
    await page.locator("#period_from").fill(str(TODAY + timedelta(days=10)))
    await page.locator("#period_to").fill(str(TODAY))
    await page.get_by_label("Boligskole").check()
    await page.get_by_role("button", name="Lagre vedtaket").click()
    await page.locator("#period_to-error").wait_for()
    assert "slutter før" in await page.locator("#period_to-error").inner_text()
    assert await page.get_by_label("Boligskole").is_checked()
    assert await page.get_by_label("Innvilget").is_checked()
    await page.locator("#period_from").fill(str(TODAY))
    await page.locator("#period_to").fill(str(TODAY + timedelta(days=20)))
    await page.locator("#consequence").fill("Nytt vedtak vurderes.")
    await page.get_by_role("button", name="Lagre vedtaket").click()
    await page.get_by_text("Venter på godkjenning fra en annen leder").wait_for()
    assert await page.locator("#case-status").inner_text() == "Venter på godkjenning"
    assert await page.get_by_text("Husstanden har barn").count() == 1  # the warning is shown
    case_url = page.url

    # The leader approves.
    leader = await browser_login(browser, stack.url, "leder-grunerlokka")
    await leader.goto("/intake/")
    await leader.get_by_role("link", name="Sak ").first.wait_for()
    await leader.goto(case_url)
    await leader.get_by_role("button", name="Godkjenn vedtaket").click()
    await leader.get_by_role("heading", name="Innvilget – Gjelder").wait_for()
    assert await leader.locator("#case-status").inner_text() == "Avgjort"

    # The household's history, and the leader's log of who looked at it.
    await leader.get_by_role("link", name="Husstandens sak og tidslinje").click()
    await leader.get_by_role("heading", name="Saken til Brita Nettleser").wait_for()
    await leader.goto("/intake/audit")
    rows = leader.locator("tbody tr")
    texts = " ".join(await rows.all_inner_texts())
    assert "veileder-grunerlokka" in texts and "Søk på fødselsnummer" in texts and "Åpnet husstand" in texts


async def test_lookup_finds_a_registered_household_and_fills_the_form(stack, browser):
    fnr = number(12)
    page = await browser_login(browser, stack.url, "veileder-bodo")
    await page.goto("/intake/applications/new")
    await page.locator("#identity_number").fill(fnr)
    await page.locator("#name").fill("Per Gjenkjent")
    await page.locator("#address").fill("Storgata 1")
    await page.get_by_role("button", name="Registrer søknaden").click()
    await page.get_by_role("heading", name="Søknad fra Per Gjenkjent").wait_for()

    await page.goto("/intake/applications/new")
    await page.locator("#lookup_identity_number").fill(fnr)
    await page.locator("#lookup_purpose").fill("Ny henvendelse")
    await page.keyboard.press("Enter")
    await page.get_by_role("status").filter(has_text="Husstanden er registrert").wait_for()
    assert await page.locator("#name").input_value() == "Per Gjenkjent"
    assert await page.locator("#address").input_value() == "Storgata 1"
