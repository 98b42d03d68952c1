"""Issue 15 in the browser (real Chromium, real stack): a case worker finds a household by name from the header
of a placement page and opens it; a leader approves a decision from the queue and sees the header's count drop."""

from datetime import timedelta

import httpx
import pytest

from tests.conftest import browser_login, granted_decision, login
from tests.intake.helpers import TODAY, application, granted, number

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def test_a_case_worker_finds_a_household_by_name_from_a_placement_pages_header(stack, browser):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, decision = await granted_decision(client, period_from=TODAY, period_to=TODAY + timedelta(days=20),
                                                  identity_number=number(20), name="Ingrid Søkeland")
        matches = (await client.get(f"/placement/api/decisions/{decision}/matches", headers=worker)).json()
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": decision, "unit_id": matches["fits"][0]["unit_id"], "check_in": str(TODAY)})
        assert placed.status_code == 201, placed.text
        household = placed.json()["household_id"]

    page = await browser_login(browser, stack.url, "veileder-grunerlokka")
    await page.goto(f"/placement/stays/{placed.json()['stay_id']}")
    await page.get_by_role("searchbox").fill("ingrid søke")
    await page.get_by_role("button", name="Søk", exact=True).click()
    await page.get_by_role("heading", name="Søk etter husstand").wait_for()
    assert "ingrid" not in page.url.lower()  # what was searched for never goes in the URL
    results = page.get_by_test_id("search-results")
    assert "Ingrid Søkeland" in await results.inner_text()
    await results.get_by_role("link", name="Ingrid Søkeland").click()
    await page.wait_for_url(f"**/intake/households/{household}")
    assert "Ingrid Søkeland" in await page.locator("h1").inner_text()


async def test_a_leader_approves_a_decision_from_the_queue_and_the_count_drops(stack, browser):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker = await login(client, "veileder-grunerlokka")
        applied = await client.post("/intake/api/applications", headers=worker, json=application(
            number(21), office="nav-grunerlokka", name="Nils Godkjenning"))
        decided = await client.post(f"/intake/api/applications/{applied.json()['application_id']}/decision",
                                    headers=worker, json=granted())
        assert decided.json()["status"] == "awaiting_approval", decided.text

    page = await browser_login(browser, stack.url, "leder-grunerlokka")
    await page.goto("/placement/")
    before = int(await page.get_by_test_id("leader-queue-count").inner_text())
    assert before >= 1
    await page.get_by_test_id("leader-queue").click()
    await page.get_by_role("heading", name="Til behandling for leder").wait_for()
    row = page.get_by_test_id("queue-decision").filter(has_text="Nils Godkjenning")
    await row.get_by_role("button", name="Godkjenn").click()
    await page.get_by_role("heading", name="Til behandling for leder").wait_for()
    assert await page.get_by_test_id("queue-decision").filter(has_text="Nils Godkjenning").count() == 0
    assert int(await page.get_by_test_id("leader-queue-count").inner_text()) == before - 1
    await page.goto("/billing/")  # another service's header agrees
    assert int(await page.get_by_test_id("leader-queue-count").inner_text()) == before - 1
