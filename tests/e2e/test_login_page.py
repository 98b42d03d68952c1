"""The web login, driven in a real browser: wrong password refused, right one lands on the overview."""

import pytest

from tests.conftest import browser_login

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.http_only]


async def test_wrong_password_is_refused_and_username_kept(stack, browser):
    page = await (await browser.new_context(base_url=stack.url)).new_page()
    await page.goto("/intake/")  # a page behind the login sends the visitor to it
    assert "/login" in page.url
    await page.get_by_label("Brukernavn").fill("veileder-grunerlokka")
    await page.get_by_label("Passord").fill("feil")
    await page.get_by_role("button", name="Logg inn").click()
    await page.get_by_role("alert").wait_for()
    assert await page.get_by_role("alert").inner_text() == "Feil brukernavn eller passord."
    assert await page.get_by_label("Brukernavn").input_value() == "veileder-grunerlokka"


async def test_case_worker_logs_in_and_sees_the_overview(stack, browser):
    page = await browser_login(browser, stack.url, "veileder-grunerlokka")
    assert await page.get_by_role("heading", level=1).inner_text() == "Midlertidig botilbud"
    await page.get_by_role("link", name="Søknader og vedtak").click()
    await page.get_by_role("heading", name="Saker ved Nav Grünerløkka").wait_for()
