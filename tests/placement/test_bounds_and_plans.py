"""Issue 12 for placement against the real stack (PostgreSQL + broker): NUL bytes and control characters get a
422 naming the field (they once reached PostgreSQL as 500s), prices no consumer can store are refused (in the
API and in the history import), and a move-out dated ahead is planned: the unit stays taken and nothing goes out
until its day."""

import json
from datetime import timedelta

import httpx
import pytest

import contracts
from kit.clock import today
from tests.conftest import login
from tests.placement.helpers import capacity, grant
from tests.placement.helpers import orgnr as make_orgnr
from tests.placement.test_stays_api import GOOD, new_provider

pytestmark = [pytest.mark.integration]
TODAY = today()


def loc(r: httpx.Response) -> list:
    return r.json()["errors"][0]["loc"]


async def test_control_characters_and_impossible_prices_get_a_422_naming_the_field(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        admin, worker = await login(client, "admin"), await login(client, "veileder-grunerlokka")
        body = {"name": "Nytt hus", "orgnr": make_orgnr(), "kind": "private", "municipality": "0301",
                "address": "Gata 1"}
        for change, field in (({"name": "Hus\x00"}, "name"), ({"address": "Gata\x00 1"}, "address")):
            r = await client.post("/placement/api/providers", headers=admin, json={**body, **change})
            assert r.status_code == 422 and loc(r)[-1] == field, r.text
        for price in ("1e999", "12345678901234567890", "0.0000000001"):
            r = await client.post("/placement/api/providers", headers=admin, json={
                **body, "agreement": {"kind": "framework", "price_per_night": price}})
            assert r.status_code == 422 and loc(r)[-1].endswith("price_per_night"), (price, r.text)

        provider = await new_provider(client, admin, units=0)
        r = await client.post(f"/placement/api/providers/{provider['provider_id']}/units", headers=admin, json={
            "name": "Rom", "beds": 1, "facilities": {**GOOD, "staffed_hours": "24/7\x00"}})
        assert r.status_code == 422 and loc(r)[-1] == "staffed_hours", r.text
        r = await client.post(f"/placement/api/providers/{provider['provider_id']}/inspections", headers=worker,
                              json={"inspected_on": str(TODAY), "result": "approved",
                                    "next_due": str(TODAY + timedelta(days=30)), "checklist": {"brann\x00": True}})
        assert r.status_code == 422 and "checklist" in loc(r), r.text

        hotel = await new_provider(client, admin, agreement_kind="none")
        g = await grant(client, worker, period_from=TODAY, period_to=TODAY + timedelta(days=5))
        r = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": g["decision_id"], "unit_id": hotel["units"][0]["unit_id"], "check_in": str(TODAY),
            "justification": "Akutt\x00"})
        assert r.status_code == 422 and loc(r)[-1] == "justification", r.text


async def test_an_import_line_with_a_price_no_consumer_can_store_is_refused(stack):
    csv = ("household_ref,municipality,district,office,applicant_birth_date,children_birth_dates,provider,"
           "provider_orgnr,accommodation,agreement,check_in,check_out,move_out_reason,nightly_price_nok\n"
           "GL-1,0301,Grünerløkka,Nav Grünerløkka,1990-04-02,,Blå Kors bosenter,,temporary,framework,"
           "2025-01-03,2025-02-14,private_rental,1e999\n")
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        leader = await login(client, "leder-grunerlokka")
        r = await client.post("/placement/api/imports/stays", content=csv.encode(),
                              headers={**leader, "content-type": "text/csv"})
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["msg"].startswith("Linje 2: nightly_price_nok «1e999»")
        async with stack.pools["placement"].acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM stays") == 0


