"""Issue 15, items 2 and 4, on the real stack (PostgreSQL, the broker, every service in one process): the search
finds only the office's own households and is audited; the leader's queue gathers intake's decisions waiting
for approval and placement's justified placements (asked of placement over HTTP on the leader's behalf), an
item leaves it when approved or seen (placement keeps who and when), and the count in every service's header
follows."""

import re
from datetime import timedelta

import httpx
import pytest

from tests.conftest import granted_decision, login
from tests.intake.helpers import TODAY, application, granted, number

pytestmark = [pytest.mark.integration]


async def search(client, headers, q: str) -> httpx.Response:
    return await client.post("/intake/api/households/search", headers=headers, json={"q": q})


async def test_the_search_finds_only_the_offices_households_and_the_audit_log_records_it(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker, bodo = await login(client, "veileder-grunerlokka"), await login(client, "veileder-bodo")
        mine = await client.post("/intake/api/applications", headers=worker, json=application(
            number(1), office="nav-grunerlokka", name="Tordis Finnevik"))
        theirs = await client.post("/intake/api/applications", headers=bodo, json=application(
            number(2), office="nav-bodo", name="Tordis Finneland"))
        assert (mine.status_code, theirs.status_code) == (201, 201), (mine.text, theirs.text)
        mine_id, theirs_id = mine.json()["household_id"], theirs.json()["household_id"]

        by_name = await search(client, worker, "tordis finn")
        assert by_name.status_code == 200, by_name.text
        assert [p["household_id"] for p in by_name.json()["people"]] == [mine_id]
        assert by_name.json()["people"][0]["name"] == "Tordis Finnevik"
        reference = by_name.json()["people"][0]["reference"]
        assert re.fullmatch(rf"{TODAY.year}-\d{{4}}", reference)
        by_reference = await search(client, worker, reference)
        assert [p["household_id"] for p in by_reference.json()["people"]] == [mine_id]
        assert (await search(client, worker, "Finneland")).json()["people"] == []  # Bodø's
        assert (await search(client, worker, number(2))).json()["people"] == []  # Bodø's number
        assert [p["household_id"] for p in (await search(client, bodo, "tordis")).json()["people"]] == [theirs_id]

        # A bad query is a Norwegian 422 naming the box, never a 5xx, on the API and on the page.
        for q in ("", " ", "x" * 5000, "a\u0000b", "a\u001bb"):
            bad = await search(client, worker, q)
            assert bad.status_code == 422 and bad.json()["errors"][0]["loc"][-1] == "q", (q, bad.text)
        page = await client.post("/intake/search", headers=worker, data={"q": "x" * 300})
        assert page.status_code == 422 and "Søket er for langt" in page.text

        audit = (await client.get("/intake/api/audit", headers=await login(client, "leder-grunerlokka"),
                                  params={"page_size": 200})).json()["items"]
        finds = [(e["username"], e["household_id"], e["purpose"]) for e in audit if e["action"] == "find"]
        assert finds.count(("veileder-grunerlokka", mine_id, "Søk")) == 2  # by name, by reference
        assert ("veileder-grunerlokka", None, "Søk") in finds  # searches that showed no one are recorded too
        assert all(h != theirs_id for _, h, _ in finds)
        assert all(e["household_id"] != theirs_id for e in audit)


async def queue(client, leader) -> dict:
    r = await client.get("/intake/api/queue", headers=leader)
    assert r.status_code == 200, r.text
    return r.json()


async def header_count(client, headers, path: str) -> int | None:
    page = await client.get(path, headers=headers)
    assert page.status_code == 200, page.text
    found = re.search(r'data-testid="leader-queue-count"[^>]*>(\d+)<', page.text)
    return int(found.group(1)) if found else None


async def test_the_leaders_queue_gathers_decisions_and_justified_placements_until_approved_or_seen(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        leader = await login(client, "leder-grunerlokka")
        worker, decision = await granted_decision(client, period_from=TODAY, period_to=TODAY + timedelta(days=20),
                                                  identity_number=number(10), name="Signe Køsen")
        before = await queue(client, leader)
        applied = await client.post("/intake/api/applications", headers=worker,
                                    json=application(number(11), office="nav-grunerlokka", name="Petter Venter"))
        waiting = (await client.post(f"/intake/api/applications/{applied.json()['application_id']}/decision",
                                     headers=worker, json=granted())).json()
        assert waiting["status"] == "awaiting_approval"  # Grünerløkka's second approval
        matches = (await client.get(f"/placement/api/decisions/{decision}/matches", headers=worker)).json()
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": decision, "unit_id": matches["fits"][0]["unit_id"], "check_in": str(TODAY),
            "justification": "Eneste ledige plass i kveld."})
        assert placed.status_code == 201, placed.text
        stay_id = placed.json()["stay_id"]

        now = await queue(client, leader)
        assert waiting["decision_id"] in [d["decision_id"] for d in now["decisions"]]
        item = next(p for p in now["placements"] if p["stay_id"] == stay_id)
        assert item["kind"] == "placement" and item["justification"] == "Eneste ledige plass i kveld."
        assert now["count"] == before["count"] + 2 and now["placement_note"] is None
        count = now["count"]
        assert (await client.get("/intake/api/queue/count", headers=leader)).json() == {"count": count,
                                                                                         "complete": True}
        for path in ("/intake/", "/placement/", "/billing/", "/stats/"):  # every service's header
            assert await header_count(client, leader, path) == count, path
        assert await header_count(client, worker, "/placement/") is None  # a case worker has no queue

        seen = await client.post(f"/intake/queue/placements/{item['item_id']}/seen", headers=leader)
        assert (seen.status_code, seen.headers["location"]) == (303, "/intake/queue")
        async with stack.pools["placement"].acquire() as conn:
            mark = await conn.fetchrow("SELECT stay_id, kind, seen_by, seen_at FROM leader_seen WHERE item_id = $1",
                                       item["item_id"])
        assert (str(mark["stay_id"]), mark["kind"], mark["seen_by"]) == (stay_id, "placement", "leder-grunerlokka")
        approved = await client.post(f"/intake/api/decisions/{waiting['decision_id']}/approval", headers=leader)
        assert approved.status_code == 200, approved.text

        after = await queue(client, leader)
        assert stay_id not in [p["stay_id"] for p in after["placements"]]
        assert waiting["decision_id"] not in [d["decision_id"] for d in after["decisions"]]
        assert after["count"] == count - 2 and await header_count(client, leader, "/placement/") == count - 2

        # Another office's leader sees none of it and cannot mark it.
        other = await login(client, "leder-bodo")
        assert stay_id not in [p["stay_id"] for p in (await queue(client, other))["placements"]]
        refused = await client.post(f"/placement/api/leader-queue/{item['item_id']}/seen", headers=other)
        assert refused.status_code == 403
