"""Intake's API against the real stack: registering, finding, deciding, approving and extending, the
events that go out (and when), and bad input that leaves nothing half-written."""

from datetime import timedelta

import httpx
import pytest

from tests.conftest import eventually, login
from tests.intake.helpers import TODAY, application, count_rows, granted, number, outbox_types

pytestmark = [pytest.mark.integration]
RECEIVED = "botilbud.intake.application-received.v1"
DECIDED = "botilbud.intake.decision-made.v1"


async def test_register_decide_at_an_ordinary_office_and_the_decision_reaches_placement(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        worker = await login(client, "veileder-bodo")
        r = await client.post("/intake/api/applications", headers=worker, json=application(number(1)))
        assert r.status_code == 201, r.text
        created = r.json()
        assert created["new_household"] is True
        # The same person again: the household is found by the keyed hash, not created twice.
        child = str(TODAY.replace(year=TODAY.year - 4))
        again = await client.post("/intake/api/applications", headers=worker,
                                  json=application(number(1), children_birth_dates=[child]))
        assert again.status_code == 201 and again.json()["household_id"] == created["household_id"]
        assert again.json()["new_household"] is False

        r = await client.post(f"/intake/api/applications/{created['application_id']}/decision", headers=worker,
                              json=granted(days=100))
        assert r.status_code == 201, r.text
        decision = r.json()
        assert decision["appeal_deadline"] == str(TODAY + timedelta(weeks=3))
        assert decision["warnings"] == ["over_three_months", "children"]
        assert decision["legal_basis"] == "Sosialtjenesteloven § 27"
        # A family past three months: not in effect until a leader approves it with a written justification.
        assert decision["status"] == "awaiting_approval" and decision["leader_justification_required"]
        assert await outbox_types(stack, created["household_id"]) == [RECEIVED, RECEIVED]
        leader = await login(client, "leder-bodo")
        approval = f"/intake/api/decisions/{decision['decision_id']}/approval"
        r = await client.post(approval, headers=leader)
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "justification"]
        why = "Ingen annen plass for familien; barna står ellers uten tak over hodet."
        r = await client.post(approval, headers=leader, json={"justification": why})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "in_effect" and r.json()["leader_justification"] == why

        async def reached_placement():
            r = await client.get("/placement/api/decisions/awaiting-place", headers=worker)
            return [d for d in r.json() if d["decision_id"] == decision["decision_id"]]
        await eventually(reached_placement)

        # The API is described in OpenAPI.
        paths = (await client.get("/intake/openapi.json")).json()["paths"]
        assert {"/api/applications", "/api/decisions/{decision_id}/approval", "/api/households/lookup"} <= set(paths)

        # Deciding the same application twice is a conflict.
        r = await client.post(f"/intake/api/applications/{created['application_id']}/decision", headers=worker,
                              json=granted())
        assert r.status_code == 409
        assert r.json()["errors"][0]["loc"] == ["path", "application_id"]


