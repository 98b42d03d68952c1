"""Intake's routes on fakes (tests/web.py): roles, offices, answers, pages; no database, no broker."""

from datetime import date, timedelta

import pytest

from kit.auth import Role, User
from services.intake.domain.identity import synthetic_identity_number
from services.intake.entrypoints.app import create_app
from tests.unit.intake.fakes import MUNICIPALITIES, NOW, Intake
from tests.web import client

NUMBER = synthetic_identity_number(date(1984, 3, 9))
WORKER = User("veileder-falkenborg", Role.CASE_WORKER, "nav-falkenborg")
LEADER = User("leder-falkenborg", Role.OFFICE_LEADER, "nav-falkenborg")
OTHER = User("veileder-grunerlokka", Role.CASE_WORKER, "nav-grunerlokka")
OTHER_LEADER = User("leder-grunerlokka", Role.OFFICE_LEADER, "nav-grunerlokka")
FINANCE = User("okonomi", Role.FINANCE)
ADMIN = User("admin", Role.ADMIN)
TODAY = NOW.date()


@pytest.fixture
def intake() -> Intake:
    return Intake()


@pytest.fixture
def app(intake):
    return create_app(bus=intake.bus, uow_factory=intake.uow_factory, municipalities=MUNICIPALITIES)


def body(number: str = NUMBER, office: str = "nav-falkenborg", **extra) -> dict:
    return {"identity_number": number, "name": "Kari Falk", "office_id": office, "phone": "40000001",
            "address": "Gata 1", **extra}


async def register(app, user=WORKER, **extra) -> dict:
    async with client(app, user) as c:
        r = await c.post("/api/applications", json=body(office=user.office_id, **extra))
    assert r.status_code == 201, r.text
    return r.json()


async def test_register_list_and_open_a_case(app):
    created = await register(app)
    async with client(app, WORKER) as c:
        listed = (await c.get("/api/applications")).json()["items"]
        case = await c.get(f"/api/applications/{created['application_id']}", params={"purpose": "Saksbehandling"})
    assert [(r["id"], r["status"], r["children"]) for r in listed] == [(created["application_id"], "received", 0)]
    assert "name" not in listed[0] and "identity_number" not in listed[0]
    assert case.status_code == 200
    assert case.json()["household"]["name"] == "Kari Falk" and case.json()["decisions"] == []


@pytest.mark.parametrize("user, status", [(FINANCE, 403), (ADMIN, 403), (None, 401)])
async def test_only_case_workers_and_leaders_register(app, user, status):
    async with client(app, user) as c:
        r = await c.post("/api/applications", json=body())
    assert r.status_code == status


async def test_another_office_gets_403_on_the_case_and_404_for_what_does_not_exist(app):
    created = await register(app)
    async with client(app, OTHER) as c:
        r = await c.get(f"/api/applications/{created['application_id']}", params={"purpose": "x"})
        assert r.status_code == 403
        r = await c.post(f"/api/applications/{created['household_id']}/decision", json={"outcome": "refused"})
        assert r.status_code == 404 and r.json()["errors"][0]["loc"] == ["path", "application_id"]
        r = await c.get(f"/api/households/{created['household_id']}", params={"purpose": "x"})
        assert r.status_code == 403


async def test_the_cross_office_overwrite_is_refused_and_reveals_nothing(app, intake):
    await register(app, phone="40000001")
    async with client(app, OTHER) as c:
        r = await c.post("/api/applications", json=body(office="nav-grunerlokka", name="Noen Annen", phone=None))
    assert r.status_code == 409
    problem = r.json()
    assert problem["errors"][0]["loc"] == ["body", "identity_number"]
    text = r.text
    assert "Kari" not in text and "falkenborg" not in text.lower() and "40000001" not in text
    assert "new_household" not in text and "household_id" not in text
    assert "overføre" in problem["detail"]
    [h] = intake.store.households.values()
    assert (h.name, h.phone, h.office_id) == ("Kari Falk", "40000001", "nav-falkenborg")
    assert len(intake.store.applications) == 1


async def _finished_case(app):
    created = await register(app)
    async with client(app, WORKER) as c:
        start = TODAY - timedelta(days=40)
        r = await c.post(f"/api/applications/{created['application_id']}/decision", json={
            "outcome": "granted", "period_from": str(start), "period_to": str(start + timedelta(days=9))})
    assert r.status_code == 201, r.text
    return created


@pytest.mark.parametrize("user, status", [(OTHER, 403), (FINANCE, 403), (None, 401), (OTHER_LEADER, 200)])
async def test_who_may_transfer(app, user, status):
    await _finished_case(app)
    async with client(app, user) as c:
        r = await c.post("/api/households/transfer", json={"identity_number": NUMBER, "reason": "Flyttet."})
    assert r.status_code == status, r.text


async def test_a_transfer_answers_the_new_office_and_the_old_office_keeps_its_case(app, intake):
    created = await _finished_case(app)
    async with client(app, OTHER_LEADER) as c:
        r = await c.post("/api/households/transfer", json={"identity_number": NUMBER, "reason": "Flyttet."})
        assert r.json()["office_id"] == "nav-grunerlokka" and r.json()["from_office_id"] == "nav-falkenborg"
        again = await c.post("/api/households/transfer", json={"identity_number": NUMBER, "reason": "Flyttet."})
        assert again.status_code == 409
    async with client(app, ADMIN) as c:
        r = await c.post("/api/households/transfer", json={"identity_number": NUMBER, "reason": "Tilbake."})
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "to_office_id"]
    async with client(app, WORKER) as c:
        case = await c.get(f"/api/applications/{created['application_id']}", params={"purpose": "Oppfølging"})
        history = await c.get(f"/api/households/{created['household_id']}", params={"purpose": "Oppfølging"})
        assert case.status_code == 200 and history.status_code == 200
        assert len(history.json()["applications"]) == 1
        lookup = await c.post("/api/households/lookup", json={"identity_number": NUMBER, "purpose": "Ny søknad"})
        assert lookup.status_code == 404  # it is Grünerløkka's household now


