"""The stay history import against the real stack (PostgreSQL + broker): the format spec's example goes in
through placement, stats counts it exactly as a plain reference computation, billing issues a requisition for
the open stay only, a second import changes nothing, and a file with one bad row writes nothing."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import asyncpg
import httpx
import pytest
from typer.testing import CliRunner

from botilbud.cli import app
from kit import clock
from services.stats.domain.kostra import KostraRules, StayFacts
from tests.conftest import eventually, login
from tests.stats.reference import reference_kostra
from tests.unit.placement.test_history import EXAMPLE

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
URL = "/placement/api/imports/stays"
CSV = {"Content-Type": "text/csv; charset=utf-8"}
KOSTRA_KEYS = ("households", "households_over_3_months", "households_14_days_or_less", "households_with_children",
               "households_with_children_over_3_months", "young_households", "young_households_over_3_months",
               "night_shelter_households")


def expected_kostra(today: date) -> dict[str, int]:
    """The example's two stays, read by hand from the spec, through the plain reference (BRIEF §5)."""
    stays = [StayFacts("GL-2025-0001", "temporary", date(2025, 1, 3), date(2025, 2, 14), date(1990, 4, 2)),
             StayFacts("GL-2025-0002", "temporary", date(2025, 3, 1), None, date(1984, 11, 30),
                       (date(2016, 5, 1), date(2019, 9, 12)))]
    return reference_kostra(stays, 2025, today, KostraRules())


async def scalar(url: str, sql: str, *args):
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def fetch_column(url: str, sql: str) -> list:
    conn = await asyncpg.connect(url)
    try:
        return [r[0] for r in await conn.fetch(sql)]
    finally:
        await conn.close()


async def providers_loaded(client, headers):
    async def loaded():
        r = await client.get("/placement/api/providers", headers=headers)
        return r.status_code == 200 and r.json()["total"] > 30
    await eventually(loaded)


async def kostra(client, headers) -> dict[str, int]:
    r = await client.get("/stats/api/kostra", params={"year": 2025, "municipality": "0301"}, headers=headers)
    assert r.status_code == 200, r.text
    return {k: r.json()[k] for k in KOSTRA_KEYS}


async def test_the_example_feeds_stats_and_billing_and_a_second_import_changes_nothing(stack, settings):
    today = clock.today()
    placement_db, billing_db = settings.placement_database_url, settings.billing_database_url
    async with httpx.AsyncClient(base_url=stack.url, timeout=60) as client:
        leader, admin = await login(client, "leder-grunerlokka"), await login(client, "admin")
        await providers_loaded(client, leader)
        events_before = await scalar(placement_db, "SELECT count(*) FROM outbox")

        r = await client.post(URL, content=EXAMPLE.encode(), headers={**leader, **CSV})
        assert r.status_code == 200, r.text
        first = r.json()
        assert (first["rows"], first["stays_created"], first["already_imported"], first["rejected"],
                first["written"]) == (2, 2, 0, [], True)
        # placed + moved-out for the ended stay; placed + capacity for the open one
        assert await scalar(placement_db, "SELECT count(*) FROM outbox") == events_before + 4

        # the stays as placement shows them: imported, on a synthetic decision, the open one live in the views
        stays = {s["id"]: s for s in (await client.get("/placement/api/stays", headers=leader,
                                                       params={"page_size": 200})).json()["items"]}
        assert set(first["stay_ids"]) == set(stays)
        for stay_id in first["stay_ids"]:
            one = await client.get(f"/placement/api/stays/{stay_id}", headers=leader)
            assert one.status_code == 200, one.text
            page = await client.get(f"/placement/stays/{stay_id}", headers=leader)
            assert page.status_code == 200, page.text
        views = await client.get("/placement/api/views", headers=leader)
        assert views.status_code == 200, views.text
        [grefsen] = [s for s in views.json()["families_and_young"] if s["stay_id"] in first["stay_ids"]]
        assert grefsen["children"] == 2 and grefsen["check_in"] == "2025-03-01"
        assert grefsen["stay_id"] in [s["stay_id"] for s in views.json()["three_months"]]
        assert await scalar(placement_db, "SELECT count(*) FROM stays WHERE imported AND check_out IS NULL") == 1
        assert await scalar(placement_db, "SELECT count(*) FROM decisions WHERE imported") == 2
        awaiting = await client.get("/placement/api/decisions/awaiting-place", headers=leader)
        imported_decisions = {str(r) for r in await fetch_column(placement_db, "SELECT decision_id FROM decisions "
                                                                              "WHERE imported")}
        assert not imported_decisions & {d["decision_id"] for d in awaiting.json()}  # they never await a place

        want = expected_kostra(today)
        assert want["households"] == 2 and want["households_with_children_over_3_months"] == 1
        got = await eventually(lambda: _equal(client, admin, want))
        assert got == want

        # billing: a requisition for the open Grefsen stay, none for the Blå Kors stay that ended in February
        async def billing_saw_both():
            return await scalar(billing_db, "SELECT count(*) FROM stays WHERE stay_id = ANY($1::uuid[])",
                                first["stay_ids"]) == 2
        await eventually(billing_saw_both)
        ended = await scalar(placement_db, "SELECT id FROM stays WHERE imported AND check_out IS NOT NULL")
        opened = await scalar(placement_db, "SELECT id FROM stays WHERE imported AND check_out IS NULL")
        finance = await login(client, "okonomi")

        async def grefsen_requisition():
            r = await client.get("/billing/api/requisitions", headers=finance, params={"page_size": 200})
            return [q for q in r.json()["items"] if q["stay_id"] == str(opened)]
        [req] = await eventually(grefsen_requisition)
        assert (req["period_from"], req["period_to"]) == ("2025-03-01", str(today))
        assert await scalar(billing_db, "SELECT count(*) FROM requisitions WHERE stay_id = $1", ended) == 0
        assert await scalar(billing_db, "SELECT count(*) FROM requisitions") == 1

        # the same file again: nothing new anywhere
        again = await client.post(URL, content=EXAMPLE.encode(), headers={**leader, **CSV})
        assert again.status_code == 200, again.text
        assert (again.json()["stays_created"], again.json()["already_imported"], again.json()["written"]) == (
            0, 2, False)
        assert await scalar(placement_db, "SELECT count(*) FROM outbox") == events_before + 4
        assert await scalar(placement_db, "SELECT count(*) FROM stays") == 2
        assert await kostra(client, admin) == want  # and nothing was published for it to change (outbox above)
        assert await scalar(billing_db, "SELECT count(*) FROM requisitions") == 1


