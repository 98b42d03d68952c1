"""The office registry on the real stack (PostgreSQL and the broker): an administrator registers Oslo's Nav
Sagene and Stavanger's Nav Madla, a case worker of Nav Sagene takes an application there, and placement,
billing and stats know both offices from intake's events alone. The offices file through `botilbud offices
import`; an unknown municipality number refused wherever one enters."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import asyncpg
import httpx
import pytest
from typer.testing import CliRunner

from botilbud.cli import app
from botilbud.stack import DEMO_PASSWORD, demo_users, office_users
from kit.auth import UserDirectory
from tests.conftest import eventually, granted_decision, login
from tests.intake.helpers import TODAY, application, number
from tests.unit.placement.test_history import HEADER as STAYS_HEADER

pytestmark = [pytest.mark.integration]

SAGENE = {"name": "Nav Sagene", "municipality": "0301", "district": "Sagene", "phone": "55553333",
          "email": "bolig.sagene@nav.example"}
MADLA = {"name": "Nav Madla", "municipality": "1103", "address": "Madlamarkveien 6, 4041 Hafrsfjord"}
MADLA_STAY = (f"{STAYS_HEADER}\nMA-2025-0001,1103,,Nav Madla,1990-04-02,,Stavanger Lille hotell,,temporary,none,"
              "2025-01-03,2025-02-14,private_rental,900\n")
CSV = {"content-type": "text/csv; charset=utf-8"}


@pytest.fixture(scope="module")
def users_file(tmp_path_factory):
    """The harness's users, and the case workers and leaders of two offices nobody has registered yet."""
    path = tmp_path_factory.mktemp("users") / "users.json"
    extra = office_users([("nav-sagene", "Nav Sagene"), ("nav-madla", "Nav Madla")])
    UserDirectory.write(path, [(u, DEMO_PASSWORD) for u in demo_users() + extra])
    return path


async def rows(url: str, sql: str, *args) -> list:
    conn = await asyncpg.connect(url)
    try:
        return [dict(r) for r in await conn.fetch(sql, *args)]
    finally:
        await conn.close()


async def test_a_registered_office_takes_applications_and_every_service_knows_it(stack, settings):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        admin, sagene = await login(client, "admin"), await login(client, "veileder-sagene")
        before = await client.post("/intake/api/applications", headers=sagene,
                                   json=application(number(1), office="nav-sagene"))
        assert before.status_code == 422
        assert before.json()["errors"][0]["loc"][-1] == "office_id" and "ikke registrert" in before.json()["detail"]

        made = [await client.post("/intake/api/offices", headers=admin, json=body) for body in (SAGENE, MADLA)]
        assert [r.status_code for r in made] == [201, 201], [r.text for r in made]
        assert [r.json()["office_id"] for r in made] == ["nav-sagene", "nav-madla"]
        assert made[1].json()["municipality_name"] == "Stavanger" and made[1].json()["district"] is None
        twice = await client.post("/intake/api/offices", headers=admin, json={**SAGENE, "name": "NAV  sagene"})
        assert twice.status_code == 409

        # A case worker of Nav Sagene takes an application there; the decision reaches placement, and the
        # requisition of the household's stay names the office in billing.
        worker, decision = await granted_decision(client, office="nav-sagene", identity_number=number(2),
                                                  period_from=TODAY, period_to=TODAY + timedelta(days=20))
        placed_decision = (await client.get(f"/placement/api/decisions/{decision}", headers=worker)).json()
        assert (placed_decision["office_id"], placed_decision["municipality"]) == ("nav-sagene", "0301")
        fits = (await client.get(f"/placement/api/decisions/{decision}/matches", headers=worker)).json()["fits"]
        stay = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": decision, "unit_id": fits[0]["unit_id"], "check_in": str(TODAY),
            "justification": "Beste ledige plass."})
        assert stay.status_code == 201, stay.text

        async def requisition():
            found = (await client.get("/billing/api/requisitions", headers=worker,
                                      params={"page_size": 200})).json()["items"]
            return found if found and found[0]["office_name"] else None
        [requisition_row] = await eventually(requisition)
        assert (requisition_row["office_id"], requisition_row["office_name"]) == ("nav-sagene", "Nav Sagene")

        # Placement names the offices on its capacity board and its history import accepts a row for Nav Madla.
        board = await client.get("/placement/", headers=worker)
        assert ">Nav Sagene</option>" in board.text and ">Nav Madla</option>" in board.text
        history = await client.post("/placement/api/imports/stays", params={"dry_run": "true"},
                                    content=MADLA_STAY.encode(), headers={**admin, **CSV})
        assert history.status_code == 200, history.text
        assert history.json()["stays_to_create"] == 1

        # Stats has the offices too, and offers Oslo's districts of its offices.
        async def stats_knows():
            found = await rows(settings.stats_database_url, "SELECT office_id, name, municipality, district "
                               "FROM offices WHERE office_id IN ('nav-sagene', 'nav-madla') ORDER BY office_id")
            return found if len(found) == 2 else None
        assert await eventually(stats_knows) == [
            {"office_id": "nav-madla", "name": "Nav Madla", "municipality": "1103", "district": None},
            {"office_id": "nav-sagene", "name": "Nav Sagene", "municipality": "0301", "district": "Sagene"}]
        kostra = await client.get("/stats/", params={"year": TODAY.year, "municipality": "0301"}, headers=worker)
        assert '<option value="Sagene">' in kostra.text


