"""Issue 12 on the real stack: another office's household is never changed by a case worker (and the answer
tells nothing about it); a household moves only by a leader's transfer; a family or a young applicant past
three months waits for a leader's justification (tests/intake/test_api.py); and text with NUL or control
characters gets a 422 naming the field instead of a 500."""

from datetime import timedelta

import httpx
import pytest

from tests.conftest import login
from tests.intake.helpers import TODAY, application, count_rows, number

pytestmark = [pytest.mark.integration]


async def test_a_case_worker_of_another_office_changes_nothing_and_learns_nothing(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        falkenborg = await login(client, "veileder-falkenborg")
        created = await client.post("/intake/api/applications", headers=falkenborg, json=application(
            number(30), office="nav-falkenborg", name="Frida Falkenborg", phone="40000030", address="Elgeseter 1",
            no_fixed_address=False))
        assert created.status_code == 201, created.text
        before = await count_rows(stack)

        grunerlokka = await login(client, "veileder-grunerlokka")
        r = await client.post("/intake/api/applications", headers=grunerlokka, json={
            "identity_number": number(30), "name": "Noen Andre", "office_id": "nav-grunerlokka"})
        assert r.status_code == 409, r.text
        assert r.json()["errors"][0]["loc"] == ["body", "identity_number"]
        assert "overføre" in r.json()["errors"][0]["msg"]
        for secret in ("Frida", "Falkenborg", "falkenborg", "40000030", "Elgeseter", created.json()["household_id"],
                       "new_household"):
            assert secret not in r.text, secret
        assert await count_rows(stack) == before
        assert [c for c in (await client.get("/intake/api/applications", headers=grunerlokka,
                                            params={"page_size": 200})).json()["items"]
                if c["household_id"] == created.json()["household_id"]] == []

        found = (await client.post("/intake/api/households/lookup", headers=falkenborg, json={
            "identity_number": number(30), "purpose": "Kontroll"})).json()["household"]
        assert (found["name"], found["phone"], found["address"], found["office_id"]) == (
            "Frida Falkenborg", "40000030", "Elgeseter 1", "nav-falkenborg")


async def test_a_leader_transfers_a_household_once_the_old_office_is_done(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        falkenborg = await login(client, "veileder-falkenborg")
        created = (await client.post("/intake/api/applications", headers=falkenborg, json=application(
            number(31), office="nav-falkenborg", name="Tor Flytter"))).json()
        leader = await login(client, "leder-grunerlokka")
        transfer = {"identity_number": number(31), "reason": "Har fått jobb og hybel i Oslo."}

        # A case worker may not transfer; a leader may not while Falkenborg's case is open or running.
        worker = await login(client, "veileder-grunerlokka")
        assert (await client.post("/intake/api/households/transfer", headers=worker, json=transfer)).status_code == 403
        r = await client.post("/intake/api/households/transfer", headers=leader, json=transfer)
        assert r.status_code == 409 and "åpen søknad" in r.json()["errors"][0]["msg"]
        past = {"outcome": "granted", "period_from": str(TODAY - timedelta(days=20)),
                "period_to": str(TODAY - timedelta(days=1))}
        decided = await client.post(f"/intake/api/applications/{created['application_id']}/decision",
                                    headers=falkenborg, json=past)
        assert decided.status_code == 201, decided.text

        # Another household whose decision still runs at Falkenborg stays there.
        running = (await client.post("/intake/api/applications", headers=falkenborg, json=application(
            number(32), office="nav-falkenborg"))).json()
        await client.post(f"/intake/api/applications/{running['application_id']}/decision", headers=falkenborg,
                          json={**past, "period_to": str(TODAY + timedelta(days=5))})
        r = await client.post("/intake/api/households/transfer", headers=leader,
                              json={**transfer, "identity_number": number(32)})
        assert r.status_code == 409 and "fortsatt gjelder" in r.json()["errors"][0]["msg"]

        r = await client.post("/intake/api/households/transfer", headers=leader, json=transfer)
        assert r.status_code == 200, r.text
        assert (r.json()["office_id"], r.json()["from_office_id"]) == ("nav-grunerlokka", "nav-falkenborg")
        again = await client.post("/intake/api/applications", headers=worker, json=application(
            number(31), office="nav-grunerlokka", name="Tor Flytter"))
        assert again.status_code == 201 and again.json()["household_id"] == created["household_id"]

        # Both offices' logs hold the transfer; the reason is stored encrypted; Falkenborg keeps its case.
        for who, office in (("leder-grunerlokka", "nav-grunerlokka"), ("leder-falkenborg", "nav-falkenborg")):
            entries = (await client.get("/intake/api/audit", headers=await login(client, who),
                                        params={"page_size": 200})).json()["items"]
            assert [e for e in entries if e["action"] == "transfer" and e["office_id"] == office
                    and e["household_id"] == created["household_id"]], who
        async with stack.pools["intake"].acquire() as conn:
            stored = await conn.fetchval("SELECT reason_encrypted FROM household_transfers")
        assert b"jobb" not in bytes(stored)
        case = await client.get(f"/intake/api/applications/{created['application_id']}?purpose=Oppfølging",
                                headers=falkenborg)
        assert case.status_code == 200
        history = (await client.get(f"/intake/api/households/{created['household_id']}?purpose=Oppfølging",
                                    headers=falkenborg)).json()
        assert [a["office_id"] for a in history["applications"]] == ["nav-falkenborg"]
        assert (await client.post("/intake/api/households/lookup", headers=falkenborg, json={
            "identity_number": number(31), "purpose": "Kontroll"})).status_code == 404


BAD_TEXT = [
    ("/intake/api/applications", "preferred_language", lambda: {**application(number(40)),
                                                                "preferred_language": "norsk\x00"}),
    ("/intake/api/applications", "notes", lambda: {**application(number(40)), "notes": "Notat\x00"}),
    ("/intake/api/applications", "name", lambda: {**application(number(40)), "name": "Kari\x1b[31m"}),
    ("/intake/api/households/lookup", "purpose", lambda: {"identity_number": number(40), "purpose": "Søk\x00"}),
]


async def test_nul_and_control_characters_get_a_422_naming_the_field_and_write_nothing(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        worker = await login(client, "veileder-bodo")
        created = (await client.post("/intake/api/applications", headers=worker, json=application(number(41)))).json()
        before = await count_rows(stack)
        cases = [*BAD_TEXT, (f"/intake/api/applications/{created['application_id']}/decision", "legal_basis",
                             lambda: {"outcome": "refused", "refusal_reason": "Nei.", "legal_basis": "§ 27\x00"})]
        for path, field, body in cases:
            r = await client.post(path, headers=worker, json=body())
            assert r.status_code == 422, (field, r.status_code, r.text)
            assert r.json()["errors"][0]["loc"] == ["body", field]
        r = await client.get(f"/intake/api/applications/{created['application_id']}?purpose=Sak%00", headers=worker)
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["query", "purpose"]
        r = await client.post("/intake/api/applications", headers=worker,
                              json={**application(number(42)), "identity_number": number(42)[:10]})
        assert r.json()["errors"][0]["msg"] == "Fødselsnummeret må ha 11 siffer; dette har 10."
        assert await count_rows(stack) == before