async def _equal(client, headers, want):
    got = await kostra(client, headers)
    return got if got == want else None


BAD = EXAMPLE + ("GL-2025-0003,0301,Grünerløkka,Nav Grünerløkka,1970-01-01,,Hotell Uten Navn,,temporary,none,"
                 "2025-05-01,2025-05-03,other,900\n")


async def test_a_bad_row_rejects_the_whole_file_and_writes_nothing(stack, settings):
    placement_db = settings.placement_database_url
    async with httpx.AsyncClient(base_url=stack.url, timeout=60) as client:
        leader = await login(client, "leder-grunerlokka")
        await providers_loaded(client, leader)
        events_before = await scalar(placement_db, "SELECT count(*) FROM outbox")

        r = await client.post(URL, content=BAD.encode(), headers={**leader, **CSV})
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["written"] is False and body["stays_created"] == 0
        [bad] = body["rejected"]
        assert (bad["line"], bad["field"]) == (4, "provider") and "Hotell Uten Navn" in bad["reason"]
        assert body["detail"][0]["msg"].startswith("Linje 4:")
        assert await scalar(placement_db, "SELECT count(*) FROM stays") == 0
        assert await scalar(placement_db, "SELECT count(*) FROM decisions WHERE imported") == 0
        assert await scalar(placement_db, "SELECT count(*) FROM outbox") == events_before

        # a dry run reports the same and writes nothing either
        dry = await client.post(URL, params={"dry_run": "true"}, content=EXAMPLE.encode(), headers={**leader, **CSV})
        assert dry.status_code == 200 and dry.json()["stays_to_create"] == 2 and not dry.json()["written"]
        assert await scalar(placement_db, "SELECT count(*) FROM stays") == 0

        # partial: the good rows go in, the bad one is reported
        part = await client.post(URL, params={"partial": "true"}, content=BAD.encode(), headers={**leader, **CSV})
        assert part.status_code == 200, part.text
        assert (part.json()["stays_created"], [x["line"] for x in part.json()["rejected"]]) == (2, [4])
        assert await scalar(placement_db, "SELECT count(*) FROM stays") == 2

        # who may import: leaders (their own office's rows only) and admins; a case worker may not
        worker = await login(client, "veileder-grunerlokka")
        assert (await client.post(URL, content=EXAMPLE.encode(), headers={**worker, **CSV})).status_code == 403
        other = await login(client, "leder-bodo")
        r = await client.post(URL, content=EXAMPLE.encode(), headers={**other, **CSV})
        assert r.status_code == 422 and [x["line"] for x in r.json()["rejected"]] == [2, 3]
        assert "ditt eget Nav-kontor" in r.json()["rejected"][0]["reason"]

        # a file that is not in the format at all
        r = await client.post(URL, content=b"navn,fnr\nKari,123\n", headers={**leader, **CSV})
        assert r.status_code == 422 and "mangler kolonnene" in r.json()["detail"][0]["msg"]


