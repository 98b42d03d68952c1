"""Placement over HTTP against the real stack: place, extend, move, move out, concurrency, idempotency, bad input."""

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

import contracts
from contracts import Envelope
from kit.clock import today
from tests.conftest import eventually, login
from tests.placement.helpers import capacity, grant
from tests.placement.helpers import orgnr as make_orgnr

pytestmark = [pytest.mark.integration]

GOOD = {"own_bath": True, "kitchen": "own", "laundry": True, "visits_allowed": True}
TODAY = today()  # the date in Norway, as placement counts it


def field_of(response: httpx.Response) -> str:
    return response.json()["errors"][0]["loc"][-1]


async def new_provider(client, admin, *, beds=1, units=1, agreement_kind="framework", address=None,
                       orgnr=None, target_groups=("singles_couples", "families")) -> dict:
    """A provider of our own (so the test controls its capacity), in Oslo."""
    r = await client.post("/placement/api/providers", headers=admin, json={
        "name": f"Testhuset {uuid.uuid4().hex[:6]}", "orgnr": orgnr or make_orgnr(), "kind": "private",
        "municipality": "0301",
        "address": address or f"Testveien {uuid.uuid4().int % 1000}, 0150 Oslo", "accommodation": "temporary",
        "agreement": {"kind": agreement_kind, "price_per_night": 800 if agreement_kind != "none" else None,
                      "valid_from": "2024-01-01", "target_groups": list(target_groups)
                      if agreement_kind != "none" else []}})
    assert r.status_code == 201, r.text
    provider = r.json()
    provider["units"] = []
    for i in range(units):
        u = await client.post(f"/placement/api/providers/{provider['provider_id']}/units", headers=admin,
                              json={"name": f"Rom {i + 1}", "beds": beds, "facilities": GOOD})
        assert u.status_code == 201, u.text
        provider["units"].append(u.json())
    return provider


