"""Who a household is, on placement's and billing's pages, asked of intake over HTTP when the page is drawn (in the
all-in-one process as in four): the case worker and leader of the office see the name, birth date and the
office's reference, and intake's audit log has each view; another office's worker and finance see no names; a
service credential names only its office's households; with intake out of reach the pages still render, with
a Norwegian note instead of names."""

from datetime import timedelta

import httpx
import pytest

from botilbud.stack import definitions
from kit import clock
from kit.auth import UserDirectory, service_token
from kit.runtime import Runtime
from tests.conftest import eventually, free_port, login
from tests.placement.helpers import grant

pytestmark = pytest.mark.integration
TODAY = clock.today()
NAME = "Test Testesen"  # as grant() registers the household, born 04.03.1985


async def placed(client: httpx.AsyncClient, worker: dict) -> dict:
    case = await grant(client, worker, period_from=TODAY, period_to=TODAY + timedelta(days=20))
    fits = (await client.get(f"/placement/api/decisions/{case['decision_id']}/matches", headers=worker)).json()
    stay = await client.post("/placement/api/stays", headers=worker, json={
        "decision_id": case["decision_id"], "unit_id": fits["fits"][0]["unit_id"], "check_in": str(TODAY),
        "justification": "Ledig i natt."})
    assert stay.status_code == 201, stay.text

    async def requisition():
        r = await client.get("/billing/api/requisitions", headers=worker,
                             params={"stay_id": stay.json()["stay_id"]})
        return r.json()["items"][0]["number"] if r.json()["items"] else None
    return {**case, "stay_id": stay.json()["stay_id"], "number": await eventually(requisition)}


def pages(case: dict) -> list[str]:
    return [f"/placement/stays/{case['stay_id']}", "/placement/decisions", f"/placement/decisions/"
            f"{case['decision_id']}/places", "/placement/?office=nav-grunerlokka&hvem=1", "/billing/",
            f"/billing/requisitions/{case['number']}"]


async def test_the_office_sees_who_others_do_not_and_intake_audits_each_view(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, leader = await login(client, "veileder-grunerlokka"), await login(client, "leder-grunerlokka")
        case = await placed(client, worker)
        reference = (await client.get(f"/intake/api/households/{case['household_id']}?purpose=Test",
                                      headers=worker)).json()["reference"]
        assert reference and reference.startswith(f"{TODAY.year}-")
        for page in pages(case):
            r = await client.get(page, headers=worker)
            assert r.status_code == 200 and NAME in r.text, page
            assert 'data-testid="people-note"' not in r.text, page
        stay = await client.get(f"/placement/stays/{case['stay_id']}", headers=leader)
        assert NAME in stay.text and "f. 04.03.1985" in stay.text and f"ref. {reference}" in stay.text
        finance = await login(client, "okonomi")
        for user, page in ((finance, "/billing/"), (finance, f"/billing/requisitions/{case['number']}"),
                           (await login(client, "drift"), "/placement/")):
            r = await client.get(page, headers=user)
            assert r.status_code == 200 and NAME not in r.text and 'data-testid="people-note"' not in r.text, page
        audit = (await client.get("/intake/api/audit", headers=leader, params={"page_size": 200})).json()["items"]
        viewed = [e for e in audit if e["action"] == "view_people" and e["household_id"] == case["household_id"]]
        assert {e["purpose"] for e in viewed} >= {"Plassering: oppholdet", f"Rekvisisjon {case['number']}"}
        assert all("Test" not in e["purpose"] for e in viewed)

        # Another office's case worker: the pages they may open name no one of Grünerløkka's.
        bodo = await login(client, "veileder-bodo")
        r = await client.post("/intake/api/people", headers=bodo,
                              json={"household_ids": [case["household_id"]], "purpose": "Nysgjerrig"})
        assert r.status_code == 200 and r.json() == {"people": [], "not_shown": [case["household_id"]]}

        # A service credential for an office names that office's households only.
        for office, named in (("nav-grunerlokka", [NAME]), ("nav-bodo", [])):
            token = service_token(stack.signer, "billing", office)
            r = await client.post("/intake/api/people", headers={"Authorization": f"Bearer {token}"},
                                  json={"household_ids": [case["household_id"]], "purpose": "Rekvisisjon",
                                        "on_behalf_of": "veileder-grunerlokka"})
            assert r.status_code == 200 and [p["name"] for p in r.json()["people"]] == named


async def test_with_intake_out_of_reach_the_pages_render_with_a_note_instead_of_names(settings):
    unreachable = settings.model_copy(update={"intake_url": f"http://127.0.0.1:{free_port()}/intake"})
    runtime = Runtime(unreachable, definitions("all"), bootstrap=settings.kafka_bootstrap,
                      users=UserDirectory.load(settings.users_file), secret=settings.secret_key.get_secret_value())
    await runtime.start()
    try:
        async with httpx.AsyncClient(base_url=runtime.url, timeout=30) as client:
            worker = await login(client, "veileder-grunerlokka")
            case = await placed(client, worker)
            for page in pages(case):
                r = await client.get(page, headers=worker)
                assert r.status_code == 200, page
                assert NAME not in r.text and "søknadstjenesten (intake) svarer ikke" in r.text, page
    finally:
        await runtime.stop()