async def botilbud(stack, *args: str, user: str = "leder-grunerlokka"):
    env = {"BOTILBUD_USER": user, "BOTILBUD_PASSWORD": "demo"}
    return await asyncio.to_thread(CliRunner().invoke, app, [*args, "--address", stack.url], env=env)


async def test_the_command_line_imports_as_a_run_with_progress_and_prints_json(stack, settings, tmp_path,
                                                                              monkeypatch):
    monkeypatch.setattr("services.placement.service_layer.imports.RUN_CHUNK", 1)  # a chunk per stay
    async with httpx.AsyncClient(base_url=stack.url, timeout=60) as client:
        await providers_loaded(client, await login(client, "leder-grunerlokka"))
    bad, good = tmp_path / "bad.csv", tmp_path / "stays.csv"
    bad.write_text(BAD, encoding="utf-8")
    good.write_text(EXAMPLE, encoding="utf-8")

    rejected = await botilbud(stack, "import-stays", str(bad), "--format", "json")
    assert rejected.exit_code == 1, rejected.output
    summary = json.loads(rejected.stdout)
    assert (summary["written"], [r["line"] for r in summary["rejected"]]) == (False, [4])
    assert await scalar(settings.placement_database_url, "SELECT count(*) FROM stays") == 0

    imported = await botilbud(stack, "import-stays", str(good))
    assert imported.exit_code == 0, imported.output
    assert "Importert 2 av 2 nye opphold (100 %)." in imported.output
    assert "2 rader: 2 nye opphold, 0 var importert fra før, 0 avvist." in imported.stdout
    assert await scalar(settings.placement_database_url, "SELECT count(*) FROM stays") == 2
    again = await botilbud(stack, "import-stays", str(good), "--format", "json")
    assert json.loads(again.stdout) == {"file": "stays.csv", "rows": 2, "stays_created": 0, "already_imported": 2,
                                        "rejected": [], "written": False, "partial": False}

    text = await botilbud(stack, "import-stays", str(bad), "--partial")
    assert text.exit_code == 0, text.output
    assert "3 rader: 0 nye opphold, 2 var importert fra før, 1 avvist." in text.stdout
    assert "linje 4:" in text.output


async def test_the_command_line_names_each_unknown_provider_once_with_its_lines(stack, tmp_path):
    async with httpx.AsyncClient(base_url=stack.url, timeout=60) as client:
        await providers_loaded(client, await login(client, "leder-grunerlokka"))
    header, *_ = EXAMPLE.splitlines()
    rows = [f"GL-{i},0301,Grünerløkka,Nav Grünerløkka,1990-04-02,,Hotell Uten Navn,,temporary,none,2025-01-03,"
            "2025-02-14,other," for i in range(300)]
    big = tmp_path / "unknown.csv"
    big.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    result = await botilbud(stack, "import-stays", str(big))
    assert result.exit_code == 1, result.output
    assert "Filen ble avvist: 300 ugyldige rader." in result.output
    [named] = [line for line in result.output.splitlines() if "Hotell Uten Navn" in line]
    assert named.startswith("  linje 2, 3, 4,") and "(300 rader)" in named and "Registrer tilbyderen" in named


async def test_ongoing_stays_without_free_units_name_the_provider_once_with_how_many_are_missing(stack, settings,
                                                                                                  tmp_path):
    async with httpx.AsyncClient(base_url=stack.url, timeout=60) as client:
        await providers_loaded(client, await login(client, "leder-grunerlokka"))
    placement_db = settings.placement_database_url
    provider = await scalar(placement_db, "SELECT name FROM providers WHERE name LIKE 'Grefsen korttidsboliger%'")
    free = await scalar(placement_db, "SELECT count(*) FROM units u JOIN providers p ON p.id = u.provider_id "
                                      "WHERE p.name = $1 AND NOT EXISTS (SELECT 1 FROM stays s WHERE s.unit_id = u.id "
                                      "AND s.check_out IS NULL)", provider)
    stays_before = await scalar(placement_db, "SELECT count(*) FROM stays")
    header, *_ = EXAMPLE.splitlines()
    rows = [f"GRE-{i},0301,Grünerløkka,Nav Grünerløkka,1990-04-02,,Grefsen korttidsboliger,,temporary,framework,"
            "2025-03-01,,," for i in range(free + 2)]
    full = tmp_path / "full.csv"
    full.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    result = await botilbud(stack, "import-stays", str(full))
    assert result.exit_code == 1, result.output
    assert "Filen ble avvist: 2 ugyldige rader." in result.output
    [named] = [line for line in result.output.splitlines() if provider in line]
    assert f"tilbyderen «{provider}» mangler 2 ledige enheter for pågående opphold" in named
    assert "Registrer flere enheter" in named
    assert await scalar(placement_db, "SELECT count(*) FROM stays") == stays_before  # nothing written