async def test_two_case_workers_placing_into_the_last_place_at_once(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, leader = await login(client, "veileder-grunerlokka"), await login(client, "leder-grunerlokka")
        admin = await login(client, "admin")
        provider = await new_provider(client, admin)
        [unit] = provider["units"]
        period = {"period_from": TODAY - timedelta(days=1), "period_to": TODAY + timedelta(days=20)}
        a = await grant(client, worker, **period)
        b = await grant(client, worker, **period)

        def place(headers, decision):
            return client.post("/placement/api/stays", headers=headers, json={
                "decision_id": decision["decision_id"], "unit_id": unit["unit_id"], "check_in": str(TODAY)})
        first, second = await asyncio.gather(place(worker, a), place(leader, b))

        assert sorted([first.status_code, second.status_code]) == [201, 409], (first.text, second.text)
        refused = first if first.status_code == 409 else second
        assert field_of(refused) == "unit_id" and "opptatt" in refused.json()["errors"][0]["msg"]
        row = next(r for r in await capacity(client, worker) if r["unit_id"] == unit["unit_id"])
        assert row["occupied"] == 1 and row["free"] == 0
        stays = (await client.get("/placement/api/stays", headers=worker, params={"page_size": 200})).json()["items"]
        assert len([s for s in stays if s["unit_id"] == unit["unit_id"]]) == 1


async def test_a_replayed_decision_changes_nothing_and_an_extending_decision_extends_the_stay(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, admin = await login(client, "veileder-grunerlokka"), await login(client, "admin")
        provider = await new_provider(client, admin)
        [unit] = provider["units"]
        g = await grant(client, worker, period_from=TODAY - timedelta(days=3), period_to=TODAY + timedelta(days=10))
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": g["decision_id"], "unit_id": unit["unit_id"], "check_in": str(TODAY - timedelta(days=2))})
        assert placed.status_code == 201, placed.text
        stay_id = placed.json()["stay_id"]

        # Replay intake's own DecisionMade, twice, exactly as it went out (same id, headers and body).
        async with stack.pools["intake"].acquire() as conn:
            row = await conn.fetchrow(
                "SELECT topic, key, headers, body FROM outbox WHERE headers->>'ce_type' = $1 "
                "AND convert_from(body, 'UTF8')::jsonb->>'decision_id' = $2", contracts.DecisionMade.event_type,
                g["decision_id"])
        for _ in range(2):
            await stack.producer.send_and_wait(row["topic"], value=row["body"], key=row["key"].encode(),
                                               headers=[(k, v.encode()) for k, v in row["headers"].items()])
        # Then a new decision that extends the first, on the same key (so it is consumed after the replays).
        original = Envelope.parse(row["headers"], row["body"]).data
        new_to = TODAY + timedelta(days=40)
        extension = original.model_copy(update={
            "decision_id": uuid.uuid4(), "period_from": original.period_to + timedelta(days=1),
            "period_to": new_to, "extends_decision_id": original.decision_id, "decided_at": datetime.now(UTC)})
        envelope = Envelope.wrap(extension, source="/botilbud/intake", correlation_id=str(uuid.uuid4()))
        await stack.producer.send_and_wait(row["topic"], value=envelope.body(), key=row["key"].encode(),
                                           headers=[(k, v.encode()) for k, v in envelope.headers().items()])

        async def extended():
            r = await client.get(f"/placement/api/stays/{stay_id}", headers=worker)
            return r.json() if r.json()["authorised_to"] == str(new_to) else None
        stay = await eventually(extended)
        assert stay["decision_id"] == str(extension.decision_id) and len(stay["extensions"]) == 1

        async with stack.pools["placement"].acquire() as conn:
            decisions = await conn.fetchval("SELECT count(*) FROM decisions WHERE household_id = $1",
                                            uuid.UUID(g["household_id"]))
            stays = await conn.fetchval("SELECT count(*) FROM stays WHERE household_id = $1",
                                        uuid.UUID(g["household_id"]))
            extended_events = await conn.fetchval(
                "SELECT count(*) FROM outbox WHERE headers->>'ce_type' = $1", contracts.StayExtended.event_type)
        assert (decisions, stays, extended_events) == (2, 1, 1)


async def test_extend_move_and_move_out_over_the_api(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, admin = await login(client, "veileder-grunerlokka"), await login(client, "admin")
        provider = await new_provider(client, admin, units=2)
        first_unit, second_unit = provider["units"]
        g = await grant(client, worker, period_from=TODAY - timedelta(days=10), period_to=TODAY + timedelta(days=5))
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": g["decision_id"], "unit_id": first_unit["unit_id"],
            "check_in": str(TODAY - timedelta(days=10))})
        assert placed.status_code == 201, placed.text
        stay_id = placed.json()["stay_id"]

        later = await grant(client, worker, identity=g["identity"], period_from=TODAY + timedelta(days=6),
                            period_to=TODAY + timedelta(days=100))
        ext = await client.post(f"/placement/api/stays/{stay_id}/extend", headers=worker,
                                json={"decision_id": later["decision_id"]})
        assert ext.status_code == 200, ext.text
        assert ext.json()["authorised_to"] == str(TODAY + timedelta(days=100))
        assert any("over tre måneder" in w for w in ext.json()["warnings"])

        # Moved yesterday (a move is registered on or after its day), out today: a check-out after today would be
        # a planned move-out (below), which keeps the unit taken.
        yesterday = TODAY - timedelta(days=1)
        moved = await client.post(f"/placement/api/stays/{stay_id}/move", headers=worker, json={
            "unit_id": second_unit["unit_id"], "moved_on": str(yesterday)})
        assert moved.status_code == 201, moved.text
        old = (await client.get(f"/placement/api/stays/{stay_id}", headers=worker)).json()
        assert old["check_out"] == str(yesterday) and old["destination"] == "moved_to_other_provider"
        new = moved.json()
        assert new["moved_from_stay_id"] == stay_id and new["authorised_to"] == str(TODAY + timedelta(days=100))
        occupied = {r["unit_id"]: r["occupied"] for r in await capacity(client, worker)}
        assert occupied[first_unit["unit_id"]] == 0 and occupied[second_unit["unit_id"]] == 1

        planned = await client.post(f"/placement/api/stays/{new['stay_id']}/move-out", headers=worker, json={
            "check_out": str(TODAY + timedelta(days=1)), "destination": "private_rental"})
        assert planned.status_code == 200 and planned.json()["planned"] is True, planned.text
        occupied = {r["unit_id"]: r["occupied"] for r in await capacity(client, worker)}
        assert occupied[second_unit["unit_id"]] == 1
        shown = (await client.get(f"/placement/api/stays/{new['stay_id']}", headers=worker)).json()
        assert shown["check_out"] is None and shown["planned_move_out"]["check_out"] == str(TODAY + timedelta(days=1))

        out = await client.post(f"/placement/api/stays/{new['stay_id']}/move-out", headers=worker, json={
            "check_out": str(TODAY), "destination": "municipal_rental"})
        assert out.status_code == 200 and out.json()["planned"] is False, out.text
        occupied = {r["unit_id"]: r["occupied"] for r in await capacity(client, worker)}
        assert occupied[second_unit["unit_id"]] == 0
        async with stack.pools["placement"].acquire() as conn:
            types = [r["t"] for r in await conn.fetch(
                "SELECT headers->>'ce_type' AS t FROM outbox WHERE key = $1 ORDER BY id", g["household_id"])]
        assert types == [contracts.HouseholdPlaced.event_type, contracts.StayExtended.event_type,
                         contracts.HouseholdMovedOut.event_type, contracts.HouseholdPlaced.event_type,
                         contracts.HouseholdMovedOut.event_type]


async def test_matching_over_the_api_and_a_justified_override(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, admin = await login(client, "veileder-grunerlokka"), await login(client, "admin")
        family = await grant(client, worker, period_from=TODAY, period_to=TODAY + timedelta(days=20),
                             children=(TODAY.replace(year=TODAY.year - 6),), adults=2)
        r = await client.get(f"/placement/api/decisions/{family['decision_id']}/matches", headers=worker)
        assert r.status_code == 200, r.text
        fits, left_out = r.json()["fits"], r.json()["left_out"]
        assert fits[0]["provider"].startswith("Grefsen") and fits[0]["agreement_kind"] == "framework"
        shared = next(m for m in left_out if m["provider"].startswith("Grefsen") and "felles" in m["unit"])
        assert [x["rule"] for x in shared["refusals"]] == ["kitchen"]
        assert any(x["rule"] == "target_group" for m in left_out if m["provider"] == "Blå Kors bosenter"
                   for x in m["refusals"])

        # Refused at a unit without its own kitchen, whatever the justification.
        bad = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": family["decision_id"], "unit_id": shared["unit_id"], "check_in": str(TODAY),
            "justification": "Akutt"})
        assert bad.status_code == 422 and field_of(bad) == "unit_id"

        hotel = await new_provider(client, admin, beds=4, agreement_kind="none")
        [unit] = hotel["units"]
        inspected = await client.post(f"/placement/api/providers/{hotel['provider_id']}/inspections",
                                      headers=worker, json={"inspected_on": str(TODAY), "result": "approved",
                                                            "next_due": str(TODAY + timedelta(days=30))})
        assert inspected.status_code == 201, inspected.text
        body = {"decision_id": family["decision_id"], "unit_id": unit["unit_id"], "check_in": str(TODAY)}
        unjustified = await client.post("/placement/api/stays", headers=worker, json=body)
        assert unjustified.status_code == 422 and field_of(unjustified) == "justification"
        placed = await client.post("/placement/api/stays", headers=worker,
                                   json={**body, "justification": "Grefsen har ingen ledig plass med kjøkken."})
        assert placed.status_code == 201, placed.text
        assert placed.json()["justification"] == "Grefsen har ingen ledig plass med kjøkken."
        assert any("Barnefamilie" in w for w in placed.json()["warnings"])
        async with stack.pools["placement"].acquire() as conn:
            body_json = await conn.fetchval(
                "SELECT convert_from(body, 'UTF8') FROM outbox WHERE headers->>'ce_type' = $1 AND key = $2",
                                            contracts.HouseholdPlaced.event_type, family["household_id"])
        # The free text stays in placement: the event says only that a justification is on record.
        assert "Grefsen har ingen ledig plass" not in body_json and json.loads(body_json)["justified"] is True
        views = (await client.get("/placement/api/views", headers=worker)).json()
        assert [r["stay_id"] for r in views["outside_agreement"]] == [placed.json()["stay_id"]]
        assert [r["stay_id"] for r in views["families_and_young"]] == [placed.json()["stay_id"]]
        assert any(d["name"] == "Ramton camping" or d["overdue"] for d in views["inspections_due"])