async def test_a_move_out_dated_ahead_keeps_the_unit_taken_and_sends_nothing_yet(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, admin = await login(client, "veileder-grunerlokka"), await login(client, "admin")
        [unit] = (await new_provider(client, admin))["units"]
        g = await grant(client, worker, period_from=TODAY - timedelta(days=3), period_to=TODAY + timedelta(days=90))
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": g["decision_id"], "unit_id": unit["unit_id"], "check_in": str(TODAY - timedelta(days=3))})
        assert placed.status_code == 201, placed.text
        stay_id = placed.json()["stay_id"]
        in_two_months = TODAY + timedelta(days=60)
        r = await client.post(f"/placement/api/stays/{stay_id}/move-out", headers=worker, json={
            "check_out": str(in_two_months), "destination": "private_rental"})
        assert r.status_code == 200, r.text
        row = next(u for u in await capacity(client, worker) if u["unit_id"] == unit["unit_id"])
        assert row["occupied"] == 1 and row["free"] == 0
        stay = (await client.get(f"/placement/api/stays/{stay_id}", headers=worker)).json()
        assert stay["check_out"] is None
        async with stack.pools["placement"].acquire() as conn:
            moved_out = await conn.fetchval("SELECT count(*) FROM outbox WHERE headers->>'ce_type' = $1 AND key = $2",
                                            contracts.HouseholdMovedOut.event_type, g["household_id"])
        assert moved_out == 0
        page = await client.get(f"/placement/stays/{stay_id}", headers=worker)
        assert f"Planlagt utflytting {in_two_months:%d.%m.%Y}" in page.text


async def test_a_justified_override_names_its_rules_on_the_wire_and_never_the_text(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, admin = await login(client, "veileder-grunerlokka"), await login(client, "admin")
        hotel = await new_provider(client, admin, agreement_kind="none")
        r = await client.post(f"/placement/api/providers/{hotel['provider_id']}/inspections", headers=worker, json={
            "inspected_on": str(TODAY), "result": "approved", "next_due": str(TODAY + timedelta(days=30))})
        assert r.status_code == 201, r.text
        g = await grant(client, worker, period_from=TODAY, period_to=TODAY + timedelta(days=5))
        why = "Kari Nordmann har ingen andre steder i natt."
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": g["decision_id"], "unit_id": hotel["units"][0]["unit_id"], "check_in": str(TODAY),
            "justification": why})
        assert placed.status_code == 201, placed.text
        assert placed.json()["justification"] == why and placed.json()["justified_rules"] == ["no_agreement"]
        async with stack.pools["placement"].acquire() as conn:
            bodies = [r["b"] for r in await conn.fetch("SELECT convert_from(body, 'UTF8') AS b FROM outbox")]
        [event] = [json.loads(b) for b in bodies if g["household_id"] in b and '"justified"' in b]
        contracts.HouseholdPlaced.model_validate(event)
        assert event["justified"] and event["justified_rules"] == ["no_agreement"] and event["justification"] is None
        assert not any("Kari" in b for b in bodies)


async def test_an_import_answer_stays_short_whatever_the_file(stack):
    header = ("household_ref,municipality,district,office,applicant_birth_date,children_birth_dates,provider,"
              "provider_orgnr,accommodation,agreement,check_in,check_out,move_out_reason,nightly_price_nok\n")
    rows = "".join(f"GL-{i},0301,Grünerløkka,Nav Grünerløkka,1990-04-02,,Hotell Uten Navn,,temporary,none,"
                   f"2025-01-03,2025-02-14,other,\n" for i in range(5000))
    async with httpx.AsyncClient(base_url=stack.url, timeout=60) as client:
        leader = await login(client, "leder-grunerlokka")
        r = await client.post("/placement/api/imports/stays", content=(header + rows).encode(),
                              headers={**leader, "content-type": "text/csv"})
    assert r.status_code == 422
    assert r.json()["rejected_count"] == 5000 and len(r.json()["rejected"]) == 100
    [unknown] = r.json()["unknown"]
    assert (unknown["name"], unknown["count"]) == ("Hotell Uten Navn", 5000)
    assert len(r.content) < 100_000
