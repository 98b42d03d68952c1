"""The main case-worker journey with the keyboard alone (WCAG 2.1.1): log in, register an application, grant it
(the office's leader approves, also by keyboard), place the household in a unit and reach its requisition. Only
Tab, Shift+Tab, Enter, Space and typing into the focused field; every element reached shows a visible focus
ring (2.4.7), and the skip link takes the keyboard past the header to the page's content (2.4.1)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
import pytest

from botilbud.stack import DEMO_PASSWORD
from kit.clock import today
from tests.conftest import eventually, login
from tests.placement.helpers import fnr

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

MAX_TABS = 120
FOCUSED = """() => { const e = document.activeElement; if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  return {tag: e.tagName.toLowerCase(), id: e.id, type: e.type || "", value: e.value || "",
          href: e.getAttribute("href") || "", text: (e.innerText || (e.labels && e.labels[0] && e.labels[0].innerText)
          || "").trim(), outline: s.outlineStyle, width: parseFloat(s.outlineWidth) || 0,
          shadow: s.boxShadow}; }"""


def shows_focus(focused: dict) -> bool:
    return (focused["outline"] not in ("none", "") and focused["width"] >= 2) or focused["shadow"] not in ("none", "")


async def tab_to(page, matches, *, backwards: bool = False) -> dict:
    """Tab (or Shift+Tab) until the focused element is the one wanted; each element passed shows its focus."""
    for _ in range(MAX_TABS):
        await page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = await page.evaluate(FOCUSED)
        if focused is None:
            continue
        assert shows_focus(focused), f"no visible focus on {focused} at {page.url}"
        if matches(focused):
            return focused
    raise AssertionError(f"not reached with the keyboard at {page.url}")


def field(ident: str):
    return lambda f: f["id"] == ident


def named(text: str, tag: str | None = None):
    return lambda f: f["text"] == text and (tag is None or f["tag"] == tag)


async def type_into(page, ident: str, text: str) -> None:
    await tab_to(page, field(ident))
    await page.keyboard.type(text)


async def type_date(page, ident: str, day: date) -> None:
    """A date field takes its parts in the browser's own order: the first two typed tell which it is."""
    await tab_to(page, field(ident))
    await page.keyboard.type("01022030")
    value = await page.evaluate(f"document.getElementById('{ident}').value")
    month_first = value == "2030-01-02"
    assert month_first or value == "2030-02-01", value
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("Shift+Tab")
    first, second = (day.month, day.day) if month_first else (day.day, day.month)
    await page.keyboard.type(f"{first:02d}{second:02d}{day.year}")
    assert await page.evaluate(f"document.getElementById('{ident}').value") == day.isoformat()


async def press_on(page, matches, key: str = "Enter") -> None:
    await tab_to(page, matches)
    await page.keyboard.press(key)


async def keyboard_login(browser, base_url: str, username: str):
    context = await browser.new_context(base_url=base_url, locale="nb-NO")
    page = await context.new_page()
    await page.goto("/login")
    assert (await page.evaluate(FOCUSED))["id"] == "username"  # the form's first field has the focus
    await page.keyboard.type(username)
    await page.keyboard.press("Tab")
    await page.keyboard.type(DEMO_PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{base_url}/")
    return page


async def test_a_case_worker_goes_from_application_to_requisition_with_the_keyboard_alone(stack, browser):
    day = today()
    worker = await keyboard_login(browser, stack.url, "veileder-grunerlokka")

    # The skip link is the first stop, visible when focused, and takes the focus past the header.
    skip = await tab_to(worker, lambda f: True)
    assert skip["text"] == "Hopp til innholdet" and shows_focus(skip)
    assert await worker.locator("a.skip").is_visible()
    await worker.keyboard.press("Enter")
    assert worker.url.endswith("#main")
    after = await tab_to(worker, lambda f: True)
    assert await worker.evaluate("document.getElementById('main').contains(document.activeElement)"), after

    # To the case list by the menu, and on to a new application.
    await press_on(worker, named("Søknader", "a"))
    await worker.wait_for_url("**/intake/")
    await press_on(worker, named("Ny søknad", "a"))
    await worker.wait_for_url("**/intake/applications/new")
    await type_into(worker, "identity_number", fnr(date(1988, 6, 15)))
    await type_into(worker, "name", "Tastatur Testesen")
    await press_on(worker, lambda f: f["type"] == "checkbox" and f["text"] == "Uten fast bolig", "Space")
    await press_on(worker, lambda f: f["type"] == "checkbox" and f["text"].startswith("Haster"), "Space")
    await press_on(worker, named("Registrer søknaden", "button"))
    await worker.wait_for_url(re.compile(r".*/intake/applications/[0-9a-f-]{36}$"))
    case_url = worker.url

    # The decision: granted for two weeks from today.
    await press_on(worker, lambda f: f["type"] == "radio" and f["value"] == "granted", "Space")
    assert await worker.locator("input[name=outcome][value=granted]").is_checked()
    await type_date(worker, "period_from", day)
    await type_date(worker, "period_to", day + timedelta(days=14))
    await press_on(worker, named("Lagre vedtaket", "button"))
    # Grünerløkka wants a leader's second approval of a grant.
    await worker.locator("h3", has_text="Venter på godkjenning").wait_for()
    case_link = await worker.locator("a", has_text="Husstandens sak og tidslinje").get_attribute("href")
    household = case_link.rsplit("/", 1)[1]

    leader = await keyboard_login(browser, stack.url, "leder-grunerlokka")
    await leader.goto(case_url)
    await press_on(leader, named("Godkjenn vedtaket", "button"))
    await leader.locator("h3", has_text="Gjelder").wait_for()
    await leader.context.close()

    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        headers = await login(client, "veileder-grunerlokka")

        async def awaiting():
            r = await client.get("/placement/api/decisions/awaiting-place", headers=headers)
            return [d["decision_id"] for d in r.json() if d["household_id"] == household]
        [decision_id] = await eventually(awaiting)

    # Placement: the decisions awaiting a place, the places that fit, the first of them.
    await press_on(worker, named("Plassering", "a"))
    await worker.wait_for_url("**/placement/")
    await press_on(worker, named("Vedtak og opphold", "a"))
    await worker.wait_for_url("**/placement/decisions")
    await press_on(worker, lambda f: f["href"] == f"/placement/decisions/{decision_id}/places")
    await worker.wait_for_url(f"**/placement/decisions/{decision_id}/places")
    await press_on(worker, lambda f: f["type"] == "radio" and f["id"].startswith("u-"), "Space")
    await press_on(worker, named("Plasser husstanden", "button"))
    await worker.wait_for_url(re.compile(r".*/placement/stays/[0-9a-f-]{36}\?placed=1$"))

    # From the stay to its requisition (billing issues it from the placement's event).
    await press_on(worker, lambda f: f["text"] == "Rekvisisjonen")
    await worker.wait_for_url(re.compile(r".*/billing/(stays|requisitions)/[^/]+$"))

    async def requisition_shown():
        if "/billing/requisitions/" in worker.url:
            return True
        await worker.reload(wait_until="load")
        return "/billing/requisitions/" in worker.url
    await eventually(requisition_shown)
    assert "Rekvisisjon" in await worker.locator("h1").inner_text()
    await worker.context.close()
