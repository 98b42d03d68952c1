"""The kit's pages in a real browser on the running system: the API docs under the site's Content-Security-Policy,
the error pages, and the menus each role is offered."""

import pytest

from botilbud.stack import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation",
    e => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


async def test_api_docs_list_the_operations_and_log_in_under_the_csp(stack, browser):
    context = await browser.new_context(base_url=stack.url)
    await context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = await context.new_page()
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    await page.goto("/intake/docs")
    applications = page.locator(".opblock", has_text="/api/applications").first
    await applications.wait_for()
    assert await page.locator(".opblock").count() >= 10

    # The "Authorize" dialog shows both ways to a token and logs in with the password flow.
    await page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".modal-ux")
    assert "POST /api/token" in await dialog.inner_text()
    await dialog.get_by_label("username:").fill("veileder-grunerlokka")
    await dialog.get_by_label("password:").fill(DEMO_PASSWORD)
    await dialog.get_by_role("button", name="Apply given OAuth2 credentials").click()
    await dialog.locator("button", has_text="Logout").wait_for()
    await dialog.locator("button.btn-done").first.click()

    # A call from the docs with that token: the case worker's list of applications.
    listing = page.locator(".opblock-get", has_text="/api/applications").first
    await listing.locator(".opblock-summary").click()
    await listing.get_by_role("button", name="Try it out").click()
    await listing.get_by_role("button", name="Execute").click()
    status = listing.locator(".live-responses-table tbody .response-col_status").first
    await status.wait_for()
    assert (await status.inner_text()).strip() == "200"
    assert "Bearer " in await listing.locator(".curl").inner_text()

    assert await page.evaluate("window.cspViolations") == []
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
    await context.close()
