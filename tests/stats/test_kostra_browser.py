"""A leader opens the KOSTRA page for a municipality in a real browser and downloads the XLSX."""

import asyncio
import io
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from services.stats.domain import kostra
from tests.conftest import browser_login, eventually, login
from tests.stats import workload
from tests.stats.conftest import inbox_count, publish

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def test_leader_opens_kostra_and_downloads_the_xlsx(stats_only, settings, browser):
    envelopes = workload.events(500, year=2025, seed=21)
    await publish(settings, envelopes)

    async def all_projected():
        return await inbox_count(stats_only) == len(envelopes)
    await eventually(all_projected, within=60)
    async with httpx.AsyncClient(base_url=stats_only.url, timeout=30) as client:
        expected = (await client.get("/stats/api/kostra?year=2025&municipality=0301&district=Grünerløkka",
                                     headers=await login(client, "leder-grunerlokka"))).json()
    assert expected["households"] > 0

    page = await browser_login(browser, stats_only.url, "leder-grunerlokka")
    await page.goto("/stats/")
    await page.get_by_label("År").fill("2025")
    await page.get_by_label("Kommunenummer").fill("0301")
    await page.get_by_label("Bydel (bare Oslo, valgfritt)").fill("Grünerløkka")
    await page.get_by_label("Bydel (bare Oslo, valgfritt)").press("Enter")  # the keyboard submits the form
    await page.get_by_role("heading", name="KOSTRA 2025 – Oslo kommune (0301), bydel Grünerløkka").wait_for()
    shown = await page.locator("td[data-key=households]").inner_text()
    assert int(shown) == expected["households"]

    async with page.expect_download() as info:
        await page.get_by_role("link", name="Last ned Excel (XLSX)").click()
    download = await info.value
    assert download.suggested_filename == "kostra-2025-0301-grunerlokka.xlsx"
    body = await asyncio.to_thread(Path(await download.path()).read_bytes)
    sheet = load_workbook(io.BytesIO(body)).active
    values = {row[0]: row[2] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert {k: values[k] for k in kostra.KEYS} == {k: expected[k] for k in kostra.KEYS}
    assert values["district"] == "Grünerløkka" and values["settings.over_days"] == 90

    # A wrong municipality number is named next to the field, and what was typed is kept.
    await page.get_by_label("Kommunenummer").fill("30")
    await page.get_by_role("button", name="Vis").click()
    await page.locator("#municipality-error").wait_for()
    assert await page.get_by_label("Kommunenummer").input_value() == "30"
