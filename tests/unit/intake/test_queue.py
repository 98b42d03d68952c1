"""The leader's queue (issue 15, item 4) on fakes: intake's decisions waiting for approval beside placement's
items (a fake placement answering over an in-process HTTP transport), the count, approving from the queue,
marking a placement as seen, and the header's search box and count on any service's page."""

import asyncio
from uuid import uuid4

import httpx
import pytest
from fastapi import Request

from kit.auth import Role, User
from services.intake.adapters.placement import UNREACHABLE_NB, PlacementQueueClient
from services.intake.domain import commands as c
from services.intake.domain.model import Actor
from services.intake.entrypoints.app import create_app
from tests.unit.intake.fakes import MUNICIPALITIES, Intake
from tests.unit.intake.test_handlers import NUMBER, TODAY, apply, granted
from tests.unit.intake.test_routes import WORKER
from tests.unit.intake.test_search import HAKON
from tests.web import SIGNER, client, page_with_header

GL_WORKER = User("veileder-grunerlokka", Role.CASE_WORKER, "nav-grunerlokka")
GL_LEADER = User("leder-grunerlokka", Role.OFFICE_LEADER, "nav-grunerlokka", "Lise Leder")
GL_OTHER_LEADER = User("leder2-grunerlokka", Role.OFFICE_LEADER, "nav-grunerlokka")
STAFF = User("stab-oslo", Role.MUNICIPALITY_STAFF, None, municipality="0301")


class FakePlacement:
    """Placement's leader-queue API as intake meets it: the items, and who marked which as seen."""

    def __init__(self):
        self.items: list[dict] = []
        self.seen: list[tuple[str, str]] = []  # (item id, the leader's username from the token)
        self.down = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("placement is down")
        user = SIGNER.read(request.headers["authorization"].removeprefix("Bearer "))
        if user is None or user.role != Role.OFFICE_LEADER:
            return httpx.Response(403, json={"detail": "Ingen tilgang."})
        if request.method == "POST":
            item_id = request.url.path.split("/")[-2]
            self.seen.append((item_id, user.username))
            self.items = [i for i in self.items if i["item_id"] != item_id]
            return httpx.Response(200, json={"item_id": item_id, "seen_at": "2026-11-26T10:00:00+00:00"})
        return httpx.Response(200, json={"items": self.items, "count": len(self.items)})

    def client(self) -> PlacementQueueClient:
        return PlacementQueueClient(lambda: "http://placement/placement", transport=httpx.MockTransport(self.handler))


@pytest.fixture
async def world():
    intake, placement = Intake(), FakePlacement()
    gl = Actor(GL_WORKER.username, "case_worker", "nav-grunerlokka")
    own = Actor(GL_LEADER.username, "office_leader", "nav-grunerlokka")
    first = await intake.handle(apply(gl, NUMBER, "Kari Falk"))
    second = await intake.handle(apply(own, HAKON, "Håkon Karisen"))
    waiting = await intake.handle(c.MakeDecision(gl, first.application_id, granted(20)))  # Grünerløkka: 2nd approval
    mine = await intake.handle(c.MakeDecision(own, second.application_id, granted(20)))
    placement.items = [{
        "item_id": str(uuid4()), "kind": "placement", "stay_id": str(uuid4()), "household_id": str(first.household_id),
        "at": str(TODAY), "provider": "Blå Kors bosenter", "unit": "Rom 3", "authorised_to": str(TODAY),
        "reasons": ["Plassert uten gyldig avtale"], "justification": "Ingen ledig plass med avtale.",
        "by": "Vera Veileder"}]
    app = create_app(bus=intake.bus, uow_factory=intake.uow_factory, municipalities=MUNICIPALITIES,
                     placement=placement.client())
    return intake, placement, app, waiting, mine


