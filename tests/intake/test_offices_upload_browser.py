"""The administrator imports the municipality's offices file on the offices page, as the runbook's first step:
a check first (every bad row with its line, nothing written), then the file; the same file again changes nothing."""

import httpx
import pytest

from tests.conftest import browser_login, login

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.http_only]

GOOD = ("office,municipality,district,second_approval,address,phone,email\n"
        "Nav Åsane,4601,,no,,55556000,bolig.asane@nav.example\n"
        "Nav Fana,4601,,yes,,,\n")
BAD = GOOD + "Nav Ingensteds,9999,,no,,,\nNav Feil,4601,,no,,12,\n"


async def test_the_offices_file_is_checked_then_imported_on_the_page(stack, browser, tmp_path):
    bad, good = tmp_path / "kontorer-med-feil.csv", tmp_path / "kontorer.csv"
    bad.write_text(BAD, encoding="utf-8")
    good.write_text(GOOD, encoding="utf-8")
    page = await browser_login(browser, stack.url, "admin")
    await page.goto("/intake/offices")

    await page.get_by_label("Fil med Nav-kontorer (CSV)").set_input_files(str(bad))
    await page.get_by_role("button", name="Last opp").click()
    status = await page.locator("#import-status").inner_text()
    assert "2 rader med feil" in status
    problems = await page.locator("#problems tbody tr").all_inner_texts()
    assert [p.split("\t")[0] for p in problems] == ["4", "5"], problems
    assert "9999" in problems[0]

    await page.goto("/intake/offices")
    await page.get_by_label("Fil med Nav-kontorer (CSV)").set_input_files(str(good))
    await page.get_by_role("button", name="Last opp").click()
    assert "Bare kontroll" in await page.locator("#import-status").inner_text()
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        admin = await login(client, "admin")
        names = {o["name"] for o in (await client.get("/intake/api/offices", headers=admin)).json()}
        assert "Nav Åsane" not in names  # a check writes nothing

        for expected in ("Importert: 2 nye", "Ingenting å endre"):
            await page.goto("/intake/offices")
            await page.get_by_label("Fil med Nav-kontorer (CSV)").set_input_files(str(good))
            await page.get_by_label("Bare kontroller (ingenting lagres)").uncheck()
            await page.get_by_role("button", name="Last opp").click()
            assert expected in await page.locator("#import-status").inner_text()
        offices = (await client.get("/intake/api/offices", headers=admin)).json()
        assert [o["name"] for o in offices].count("Nav Åsane") == 1 and "Nav Fana" in {o["name"] for o in offices}

    await page.goto("/intake/offices")
    await page.get_by_role("button", name="Last opp").click()  # no file chosen: the browser asks for one
    assert await page.locator("#offices-file:invalid").count() == 1


@pytest.mark.parametrize(("name", "data", "status", "says"), [
    ("a picture", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, 422, "ikke UTF-8"),
    ("UTF-16", GOOD.encode("utf-16"), 422, "ikke UTF-8"),
    ("no header", b"Nav Fana,4601,,yes,,,\n", 422, "mangler kolonnene"),
    ("over 2 MB", GOOD.encode() + b"#" * (2 * 1024 * 1024 + 10), 413, "for stor"),
])
async def test_a_file_that_is_not_an_offices_file_is_refused_with_why_and_nothing_written(stack, name, data, status,
                                                                                          says):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        admin = await login(client, "admin")
        before = (await client.get("/intake/api/offices", headers=admin)).json()
        r = await client.post("/intake/offices/import", headers=admin, data={"dry_run": "false"},
                              files={"file": ("kontorer.csv", data, "text/csv")})
        assert r.status_code == status, (name, r.status_code)
        assert says in r.text and 'id="import-error"' in r.text, (name, r.text[-2000:])
        assert (await client.get("/intake/api/offices", headers=admin)).json() == before