async def test_bad_input_gets_a_clear_error_and_leaves_nothing_half_done(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, admin = await login(client, "veileder-grunerlokka"), await login(client, "admin")
        providers_before = (await client.get("/placement/api/providers", headers=admin)).json()["total"]

        bad_orgnr = await client.post("/placement/api/providers", headers=admin, json={
            "name": "Feil AS", "orgnr": "123456789", "kind": "private", "municipality": "0301",
            "address": "Feilveien 1", "accommodation": "temporary"})
        assert bad_orgnr.status_code == 422 and field_of(bad_orgnr) == "orgnr"
        assert (await client.get("/placement/api/providers", headers=admin)).json()["total"] == providers_before

        provider = await new_provider(client, admin, units=0)
        zero = await client.post(f"/placement/api/providers/{provider['provider_id']}/units", headers=admin,
                                 json={"name": "Tomt rom", "beds": 0, "facilities": GOOD})
        assert zero.status_code == 422 and field_of(zero) == "beds"
        listed = next(p for p in (await client.get("/placement/api/providers", headers=admin,
                                                   params={"page_size": 200})).json()["items"]
                      if p["provider_id"] == provider["provider_id"])
        assert listed["units"] == []

        unit = (await client.post(f"/placement/api/providers/{provider['provider_id']}/units", headers=admin,
                                  json={"name": "Rom", "beds": 1, "facilities": GOOD})).json()
        shrink = await client.patch(f"/placement/api/units/{unit['unit_id']}", headers=admin, json={"beds": 0})
        assert shrink.status_code == 422 and field_of(shrink) == "beds"

        g = await grant(client, worker, period_from=TODAY - timedelta(days=5), period_to=TODAY + timedelta(days=5))
        unknown = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": g["decision_id"], "unit_id": str(uuid.uuid4()), "check_in": str(TODAY)})
        assert unknown.status_code == 404 and field_of(unknown) == "unit_id"
        awaiting = (await client.get("/placement/api/decisions/awaiting-place", headers=worker)).json()
        assert g["decision_id"] in [d["decision_id"] for d in awaiting]

        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": g["decision_id"], "unit_id": unit["unit_id"], "check_in": str(TODAY - timedelta(days=1))})
        assert placed.status_code == 201, placed.text
        stay_id = placed.json()["stay_id"]
        early = await client.post(f"/placement/api/stays/{stay_id}/move-out", headers=worker, json={
            "check_out": str(TODAY - timedelta(days=3)), "destination": "unknown"})
        assert early.status_code == 422 and field_of(early) == "check_out"
        stay = (await client.get(f"/placement/api/stays/{stay_id}", headers=worker)).json()
        assert stay["check_out"] is None
        row = next(r for r in await capacity(client, worker) if r["unit_id"] == unit["unit_id"])
        assert row["occupied"] == 1

        outside = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": str(uuid.uuid4()), "unit_id": unit["unit_id"], "check_in": str(TODAY)})
        assert outside.status_code == 404 and field_of(outside) == "decision_id"

        other_office = await login(client, "veileder-bodo")
        forbidden = await client.post(f"/placement/api/stays/{stay_id}/move-out", headers=other_office, json={
            "check_out": str(TODAY), "destination": "unknown"})
        assert forbidden.status_code == 403

        # A filter with a NUL byte once reached PostgreSQL (which refuses it in text) and became a 500.
        for params in ({"municipality": "03\x0001"}, {"office_id": "nav-\x00"}):
            odd = await client.get("/placement/api/capacity", headers=worker, params=params)
            assert odd.status_code == 422 and odd.json()["errors"][0]["loc"] == ["query", *params], odd.text


async def test_provider_and_unit_changes_emit_their_events(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        admin = await login(client, "admin")
        provider = await new_provider(client, admin)
        [unit] = provider["units"]
        changed = await client.put(f"/placement/api/providers/{provider['provider_id']}", headers=admin, json={
            "name": "Omdøpt hus", "orgnr": provider["orgnr"], "kind": "non_profit", "municipality": "0301",
            "address": provider["address"], "agreement": {"kind": "framework", "price_per_night": 750,
                                                          "target_groups": ["families"]}})
        assert changed.status_code == 200, changed.text
        assert changed.json()["agreement"]["price_per_night"] == 750
        more_beds = await client.patch(f"/placement/api/units/{unit['unit_id']}", headers=admin, json={"beds": 3})
        assert more_beds.status_code == 200 and more_beds.json()["beds"] == 3
        duplicate = await client.post("/placement/api/providers", headers=admin, json={
            "name": "Kopi", "orgnr": provider["orgnr"], "kind": "private", "municipality": "0301",
            "address": "Et sted 1"})
        assert duplicate.status_code == 409 and field_of(duplicate) == "orgnr"
        async with stack.pools["placement"].acquire() as conn:
            types = [r["t"] for r in await conn.fetch(
                "SELECT headers->>'ce_type' AS t FROM outbox WHERE key = $1 ORDER BY id", provider["provider_id"])]
        assert types == [contracts.ProviderRegistered.event_type, contracts.UnitRegistered.event_type,
                         contracts.CapacityChanged.event_type, contracts.ProviderChanged.event_type,
                         contracts.UnitChanged.event_type, contracts.CapacityChanged.event_type]


async def test_co_location_is_judged_from_who_lives_at_the_address(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, admin = await login(client, "veileder-grunerlokka"), await login(client, "admin")
        address = f"Fellesgata {uuid.uuid4().int % 1000}, 0150 Oslo"
        # Two providers without agreement (no target groups) at one address, and one elsewhere.
        here = await new_provider(client, admin, agreement_kind="none", beds=4, address=address)
        also_here = await new_provider(client, admin, agreement_kind="none", beds=4, address=f"  {address.upper()} ")
        elsewhere = await new_provider(client, admin, agreement_kind="none", beds=4)
        for p in (here, also_here, elsewhere):
            r = await client.post(f"/placement/api/providers/{p['provider_id']}/inspections", headers=worker, json={
                "inspected_on": str(TODAY), "result": "approved", "next_due": str(TODAY + timedelta(days=30))})
            assert r.status_code == 201, r.text
        period = {"period_from": TODAY, "period_to": TODAY + timedelta(days=10)}
        user = await grant(client, worker, needs={"substance_use": True}, **period)
        family = await grant(client, worker, children=(TODAY.replace(year=TODAY.year - 4),), **period)
        why = "Ingen avtaleplass ledig."

        first = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": user["decision_id"], "unit_id": here["units"][0]["unit_id"], "check_in": str(TODAY),
            "justification": why})
        assert first.status_code == 201, first.text
        refused = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": family["decision_id"], "unit_id": also_here["units"][0]["unit_id"],
            "check_in": str(TODAY), "justification": why})
        assert refused.status_code == 422 and "samme adresse" in refused.json()["errors"][0]["msg"]
        allowed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": family["decision_id"], "unit_id": elsewhere["units"][0]["unit_id"],
            "check_in": str(TODAY), "justification": why})
        assert allowed.status_code == 201, allowed.text


