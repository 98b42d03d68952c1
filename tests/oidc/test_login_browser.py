"""Logging in through the municipality's identity provider — a real Keycloak — in a real browser: a case
worker sees the office's cases, the municipality's staff sees its KOSTRA page and no case, and logging out
ends the provider's session too (the next login asks for the password again)."""

import pytest

from tests.oidc.conftest import browser_login, keycloak_login

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.http_only]


async def test_a_case_worker_logs_in_at_the_provider_and_sees_the_office_s_cases(oidc_stack, browser):
    page = await browser_login(browser, oidc_stack, "veileder-grunerlokka", "/intake/")
    await page.get_by_role("heading", name="Saker ved Nav Grünerløkka").wait_for()
    assert await page.locator("a[href^='/intake/applications/']").count() > 0
    header = await page.locator("header").inner_text()
    assert "Bostedsløsekonsulent · Nav Grünerløkka" in header and "nav-grunerlokka" not in header


async def test_municipality_staff_sees_the_municipality_s_statistics_and_no_case(oidc_stack, browser):
    page = await browser_login(browser, oidc_stack, "stab-oslo", "/")
    assert await page.locator("main a").all_inner_texts() == ["Statistikk og KOSTRA"]  # the front page: stats only
    assert await page.locator("header nav a").all_inner_texts() == ["Statistikk"]
    assert "Kommunens stab" in await page.locator("header").inner_text()
    await page.goto("/stats/")
    await page.get_by_role("heading", name=f"KOSTRA {await page.locator('#year').input_value()} – Oslo kommune (0301)")\
        .wait_for()
    assert await page.locator("td[data-key='households']").count() == 1

    refused = await page.goto("/intake/")
    assert refused.status == 403
    assert "Rollen din har ikke tilgang" in await page.locator("main").inner_text()
    refused = await page.goto("/stats/?municipality=1103")
    assert refused.status == 403
    assert "egen kommune" in await page.locator("main").inner_text()


async def test_logout_ends_the_provider_s_session_too(oidc_stack, browser):
    page = await browser_login(browser, oidc_stack, "okonomi", "/billing/")
    await page.get_by_role("button", name="Logg ut").click()
    await page.get_by_role("link", name="Logg inn med kommunens innlogging").wait_for()
    assert page.url == f"{oidc_stack.url}/login"
    assert (await page.goto("/billing/")).url.startswith(oidc_stack.oidc.issuer)  # sent to the provider again
    await page.locator("#password").wait_for()  # which asks for the password: its session is gone
    await keycloak_login(page, "okonomi")
    await page.wait_for_url(f"{oidc_stack.url}/billing/")


async def test_a_person_without_a_role_in_botilbud_is_refused_with_a_norwegian_page(oidc_stack, browser):
    context = await browser.new_context(base_url=oidc_stack.url, locale="nb-NO")
    page = await context.new_page()
    await page.goto("/")
    await keycloak_login(page, "uten-rolle")
    await page.get_by_text("Du har ingen rolle i Botilbud").wait_for()
    assert "botilbud_session" not in {c["name"] for c in await context.cookies()}
    await page.get_by_role("button", name="Logg ut av kommunens innlogging").click()
    await page.get_by_role("link", name="Logg inn med kommunens innlogging").wait_for()