async def test_a_closed_office_takes_no_application_and_the_change_reaches_the_others(stack, settings):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        admin, madla = await login(client, "admin"), await login(client, "veileder-madla")
        assert (await client.post("/intake/api/offices", headers=admin, json=MADLA)).status_code == 201
        first = await client.post("/intake/api/applications", headers=madla,
                                  json=application(number(3), office="nav-madla"))
        assert first.status_code == 201, first.text
        changed = await client.put("/intake/api/offices/nav-madla", headers=admin,
                                   json={**MADLA, "name": "Nav Madla og Hafrsfjord"})
        assert changed.status_code == 200 and changed.json()["office_id"] == "nav-madla"
        closed = await client.post("/intake/api/offices/nav-madla/close", headers=admin)
        assert closed.status_code == 200 and closed.json()["closed"] is True
        refused = await client.post("/intake/api/applications", headers=madla,
                                    json=application(number(4), office="nav-madla"))
        assert refused.status_code == 422 and "lagt ned" in refused.json()["detail"]
        cases = (await client.get("/intake/api/applications", headers=madla)).json()["items"]
        assert [c["id"] for c in cases] == [first.json()["application_id"]]  # its history stays

        async def billing_knows():
            found = await rows(settings.billing_database_url, "SELECT name, closed FROM offices WHERE id = $1",
                               "nav-madla")
            return found == [{"name": "Nav Madla og Hafrsfjord", "closed": True}]
        await eventually(billing_knows)
        board = await client.get("/placement/", headers=await login(client, "leder-grunerlokka"))
        assert "Nav Madla" not in board.text  # a closed office is no choice on the capacity board


OFFICES_FILE = ("office,municipality,district,second_approval,address,phone,email\n"
                "Nav Sagene,0301,Sagene,no,,55553333,bolig.sagene@nav.example\n"
                "Nav Gamle Oslo,0301,01,no,\"Storgata 51, 0182 Oslo\",55553333,\n"
                "Nav Madla,1103,,no,,,\n")
BAD_FILE = (OFFICES_FILE
            + "Nav Atlantis,9999,,no,,,\n"  # line 5: unknown municipality number
            + "Nav Tasta,1103,Tasta,no,,,\n"  # line 6: a district outside Oslo
            + "Nav Hinna,1103,,no,,5555,\n"  # line 7: a malformed phone
            + "Nav Eiganes,1103,,no,,,eiganes@nav\n")  # line 8: a malformed e-mail


async def cli(stack, tmp_path, text: str, *args: str):
    path = tmp_path / "kontorer.csv"
    path.write_text(text, encoding="utf-8")
    return await asyncio.to_thread(CliRunner().invoke, app, [
        "offices", "import", str(path), *args, "--address", stack.url, "--user", "admin", "--password",
        DEMO_PASSWORD])


async def outbox_office_events(settings) -> list[str]:
    return [r["event_type"] for r in await rows(
        settings.intake_database_url, "SELECT event_type FROM outbox WHERE event_type LIKE '%office%' ORDER BY id")]