async def test_night_shelters_only_when_asked(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker = await login(client, "veileder-asker")
        g = await grant(client, worker, office_id="nav-asker", needs={"substance_use": True},
                        period_from=TODAY, period_to=TODAY + timedelta(days=3))
        plain = (await client.get(f"/placement/api/decisions/{g['decision_id']}/matches", headers=worker)).json()
        assert plain["fits"] and {m["accommodation"] for m in plain["fits"]} == {"temporary"}
        asked = (await client.get(f"/placement/api/decisions/{g['decision_id']}/matches?night_shelter=true",
                                  headers=worker)).json()
        assert asked["fits"] and {m["accommodation"] for m in asked["fits"]} == {"night_shelter"}
        unit_id = next(m["unit_id"] for m in asked["fits"] if m["provider"].startswith("Elveplassen"))
        refused = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": g["decision_id"], "unit_id": unit_id, "check_in": str(TODAY)})
        assert refused.status_code == 422 and "Natthjem" in refused.json()["errors"][0]["msg"]
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": g["decision_id"], "unit_id": unit_id, "check_in": str(TODAY), "night_shelter": True})
        assert placed.status_code == 201, placed.text


async def test_an_extension_made_in_intake_extends_the_stay_through_the_broker(stack):
    from tests.placement.helpers import extend_in_intake

    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, admin = await login(client, "veileder-grunerlokka"), await login(client, "admin")
        [unit] = (await new_provider(client, admin))["units"]
        g = await grant(client, worker, period_from=TODAY - timedelta(days=3), period_to=TODAY + timedelta(days=10))
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": g["decision_id"], "unit_id": unit["unit_id"], "check_in": str(TODAY - timedelta(days=3))})
        assert placed.status_code == 201, placed.text
        new_to = TODAY + timedelta(days=40)
        new_decision = await extend_in_intake(client, worker, g["decision_id"], new_to)

        async def extended():
            r = await client.get(f"/placement/api/stays/{placed.json()['stay_id']}", headers=worker)
            return r.json() if r.json()["authorised_to"] == str(new_to) else None
        stay = await eventually(extended)
        assert stay["decision_id"] == new_decision and stay["check_out"] is None
