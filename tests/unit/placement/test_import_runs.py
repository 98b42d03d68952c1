"""History import runs on the fakes: the whole file checked once, the stays written in chunks in the background
with their progress, readable over the API and on the import page; a refused file starts no run; each unknown
name and each provider short of free units named once."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest

from services.placement.domain import history
from services.placement.service_layer import imports
from tests.unit.placement.test_history import EXAMPLE, HEADER
from tests.unit.placement.test_imports import loaded, row
from tests.unit.placement.world import ADMIN, LEADER, WORKER, World

URL = "/api/imports/stays/runs"
CSV = {"content-type": "text/csv"}


async def written(world: World) -> None:
    """Wait for this process's background writers."""
    await asyncio.gather(*list(world.app.state.import_runs))


@pytest.fixture
def chunk_of_one(monkeypatch):
    monkeypatch.setattr(imports, "RUN_CHUNK", 1)  # a chunk per stay: the progress moves stay by stay


async def test_a_run_checks_the_file_writes_it_in_chunks_and_tells_how_far_it_has_come(chunk_of_one):
    world = await loaded(World())
    async with world.client(LEADER) as api:
        r = await api.post(URL, content=EXAMPLE.encode(), headers=CSV)
        assert r.status_code == 202, r.text
        run = r.json()
        assert (run["status"], run["rows"], run["to_write"], run["rejected_count"]) == ("running", 2, 2, 0)
        await written(world)
        done = (await api.get(f"{URL}/{run['run_id']}")).json()
    assert (done["status"], done["written"], done["already_imported"], done["stalled"]) == ("done", 2, 0, False)
    assert len(world.tables.stays) == 2

    async with world.client(LEADER) as api:  # the same file again: nothing to write, done at once
        again = (await api.post(URL, content=EXAMPLE.encode(), headers=CSV)).json()
    assert (again["status"], again["to_write"], again["already_imported"]) == ("done", 0, 2)
    assert len(world.tables.stays) == 2


async def test_a_bad_row_refuses_the_file_and_starts_no_run():
    world = await loaded(World())
    text = EXAMPLE + row(household_ref="GL-3", provider="Hotell Uten Navn") + "\n"
    async with world.client(LEADER) as api:
        r = await api.post(URL, content=text.encode(), headers=CSV)
    assert r.status_code == 422 and r.json()["detail"][0]["msg"].startswith("Linje 4: ukjent tilbyder")
    [unknown] = r.json()["unknown"]
    assert (unknown["name"], unknown["lines"]) == ("Hotell Uten Navn", [4])
    assert world.tables.import_runs == {} and world.tables.stays == {}


async def test_a_partial_run_skips_the_bad_rows_and_keeps_them():
    world = await loaded(World())
    text = EXAMPLE + row(household_ref="GL-3", check_in="03.01.2025") + "\n"
    async with world.client(ADMIN) as api:
        run = (await api.post(URL, params={"partial": "true"}, content=text.encode(), headers=CSV)).json()
        await written(world)
        done = (await api.get(f"{URL}/{run['run_id']}")).json()
    assert (done["status"], done["written"], done["rejected_count"]) == ("done", 2, 1)
    assert done["rejected"][0]["line"] == 4


async def test_who_may_follow_a_run():
    world = await loaded(World())
    async with world.client(ADMIN) as api:
        admins = (await api.post(URL, content=EXAMPLE.encode(), headers=CSV)).json()["run_id"]
    await written(world)
    async with world.client(LEADER) as api:
        assert (await api.get(f"{URL}/{admins}")).status_code == 404  # an admin's run spans every office
        assert (await api.get(f"{URL}/{uuid4()}")).status_code == 404
        assert (await api.get(f"{URL}/not-an-id")).status_code == 422
    async with world.client(WORKER) as api:
        assert (await api.get(f"{URL}/{admins}")).status_code == 403
        assert (await api.post(URL, content=EXAMPLE.encode(), headers=CSV)).status_code == 403
    async with world.client(ADMIN) as api:
        assert (await api.get(f"{URL}/{admins}")).json()["status"] == "done"


async def test_a_provider_short_of_free_units_is_named_once_with_how_many_are_missing():
    world = World()
    await world.offices()  # as intake's office events bring them
    _, [unit] = await world.provider(units=1)
    name = world.tables.providers[unit.provider_id].name
    text = HEADER + "\n" + "\n".join(row(household_ref=f"GL-{i}", provider=name, check_in="2026-01-0" + str(i + 1),
                                         check_out="", move_out_reason="", children_birth_dates="")
                                     for i in range(4)) + "\n"
    async with world.client(LEADER) as api:
        r = await api.post("/api/imports/stays", params={"dry_run": "true"}, content=text.encode(), headers=CSV)
    [short] = r.json()["unknown"]
    assert (short["field"], short["name"], short["count"], short["lines"]) == ("units", name, 3, [3, 4, 5])
    assert "Registrer flere enheter" in short["what_to_do"]
    assert all(e["unknown"] for e in r.json()["rejected"])


async def test_the_import_page_checks_imports_and_follows_the_run(chunk_of_one):
    world = await loaded(World())
    files = {"file": ("historikk.csv", EXAMPLE.encode(), "text/csv")}
    async with world.client(LEADER, page=True) as browser:
        page = await browser.get("/imports")
        assert page.status_code == 200 and 'action="/placement/imports/stays"' in page.text
        dry = await browser.post("/imports/stays", data={"dry_run": "true"}, files=files)
        assert dry.status_code == 200 and "Bare kontroll" in dry.text and "2 nye opphold" in dry.text
        assert world.tables.stays == {}

        bad = EXAMPLE + "\n".join(row(household_ref=f"GL-{i}", provider="Hotell Uten Navn") for i in range(3))
        refused = await browser.post("/imports/stays", files={"file": ("h.csv", bad.encode(), "text/csv")})
        assert refused.status_code == 422 and "Ukjent tilbyder <strong>Hotell Uten Navn</strong> (3 rader)" \
            in refused.text and "linje 4, 5, 6" in refused.text

        started = await browser.post("/imports/stays", files=files)
        assert started.status_code == 303
        await written(world)
        run = await browser.get(started.headers["location"].removeprefix("/placement"))
        assert run.status_code == 200 and "Ferdig" in run.text
        assert 'data-testid="written">2<' in run.text and 'name="botilbud-refresh"' not in run.text
        assert "historikk.csv" in (await browser.get("/imports")).text

        empty = await browser.post("/imports/stays", data={"dry_run": "true"})
        assert empty.status_code == 422 and 'id="file-error"' in empty.text
    async with world.client(WORKER, page=True) as browser:
        assert (await browser.get("/imports")).status_code == 403


def test_units_missing_are_grouped_per_provider():
    errors = [history.RowError(n, "ingen ledig enhet", "units", unknown="Hotell") for n in (2, 5, 9)]
    [short] = history.unknown_names(errors)
    assert (short.field, short.count, short.lines) == ("units", 3, (2, 5, 9))
