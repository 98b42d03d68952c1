"""Every main page of every role in a real browser, checked by axe-core against WCAG 2.1 A and AA (which Norwegian
public-sector web solutions must meet) and photographed: on one stack with the demo data and, made through the
APIs, a household granted and placed (so a stay and its requisition) and an imported invoice. Each role's pages
are the ones it can reach from its home page by links (one page of each kind: one case, one stay, one provider…),
the login page, a page that is not there and one the role may not see, and the forms after a bad submit.
No serious or critical violation on any of them, and nothing on them that the site's Content-Security-Policy
refuses (an inline style or script would be dropped silently in the user's browser); the screenshots' folder is
printed at the end of the run."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe

from kit import clock
from tests.billing.factory import Line, ehf
from tests.billing.test_invoices_through_the_stack import place_household
from tests.conftest import RECORD_CSP_VIOLATIONS, browser_login, eventually, login

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.http_only]

ROLES = ("veileder-grunerlokka", "leder-grunerlokka", "okonomi", "drift", "stab-oslo", "admin")
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}
BLOCKING = frozenset({"serious", "critical"})
MAX_PAGES_PER_ROLE = 60
# Not pages: downloads, the API and its docs, the assets, logging out.
NOT_PAGES = re.compile(r"(^/logout|/api/|/static/|/docs|/openapi\.json|\.(pdf|csv|xlsx|json|xml|ics)$)")
ID_SEGMENT = re.compile(r"^(?=.*\d)[\w.-]+$")
# A page another role has, which this role may not see (403), by role.
FORBIDDEN = {"veileder-grunerlokka": "/intake/offices", "leder-grunerlokka": "/intake/offices",
             "okonomi": "/intake/offices", "drift": "/intake/offices", "stab-oslo": "/intake/offices",
             "admin": "/intake/queue"}
# Forms sent wrong (empty, the browser's own checks off): the page with the form's errors.
BAD_SUBMITS = {"veileder-grunerlokka": ["/intake/applications/new"],
               "admin": ["/intake/offices/new", "/placement/providers/new"]}
# Pages a role's home page does not link to (the admin's offices are not in a menu).
STARTS = {"admin": ["/intake/offices", "/intake/audit"]}
BAD_QUERIES = {"stab-oslo": ["/stats/?year=tjue&municipality=x"]}


def kind_of(path: str) -> str:
    """A page's kind: its path with the ids taken out (one case page stands for all)."""
    return "/".join("{id}" if ID_SEGMENT.match(part) else part for part in path.split("/"))


async def demo_data_with_a_stay_and_an_invoice(base_url: str) -> None:
    today = clock.today()
    check_in = today - timedelta(days=5)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        _, stay, _ = await place_household(client, check_in, today)
        finance = await login(client, "okonomi")

        async def requisition():
            r = await client.get("/billing/api/requisitions", headers=finance, params={"stay_id": stay["stay_id"]})
            return r.json()["items"]
        [req] = await eventually(requisition)
        invoice = ehf(number="F-A11Y-1", supplier_orgnr=req["provider_orgnr"], order_reference=req["number"],
                      lines=[Line(check_in, check_in + timedelta(days=2), Decimal(str(req["price_per_night"])))])
        r = await client.post("/billing/api/invoices", headers={**finance, "content-type": "application/xml"},
                              content=invoice)
        assert r.status_code == 201, r.text


class Checker:
    def __init__(self, screenshots, role: str):
        self.axe = Axe()
        self.shots = screenshots
        self.role = role
        self.folder = screenshots.folder / role
        self.folder.mkdir(parents=True, exist_ok=True)
        self.found: list[str] = []
        self.count = 0

    async def check(self, page, name: str) -> None:
        """Photograph the page and run axe-core on it; its serious and critical violations are kept."""
        self.count += 1
        slug = re.sub(r"[^\w-]+", "-", name).strip("-") or "hjem"
        await page.screenshot(path=self.folder / f"{self.count:02d}-{slug}.png", full_page=True)
        self.shots.pages += 1
        results = await self.axe.run(page, options=AXE_OPTIONS)
        for violation in results.response["violations"]:
            self.shots.impacts[violation["impact"]] += len(violation["nodes"])
            if violation["impact"] in BLOCKING:
                targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
                self.found.append(f"{self.role} {name} ({page.url}): {violation['impact']} {violation['id']}"
                                  f" – {violation['help']}: {targets}")
        refused = await page.evaluate("window.cspViolations")
        if refused:
            self.found.append(f"{self.role} {name} ({page.url}): refused by the Content-Security-Policy: {refused}")