async def test_grunerlokka_needs_a_second_approval_before_the_decision_takes_effect(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        worker = await login(client, "veileder-grunerlokka")
        leader = await login(client, "leder-grunerlokka")
        created = (await client.post("/intake/api/applications", headers=worker,
                                     json=application(number(2), office="nav-grunerlokka"))).json()
        household = created["household_id"]
        r = await client.post(f"/intake/api/applications/{created['application_id']}/decision", headers=worker,
                              json=granted())
        decision = r.json()
        assert decision["status"] == "awaiting_approval"
        assert await outbox_types(stack, household) == [RECEIVED]  # no decision event yet

        listed = (await client.get("/intake/api/applications?open_only=true&page_size=200",
                                   headers=worker)).json()["items"]
        [case] = [c for c in listed if c["application_id"] == created["application_id"]]
        assert case["status"] == "awaiting_approval"

        # A case worker may not approve.
        r = await client.post(f"/intake/api/decisions/{decision['decision_id']}/approval", headers=worker)
        assert r.status_code == 403
        r = await client.post(f"/intake/api/decisions/{decision['decision_id']}/approval", headers=leader)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "in_effect" and r.json()["approved_by"] == "leder-grunerlokka"
        assert await outbox_types(stack, household) == [RECEIVED, DECIDED]
        r = await client.post(f"/intake/api/decisions/{decision['decision_id']}/approval", headers=leader)
        assert r.status_code == 409


async def test_a_leader_cannot_approve_their_own_decision_and_a_returned_one_is_decided_again(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        leader = await login(client, "leder-grunerlokka")
        created = (await client.post("/intake/api/applications", headers=leader,
                                     json=application(number(3), office="nav-grunerlokka"))).json()
        decision = (await client.post(f"/intake/api/applications/{created['application_id']}/decision",
                                      headers=leader, json=granted())).json()
        r = await client.post(f"/intake/api/decisions/{decision['decision_id']}/approval", headers=leader)
        assert r.status_code == 409
        assert "annen enn den som fattet" in r.json()["errors"][0]["msg"]
        # The case worker cannot return it either; the leader who decided cannot return their own.
        worker = await login(client, "veileder-grunerlokka")
        r = await client.post(f"/intake/api/decisions/{decision['decision_id']}/return", headers=worker,
                              json={"reason": "x"})
        assert r.status_code == 403

        # Another decision, by the case worker, sent back by the leader and decided again.
        created = (await client.post("/intake/api/applications", headers=worker,
                                     json=application(number(4), office="nav-grunerlokka"))).json()
        decision = (await client.post(f"/intake/api/applications/{created['application_id']}/decision",
                                      headers=worker, json=granted())).json()
        r = await client.post(f"/intake/api/decisions/{decision['decision_id']}/return", headers=leader,
                              json={"reason": "Perioden er for lang."})
        assert r.status_code == 200 and r.json()["status"] == "returned"
        r = await client.post(f"/intake/api/applications/{created['application_id']}/decision", headers=worker,
                              json=granted(days=14))
        assert r.status_code == 201 and r.json()["status"] == "awaiting_approval"


async def test_refusal_and_extension(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        worker = await login(client, "veileder-asker")
        refused = (await client.post("/intake/api/applications", headers=worker,
                                     json=application(number(5), office="nav-asker"))).json()
        r = await client.post(f"/intake/api/applications/{refused['application_id']}/decision", headers=worker,
                              json={"outcome": "refused"})
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "refusal_reason"]
        r = await client.post(f"/intake/api/applications/{refused['application_id']}/decision", headers=worker,
                              json={"outcome": "refused", "refusal_reason": "Har et annet tilbud."})
        assert r.status_code == 201 and r.json()["period_from"] is None

        young = (await client.post("/intake/api/applications", headers=worker, json=application(
            number(6, birth=TODAY.replace(year=TODAY.year - 20) - timedelta(days=3)), office="nav-asker"))).json()
        first = (await client.post(f"/intake/api/applications/{young['application_id']}/decision",
                                   headers=worker, json=granted(days=60))).json()
        assert first["warnings"] == ["young_applicant"]
        r = await client.post(f"/intake/api/decisions/{first['decision_id']}/extension", headers=worker,
                              json={"period_to": str(TODAY + timedelta(days=100)), "conditions": ["boliglogg"],
                                    "justification": "Venter på kommunal bolig."})
        assert r.status_code == 201, r.text
        ext = r.json()
        assert ext["extends_decision_id"] == first["decision_id"]
        assert ext["period_from"] == str(TODAY + timedelta(days=60))
        assert ext["warnings"] == ["over_three_months", "young_applicant"]
        # A young applicant past three months: the case worker's justification is not enough, a leader's is.
        assert ext["status"] == "awaiting_approval"
        r = await client.post(f"/intake/api/decisions/{ext['decision_id']}/approval",
                              headers=await login(client, "leder-asker"),
                              json={"justification": "Kommunal bolig er tildelt fra neste måned."})
        assert r.status_code == 200 and r.json()["status"] == "in_effect", r.text
        r = await client.post(f"/intake/api/decisions/{first['decision_id']}/extension", headers=worker,
                              json={"period_to": str(TODAY + timedelta(days=120))})
        assert r.status_code == 409
        r = await client.post(f"/intake/api/decisions/{ext['decision_id']}/extension", headers=worker,
                              json={"period_to": str(TODAY)})
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "period_to"]

        async def extension_on_the_broker():
            return await outbox_types(stack, young["household_id"]) == [RECEIVED, DECIDED, DECIDED]
        await eventually(extension_on_the_broker)
        history = (await client.get(f"/intake/api/households/{young['household_id']}?purpose=test",
                                    headers=worker)).json()
        assert [d["extends_decision_id"] for d in history["decisions"]] == [None, first["decision_id"]]


async def test_lookup_by_identity_number_is_a_post_and_is_audited(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        worker = await login(client, "veileder-falkenborg")
        created = (await client.post("/intake/api/applications", headers=worker,
                                     json=application(number(7), office="nav-falkenborg", name="Ola Oppslag"))).json()
        r = await client.post("/intake/api/households/lookup", headers=worker,
                              json={"identity_number": number(7), "purpose": "Ny søknad"})
        assert r.status_code == 200
        found = r.json()
        assert found["household"]["household_id"] == created["household_id"]
        assert found["household"]["name"] == "Ola Oppslag"
        assert len(found["applications"]) == 1
        # Another office does not see the household.
        other = await login(client, "veileder-bodo")
        r = await client.post("/intake/api/households/lookup", headers=other,
                              json={"identity_number": number(7), "purpose": "Ny søknad"})
        assert r.status_code == 404
        r = await client.post("/intake/api/households/lookup", headers=worker,
                              json={"identity_number": "12345678901", "purpose": "Ny søknad"})
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "identity_number"]

        leader = await login(client, "leder-falkenborg")
        entries = (await client.get("/intake/api/audit", headers=leader, params={"page_size": 200})).json()["items"]
        mine = [e for e in entries if e["username"] == "veileder-falkenborg"]
        assert mine[0]["action"] == "search" and mine[0]["purpose"] == "Ny søknad"
        assert mine[0]["household_id"] == created["household_id"]
        # The other office's search is in the other office's log, not this one.
        assert not [e for e in entries if e["username"] == "veileder-bodo"]


BAD_INPUTS = [
    ("malformed JSON", b'{"identity_number": "1', ["body", 20]),
    ("wrong type", {"identity_number": 15108695088, "name": "X", "office_id": "nav-bodo"}, ["body", "identity_number"]),
    ("impossible date", {"children_birth_dates": ["2020-02-30"]}, ["body", "children_birth_dates", 0]),
    ("oversized name", {"name": "x" * 201}, ["body", "name"]),
    ("oversized notes", {"notes": "x" * 4001}, ["body", "notes"]),
    ("unknown field", {"favourite_colour": "blue"}, ["body", "favourite_colour"]),
    ("bad needs", {"needs": {"substance_use": "often"}}, ["body", "needs", "substance_use"]),
    ("bad identity number", {"identity_number": "15108695077"}, ["body", "identity_number"]),
    ("bad org number", {"channel": "provider", "provider_org_number": "123456789"},
     ["body", "provider_org_number"]),
    ("unknown office", {"office_id": "nav-atlantis"}, None),
    ("naive received_at", {"received_at": "2026-01-01T10:00:00"}, ["body", "received_at"]),
]


async def test_bad_application_input_gets_a_4xx_naming_the_field_and_writes_nothing(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        worker = await login(client, "veileder-bodo")
        before = await count_rows(stack)
        for label, change, loc in BAD_INPUTS:
            if isinstance(change, bytes):
                r = await client.post("/intake/api/applications", content=change,
                                      headers={**worker, "content-type": "application/json"})
            else:
                r = await client.post("/intake/api/applications", headers=worker,
                                      json={**application(number(8)), **change})
            if loc is None:
                assert r.status_code == 403, (label, r.text)  # another office than the caller's
            else:
                assert r.status_code == 422, (label, r.text)
                assert r.json()["errors"][0]["loc"] == loc, label
            assert await count_rows(stack) == before, label


BAD_DECISIONS = [
    ("period ends before it starts", {"period_from": "2026-12-10", "period_to": "2026-12-01"}, ["body", "period_to"]),
    ("impossible date", {"period_from": "2026-02-30"}, ["body", "period_from"]),
    ("no period", {"period_from": None, "period_to": None}, ["body", "period_from"]),
    ("wrong type", {"outcome": 1}, ["body", "outcome"]),
    ("unknown condition", {"conditions": ["dancing"]}, ["body", "conditions", 0]),
    ("oversized reason", {"refusal_reason": "x" * 4001}, ["body", "refusal_reason"]),
    ("period over a year", {"period_from": "2026-01-01", "period_to": "2027-06-01"}, ["body", "period_to"]),
]


async def test_bad_decision_input_gets_a_422_naming_the_field_and_writes_nothing(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        worker = await login(client, "veileder-bodo")
        created = (await client.post("/intake/api/applications", headers=worker, json=application(number(9)))).json()
        before = await count_rows(stack)
        for label, change, loc in BAD_DECISIONS:
            r = await client.post(f"/intake/api/applications/{created['application_id']}/decision", headers=worker,
                                  json={**granted(), **change})
            assert r.status_code == 422, (label, r.text)
            assert r.json()["errors"][0]["loc"] == loc, label
            assert await count_rows(stack) == before, label
        listed = (await client.get("/intake/api/applications", headers=worker,
                                   params={"page_size": 200})).json()["items"]
        assert [c["status"] for c in listed if c["id"] == created["application_id"]] == ["received"]


async def test_the_same_person_registered_twice_at_once_and_decided_twice_at_once(stack):
    import asyncio

    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        worker = await login(client, "veileder-bodo")
        body = application(number(20))
        results = await asyncio.gather(*[client.post("/intake/api/applications", headers=worker, json=body)
                                         for _ in range(4)])
        codes = sorted(r.status_code for r in results)
        assert set(codes) <= {201, 409} and codes[0] == 201, [r.text for r in results]
        assert len({r.json()["household_id"] for r in results if r.status_code == 201}) == 1
        application_id = next(r.json()["application_id"] for r in results if r.status_code == 201)
        decided = await asyncio.gather(*[
            client.post(f"/intake/api/applications/{application_id}/decision", headers=worker, json=granted())
            for _ in range(3)])
        assert sorted(r.status_code for r in decided) == [201, 409, 409]
