"""The kit's pages in a real browser on the running system: the API docs under the site's Content-Security-Policy,
the error pages, the menus each role is offered, and the header's names of the user's office and municipality."""

import re
from html.parser import HTMLParser

import httpx
import pytest

from botilbud.stack import DEMO_PASSWORD
from tests.conftest import RECORD_CSP_VIOLATIONS, browser_login, eventually, login

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.http_only]

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


MENUS = {
    "veileder-grunerlokka": ["intake", "placement", "billing", "stats"],
    "leder-grunerlokka": ["intake", "placement", "billing", "stats"],
    "okonomi": ["placement", "billing", "stats"],
    "drift": ["placement", "stats"],
    "admin": ["intake", "placement", "billing", "stats"],
    "stab-oslo": ["stats"],
}
HEADER_NAMES = {"veileder-grunerlokka": ("Nav Grünerløkka", "nav-grunerlokka"), "stab-oslo": ("Oslo kommune", "0301")}
"""What the header names the user's office or municipality by, and the code it must not show instead."""


def who(html: str) -> str:
    """What the header says of the logged-in user beside the name (which may itself name the office): the role and
    the office or municipality."""
    found = re.search(r'<span class="who[^"]*">.*?<span class="bl-detail">(.*?)</span></span>', html, re.S)
    return re.sub(r"\s+", " ", found.group(1)).strip() if found else ""


async def header_names(client: httpx.AsyncClient, path: str, name: str, code: str) -> None:
    """The page's header shows `name` and not `code`, within a few seconds."""
    shown = []

    async def named() -> bool:
        shown.append(who((await client.get(path, follow_redirects=True)).text))
        return name in shown[-1] and code not in shown[-1]

    try:
        await eventually(named, within=15, interval=0.5)
    except AssertionError:
        pytest.fail(f"the header of {path} shows {shown[-1]!r}, not {name!r}")


def links_in(html: str, menu: str) -> list[str]:
    """The site's links inside the `<nav>` elements named `menu` (its aria-label), or inside any if "nav"."""

    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.depth, self.found = 0, []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "nav" and (menu == "nav" or attrs.get("aria-label") == menu):
                self.depth += 1
            elif tag == "a" and self.depth and attrs.get("href", "").startswith("/"):
                self.found.append(attrs["href"])

        def handle_endtag(self, tag):
            if tag == "nav" and self.depth:
                self.depth -= 1

    parser = Links()
    parser.feed(html)
    return parser.found


async def test_the_front_page_and_menus_offer_only_what_each_role_may_use(stack):
    refused, wrong = [], []
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        for username, expected in MENUS.items():
            client.headers.update(await login(client, username))
            front = await client.get("/")
            offered = [href.strip("/") for href in links_in(front.text, "Hovedmeny")]
            listed = [href.strip("/") for href in links_in(front.text, "Tjenester")]
            if offered != expected or listed != expected:
                wrong.append(f"{username}: menu {offered}, front page {listed}, expected {expected}")
            for service in ("intake", "placement", "billing", "stats"):
                page = await client.get(f"/{service}/", follow_redirects=True)
                if page.status_code != (200 if service in expected else 403):
                    wrong.append(f"{username}: /{service}/ answers {page.status_code}")
                if page.status_code != 200:
                    continue
                # Every link of every menu on the page (the main menu and the service's own) opens for the role.
                for href in dict.fromkeys(links_in(page.text, "nav")):
                    if (await client.get(href, follow_redirects=True)).status_code == 403:
                        refused.append(f"{username}: {href} (offered on /{service}/)")
    assert not wrong, wrong
    assert not refused, f"pages offered that the role may not open: {refused}"

    # The front page's header and every service's name the office and the municipality, not their codes (an
    # office's name may reach a service a moment after the start: its event).
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        for username, (name, code) in HEADER_NAMES.items():
            client.headers.update(await login(client, username))
            for path in ("/", *(f"/{service}/" for service in MENUS[username])):
                await header_names(client, path, name, code)


async def test_errors_on_the_running_system_are_norwegian_pages_and_api_problems(stack, browser):
    page = await browser_login(browser, stack.url, "veileder-grunerlokka")
    for path, status, heading in [("/intake/finnes-ikke", 404, "Fant ikke det du så etter"),
                                  ("/finnes-ikke", 404, "Fant ikke det du så etter"),
                                  ("/intake/applications/ikke-en-id", 422, "Opplysningene kan ikke brukes"),
                                  ("/intake/audit", 403, "Ingen tilgang")]:
        answer = await page.goto(path)
        assert answer.status == status, path
        assert await page.get_by_role("heading", level=1).inner_text() == heading
        text = await page.locator("main").inner_text()
        assert "{" not in text and "detail" not in text and "Not Found" not in text, text
        assert await page.get_by_role("link", name="Til forsiden").count() == 1
    await page.get_by_role("link", name="Til Søknader og vedtak").click()
    await page.wait_for_url(f"{stack.url}/intake/")
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker = await login(client, "veileder-grunerlokka")
        for path in ("/intake/api/finnes-ikke", "/intake/api/applications/ikke-en-id", "/intake/api/audit"):
            r = await client.get(path, headers=worker)
            assert r.status_code in (403, 404, 422) and r.headers["content-type"] == "application/problem+json"