async def links_on(page, base_url: str) -> list[str]:
    hrefs = await page.eval_on_selector_all("header a[href], main a[href]", "els => els.map(e => e.href)")
    paths = []
    for href in hrefs:
        url = urlsplit(urljoin(page.url, href))
        if f"{url.scheme}://{url.netloc}" != base_url or NOT_PAGES.search(url.path):
            continue
        paths.append(url.path + (f"?{url.query}" if url.query else ""))
    return paths


async def walk(page, base_url: str, checker: Checker) -> set[str]:
    """From the home page, every kind of page the role reaches by links, each checked once."""
    seen: set[str] = set()
    queue = ["/", *STARTS.get(checker.role, [])]
    while queue and len(seen) < MAX_PAGES_PER_ROLE:
        path = queue.pop(0)
        kind = kind_of(urlsplit(path).path)
        if kind in seen:
            continue
        seen.add(kind)
        head = await page.context.request.get(path, max_redirects=0)
        if "text/html" not in head.headers.get("content-type", ""):
            continue
        response = await page.goto(path)
        assert response is not None and response.status < 500, (checker.role, path, response and response.status)
        await checker.check(page, kind)
        queue += [p for p in await links_on(page, base_url) if kind_of(urlsplit(p).path) not in seen]
    return seen


async def error_states(page, checker: Checker) -> None:
    await page.goto("/intake/finnes-ikke")
    await checker.check(page, "404")
    response = await page.goto(FORBIDDEN[checker.role])
    assert response is not None and response.status == 403, (checker.role, response and response.status)
    await checker.check(page, "403")
    for path in BAD_QUERIES.get(checker.role, []):
        await page.goto(path)
        await checker.check(page, f"feil-i-{kind_of(urlsplit(path).path)}")
    for path in BAD_SUBMITS.get(checker.role, []):
        await page.goto(path)
        await page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
        await page.locator("main form button[type=submit]").last.click()
        await page.wait_for_load_state()
        assert await page.locator("[aria-invalid=true], .field-error, p.error").count() > 0, (checker.role, path)
        await checker.check(page, f"feil-i-{path}")


async def test_every_page_of_every_role_has_no_serious_accessibility_violation(stack, browser, screenshots):
    await demo_data_with_a_stay_and_an_invoice(stack.url)
    found: list[str] = []

    # Logged out: the login page, and the same with a wrong password.
    anonymous = Checker(screenshots, "innlogging")
    context = await browser.new_context(base_url=stack.url, locale="nb-NO")
    await context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = await context.new_page()
    await page.goto("/login")
    await anonymous.check(page, "login")
    await page.get_by_label("Brukernavn").fill("veileder-grunerlokka")
    await page.get_by_label("Passord").fill("feil-passord")
    await page.get_by_role("button", name="Logg inn").click()
    await page.locator("p.error").wait_for()
    await anonymous.check(page, "login-feil-passord")
    await context.close()
    found += anonymous.found

    for role in ROLES:
        checker = Checker(screenshots, role)
        page = await browser_login(browser, stack.url, role)
        await page.context.add_init_script(RECORD_CSP_VIOLATIONS)
        kinds = await walk(page, stack.url, checker)
        assert len(kinds) >= 3, (role, kinds)
        await error_states(page, checker)
        await page.context.close()
        found += checker.found

    assert not found, f"{len(found)} serious or critical accessibility violations or refused inline code:\n" + \
        "\n".join(found)