async def test_the_three_months_approval_needs_a_leaders_justification(app):
    created = await register(app, children_birth_dates=["2019-05-01"])
    async with client(app, WORKER) as c:
        r = await c.post(f"/api/applications/{created['application_id']}/decision", json={
            "outcome": "granted", "period_from": str(TODAY), "period_to": str(TODAY + timedelta(days=99)),
            "justification": "Saksbehandler: ingen annen løsning."})
        decision = r.json()
        assert (decision["status"], decision["leader_justification_required"]) == ("awaiting_approval", True)
        assert (await c.post(f"/api/decisions/{decision['decision_id']}/approval")).status_code == 403
    async with client(app, LEADER) as c:
        url = f"/api/decisions/{decision['decision_id']}/approval"
        r = await c.post(url)
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "justification"]
        r = await c.post(url, json={"justification": "Barna står ellers uten tak over hodet."})
        assert r.status_code == 200
        assert r.json()["leader_justification"] == "Barna står ellers uten tak over hodet."


async def test_the_audit_log_is_for_leaders_and_admin(app):
    created = await register(app)
    async with client(app, WORKER) as c:
        await c.get(f"/api/applications/{created['application_id']}", params={"purpose": "Saksbehandling"})
        assert (await c.get("/api/audit")).status_code == 403
    async with client(app, LEADER) as c:
        entries = (await c.get("/api/audit")).json()["items"]
    assert [(e["username"], e["action"], e["purpose"]) for e in entries] == [
        ("veileder-falkenborg", "view_case", "Saksbehandling")]
    async with client(app, OTHER_LEADER) as c:
        assert (await c.get("/api/audit")).json()["items"] == []


async def test_every_api_route_has_an_answer_model(app):
    from fastapi.routing import iter_route_contexts

    routes = list(iter_route_contexts(app.routes))
    api = [r for r in routes if (r.path or "").startswith("/api/")]
    def answers(r) -> bool:  # a response model, or a download's media type
        return r.response_model is not None or "application/pdf" in r.route.responses.get(200, {}).get("content", {})
    assert len(api) == 23 and all(answers(r) for r in api)
    assert not [r for r in routes if "identity_number" in (r.path or "")]


async def test_the_pages_show_the_case_and_keep_errors_next_to_the_field(app):
    created = await register(app)
    async with client(app, WORKER, page=True) as c:
        cases = await c.get("/")
        case = await c.get(f"/applications/{created['application_id']}")
        other = await c.get(f"/applications/{created['household_id']}")
        form = await c.post("/applications/new", data={"identity_number": "1234567890", "name": "Ny Person"})
    assert cases.status_code == 200 and f"/intake/applications/{created['application_id']}" in cases.text
    assert case.status_code == 200 and "Søknad fra Kari Falk" in case.text
    assert other.status_code == 404 and "text/html" in other.headers["content-type"]
    assert form.status_code == 422
    assert 'id="identity_number-error">Fødselsnummeret må ha 11 siffer; dette har 10.<' in form.text
    assert 'value="Ny Person"' in form.text


async def test_a_leader_transfers_on_the_new_application_page(app, intake):
    await _finished_case(app)
    async with client(app, OTHER_LEADER, page=True) as c:
        page = await c.get("/applications/new")
        missing = await c.post("/households/transfer", data={"transfer_identity_number": NUMBER})
        done = await c.post("/households/transfer", data={"transfer_identity_number": NUMBER,
                                                          "transfer_reason": "Flyttet til Oslo."})
    async with client(app, OTHER, page=True) as c:
        refused = await c.post("/households/transfer", data={"transfer_identity_number": NUMBER,
                                                             "transfer_reason": "x"})
    assert "Overfør husstand fra et annet kontor" in page.text
    assert missing.status_code == 422 and 'id="transfer_reason-error"' in missing.text
    assert done.status_code == 200 and 'id="transfer-done"' in done.text
    assert refused.status_code == 403
    assert [h.office_id for h in intake.store.households.values()] == ["nav-grunerlokka"]


async def test_the_case_page_asks_the_leader_for_the_justification_and_shows_it(app):
    created = await register(app, children_birth_dates=["2019-05-01"])
    async with client(app, WORKER) as c:
        decision = (await c.post(f"/api/applications/{created['application_id']}/decision", json={
            "outcome": "granted", "period_from": str(TODAY), "period_to": str(TODAY + timedelta(days=99))})).json()
    async with client(app, LEADER, page=True) as c:
        page = await c.get(f"/applications/{created['application_id']}")
        refused = await c.post(f"/decisions/{decision['decision_id']}/approve", data={})
        approved = await c.post(f"/decisions/{decision['decision_id']}/approve",
                                data={"leader_justification": "Ingen annen forsvarlig løsning for barna."})
        shown = await c.get(f"/applications/{created['application_id']}")
    assert 'id="leader-justification-needed"' in page.text and 'name="leader_justification"' in page.text
    assert refused.status_code == 422 and 'id="leader_justification-error"' in refused.text
    assert approved.status_code == 303
    assert "Leders begrunnelse" in shown.text and "Ingen annen forsvarlig løsning for barna." in shown.text