async def test_the_queue_holds_the_offices_waiting_decisions_and_placements_items_with_names(world):
    intake, placement, app, waiting, mine = world
    async with client(app, GL_LEADER) as api:
        r = await api.get("/api/queue")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(d["decision_id"], d["own"]) for d in body["decisions"]] == [(str(waiting.id), False), (str(mine.id), True)]
    assert [p["reasons"] for p in body["placements"]] == [["Plassert uten gyldig avtale"]]
    assert body["count"] == 2 and body["placement_note"] is None  # the leader's own decision is another's to approve
    async with client(app, GL_LEADER) as api:
        assert (await api.get("/api/queue/count")).json() == {"count": 2, "complete": True}
    async with client(app, GL_LEADER, page=True) as browser:
        page = await browser.get("/queue")
    assert page.status_code == 200 and page.text.count('data-testid="queue-decision"') == 2
    assert "Kari Falk" in page.text and "Ingen ledig plass med avtale." in page.text
    assert 'data-testid="leader-queue-count"' in page.text and ">2</span>" in page.text
    assert {e.purpose for e in intake.store.audit if e.username == GL_LEADER.username} == {"Lederens kø"}


async def test_placement_down_leaves_the_decisions_and_a_note_and_the_count_says_it_is_incomplete(world):
    intake, placement, app, waiting, _ = world
    placement.down = True
    async with client(app, GL_LEADER) as api:
        assert (await api.get("/api/queue/count")).json() == {"count": 1, "complete": False}
    async with client(app, GL_LEADER, page=True) as browser:
        page = await browser.get("/queue")
    assert page.status_code == 200 and UNREACHABLE_NB in page.text and str(waiting.id) in page.text


async def test_a_leader_approves_from_the_queue_and_returns_to_it_with_the_item_gone(world):
    intake, placement, app, waiting, mine = world
    async with client(app, GL_LEADER, page=True) as browser:
        r = await browser.post(f"/decisions/{waiting.id}/approve", data={"back": "queue"})
        assert (r.status_code, r.headers["location"]) == (303, "/intake/queue")
        after = await browser.get("/queue")
    assert intake.store.decisions[waiting.id].status == "in_effect"
    assert after.text.count('data-testid="queue-decision"') == 1 and ">1</span>" in after.text
    async with client(app, GL_OTHER_LEADER, page=True) as browser:  # without `back`: to the case, as before
        r = await browser.post(f"/decisions/{mine.id}/approve", data={})
        assert r.headers["location"].startswith("/intake/applications/")


async def test_marking_a_placement_seen_asks_placement_for_the_leader_and_it_leaves_the_queue(world):
    intake, placement, app, *_ = world
    item = placement.items[0]["item_id"]
    async with client(app, GL_LEADER, page=True) as browser:
        r = await browser.post(f"/queue/placements/{item}/seen")
        assert (r.status_code, r.headers["location"]) == (303, "/intake/queue")
    assert placement.seen == [(item, GL_LEADER.username)] and placement.items == []
    placement.down = True
    async with client(app, GL_LEADER, page=True) as browser:
        r = await browser.post(f"/queue/placements/{uuid4()}/seen")
    assert r.status_code == 503 and "kunne ikke merkes som sett" in r.text


@pytest.mark.parametrize("user", [GL_WORKER, WORKER, STAFF, User("okonomi", Role.FINANCE)])
async def test_only_leaders_have_a_queue(world, user):
    *_, app, _, _ = world
    async with client(app, user) as api:
        assert (await api.get("/api/queue")).status_code == 403
        assert (await api.get("/api/queue/count")).status_code == 403




async def count_of_three(request: Request) -> int:
    return 3


async def failing(request: Request) -> int:
    raise RuntimeError("intake is down")


async def too_slow(request: Request) -> int:
    await asyncio.sleep(5)
    return 9


@pytest.mark.parametrize(("user", "search", "queue"), [
    (GL_WORKER, True, False), (GL_LEADER, True, True), (STAFF, False, False),
    (User("admin", Role.ADMIN), False, False)])
async def test_the_header_offers_search_to_case_workers_and_leaders_and_the_count_to_leaders(user, search, queue):
    async with client(page_with_header(header_count=count_of_three), user, page=True) as browser:
        page = await browser.get("/page")
    assert page.status_code == 200
    assert ('action="/intake/search"' in page.text) is search and ('name="q"' in page.text) is search
    assert ('data-testid="leader-queue-count"' in page.text) is queue


@pytest.mark.parametrize("source", [failing, too_slow])
async def test_a_page_never_fails_for_its_count(source):
    async with client(page_with_header(header_count=source), GL_LEADER, page=True) as browser:
        page = await browser.get("/page")
    assert page.status_code == 200 and 'data-testid="leader-queue"' in page.text
    assert 'data-testid="leader-queue-count"' not in page.text
    assert int(page.headers["content-length"]) == len(page.content)