async def test_the_offices_file_through_the_command_line(stack, settings, tmp_path):
    before = len(await outbox_office_events(settings))
    first = await cli(stack, tmp_path, OFFICES_FILE, "--format", "json")
    assert first.exit_code == 0, first.output
    result = json.loads(first.stdout)
    assert (result["registered"], result["changed"], result["unchanged"], result["written"]) == (3, 0, 0, True)
    assert [o["office_id"] for o in result["offices"]] == ["nav-sagene", "nav-gamle-oslo", "nav-madla"]
    events = await outbox_office_events(settings)
    assert events[before:] == ["botilbud.intake.office-registered.v1"] * 3

    again = await cli(stack, tmp_path, OFFICES_FILE)
    assert again.exit_code == 0, again.output
    assert "3 rader: 0 nye kontorer, 0 endret, 3 uendret, 0 avvist." in again.stdout
    assert await outbox_office_events(settings) == events  # twice changes nothing

    changed = await cli(stack, tmp_path, OFFICES_FILE.replace("Nav Madla,1103,,no,,,", "Nav Madla,1103,,no,,"
                                                                                         "51 50 50 50,"))
    assert changed.exit_code == 0, changed.output
    assert "linje 4: Nav Madla (nav-madla) endret" in changed.stdout
    assert (await outbox_office_events(settings))[len(events):] == ["botilbud.intake.office-changed.v1"]

    async def placement_and_billing_know():
        billing = await rows(settings.billing_database_url, "SELECT phone FROM offices WHERE id = 'nav-madla'")
        placement = await rows(settings.placement_database_url, "SELECT name FROM offices WHERE id = 'nav-madla'")
        return billing == [{"phone": "51505050"}] and placement == [{"name": "Nav Madla"}]
    await eventually(placement_and_billing_know)


async def test_bad_rows_reject_the_file_a_dry_run_lists_them_all_and_partial_takes_the_good_ones(
        stack, settings, tmp_path):
    before = await outbox_office_events(settings)
    rejected = await cli(stack, tmp_path, BAD_FILE)
    assert rejected.exit_code == 1
    for line, words in ((5, "Ukjent kommunenummer 9999"), (6, "Bydel gjelder bare Oslo"), (7, "åtte siffer"),
                        (8, "E-postadressen")):
        assert f"linje {line}" in rejected.stderr and words in rejected.stderr, rejected.stderr
    assert "Filen ble avvist: 4 ugyldige rader" in rejected.stderr
    assert await outbox_office_events(settings) == before  # nothing written

    dry = await cli(stack, tmp_path, BAD_FILE, "--dry-run", "--format", "json")
    assert dry.exit_code == 1
    dry_result = json.loads(dry.stdout)
    assert [(r["line"], r["field"]) for r in dry_result["rejected"]] == [
        (5, "municipality"), (6, "district"), (7, "phone"), (8, "email")]
    assert [o["outcome"] for o in dry_result["offices"]] == ["registered"] * 3
    assert await outbox_office_events(settings) == before

    partial = await cli(stack, tmp_path, BAD_FILE, "--partial", "--format", "json")
    assert partial.exit_code == 0, partial.output
    assert (json.loads(partial.stdout)["registered"], json.loads(partial.stdout)["rejected_count"]) == (3, 4)
    registered = await rows(settings.intake_database_url, "SELECT id FROM offices ORDER BY id")
    assert {"nav-sagene", "nav-gamle-oslo", "nav-madla"} <= {r["id"] for r in registered}
    assert "nav-atlantis" not in {r["id"] for r in registered}


async def test_an_unknown_municipality_number_is_refused_wherever_one_enters(stack, settings):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        admin = await login(client, "admin")
        office = await client.post("/intake/api/offices", headers=admin, json={**MADLA, "municipality": "9999"})
        assert office.status_code == 422 and office.json()["errors"][0]["loc"][-1] == "municipality"
        page = await client.post("/intake/offices/new", headers=admin, data={**MADLA, "municipality": "9999"})
        assert page.status_code == 422 and "Ukjent kommunenummer 9999" in page.text
        imported = await client.post("/intake/api/offices/import", headers={**admin, **CSV},
                                     content=b"office,municipality\nNav Atlantis,9999\n")
        assert imported.status_code == 422 and imported.json()["errors"][0]["loc"] == [
            "body", "line 2", "municipality"]
        provider = {"name": "Atlantis AS", "orgnr": "923609016", "kind": "private", "municipality": "9999",
                    "address": "Havbunnen 1"}
        registered = await client.post("/placement/api/providers", headers=admin, json=provider)
        assert registered.status_code == 422 and registered.json()["errors"][0]["loc"][-1] == "municipality"
        providers = (await client.get("/placement/api/providers", headers=admin,
                                      params={"page_size": 200})).json()["items"]
        assert "Atlantis AS" not in {p["name"] for p in providers}
        stays = MADLA_STAY.replace(",1103,,Nav Madla,", ",9999,,Nav Grünerløkka,")
        history = await client.post("/placement/api/imports/stays", params={"dry_run": "true"},
                                    content=stays.encode(), headers={**admin, **CSV})
        assert history.status_code == 422 and history.json()["rejected"][0]["field"] == "municipality"
    assert await rows(settings.intake_database_url, "SELECT id FROM offices WHERE municipality = '9999'") == []
