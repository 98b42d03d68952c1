"""The office registry's routes on fakes (tests/web.py): who may, the answers and problems, the pages."""

import pytest

from kit.auth import Role, User
from services.intake.entrypoints.app import create_app
from tests.unit.intake.fakes import MUNICIPALITIES, Intake
from tests.web import client

ADMIN = User("admin", Role.ADMIN)
WORKER = User("veileder-bodo", Role.CASE_WORKER, "nav-bodo")
LEADER = User("leder-bodo", Role.OFFICE_LEADER, "nav-bodo")
SAGENE = {"name": "Nav Sagene", "municipality": "0301", "district": "Sagene", "phone": "55553333"}
CSV = {"content-type": "text/csv"}
FILE = (b"office,municipality,district,second_approval,address,phone,email\n"
        b"Nav Sagene,0301,Sagene,no,,55553333,\n"
        b"Nav Madla,9999,,no,,,\n"
        b"Nav Tasta,1103,,no,,12,\n")


@pytest.fixture
def intake() -> Intake:
    return Intake()


@pytest.fixture
def app(intake):
    return create_app(bus=intake.bus, uow_factory=intake.uow_factory, municipalities=MUNICIPALITIES)


async def test_an_administrator_registers_changes_and_closes_and_everyone_reads(app, intake):
    async with client(app, ADMIN) as c:
        created = await c.post("/api/offices", json=SAGENE)
        changed = await c.put("/api/offices/nav-sagene", json={**SAGENE, "email": "bolig.sagene@nav.example"})
        closed = await c.post("/api/offices/nav-sagene/close")
        again = await c.post("/api/offices/nav-sagene/close")
    assert created.status_code == 201, created.text
    assert created.json() == {"office_id": "nav-sagene", "name": "Nav Sagene", "municipality": "0301",
                              "municipality_name": "Oslo", "district": "Sagene", "second_approval": False,
                              "address": None, "phone": "55553333", "email": None, "closed": False}
    assert changed.json()["email"] == "bolig.sagene@nav.example" and closed.json()["closed"] is True
    assert again.status_code == 409
    for user in (WORKER, LEADER, User("okonomi", Role.FINANCE), User("drift", Role.OPERATIONS)):
        async with client(app, user) as c:
            listed = await c.get("/api/offices")
            one = await c.get("/api/offices/nav-sagene")
        assert "nav-sagene" in [o["office_id"] for o in listed.json()] and one.json()["closed"] is True


@pytest.mark.parametrize("user, status", [(WORKER, 403), (LEADER, 403), (None, 401)])
async def test_only_an_administrator_changes_the_registry(app, intake, user, status):
    async with client(app, user) as c:
        answers = [await c.post("/api/offices", json=SAGENE), await c.put("/api/offices/nav-bodo", json=SAGENE),
                   await c.post("/api/offices/nav-bodo/close"),
                   await c.post("/api/offices/import", content=FILE, headers=CSV)]
    assert [a.status_code for a in answers] == [status] * 4
    assert "nav-sagene" not in intake.store.offices and not intake.store.offices["nav-bodo"].closed


@pytest.mark.parametrize("body, field", [
    ({**SAGENE, "municipality": "9999"}, "municipality"), ({**SAGENE, "municipality": "03011"}, "municipality"),
    ({**SAGENE, "municipality": "1103"}, "district"), ({**SAGENE, "phone": "1234"}, "phone"),
    ({**SAGENE, "email": "sagene@"}, "email"), ({**SAGENE, "name": "N" * 101}, "name"),
    ({**SAGENE, "name": "Nav\x00Sagene"}, "name"), ({**SAGENE, "colour": "blue"}, "colour"),
])
async def test_bad_details_get_a_problem_naming_the_field_and_nothing_is_registered(app, intake, body, field):
    async with client(app, ADMIN) as c:
        r = await c.post("/api/offices", json=body)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["loc"][-1] == field
    assert "nav-sagene" not in intake.store.offices


async def test_unknown_office_is_404(app):
    async with client(app, ADMIN) as c:
        assert (await c.get("/api/offices/nav-atlantis")).status_code == 404
        assert (await c.put("/api/offices/nav-atlantis", json=SAGENE)).status_code == 404
        assert (await c.post("/api/offices/nav-atlantis/close")).status_code == 404


async def test_a_rejected_file_is_a_problem_listing_every_bad_row_and_writes_nothing(app, intake):
    async with client(app, ADMIN) as c:
        rejected = await c.post("/api/offices/import", content=FILE, headers=CSV)
        dry = await c.post("/api/offices/import", params={"dry_run": "true"}, content=FILE, headers=CSV)
    assert rejected.status_code == 422 and rejected.headers["content-type"] == "application/problem+json"
    problem = rejected.json()
    assert [(e["loc"], e["msg"][:8]) for e in problem["errors"]] == [
        (["body", "line 3", "municipality"], "Linje 3:"), (["body", "line 4", "phone"], "Linje 4:")]
    assert problem["result"]["rejected_count"] == 2 and problem["result"]["written"] is False
    assert dry.status_code == 422 and dry.json()["result"]["offices"][0]["outcome"] == "registered"
    assert "nav-sagene" not in intake.store.offices


async def test_a_partial_import_answers_200_with_the_bad_rows(app, intake):
    async with client(app, ADMIN) as c:
        r = await c.post("/api/offices/import", params={"partial": "true"}, content=FILE, headers=CSV)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["registered"], body["rejected_count"], body["written"]) == (1, 2, True)
    assert intake.store.offices["nav-sagene"].phone == "55553333"


@pytest.mark.parametrize("data", [b"", "office,municipality\n".encode("utf-16"), b"navn,kommune\nx,y\n"])
async def test_a_file_not_in_the_format_is_a_problem_on_the_body(app, data):
    async with client(app, ADMIN) as c:
        r = await c.post("/api/offices/import", content=data, headers=CSV)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body"]


async def test_a_file_over_the_cap_is_413(app):
    async with client(app, ADMIN) as c:
        r = await c.post("/api/offices/import", content=b"x" * (2 * 1024 * 1024 + 1), headers=CSV)
    assert r.status_code == 413


# -- pages ----------------------------------------------------------------------------------------------------


async def test_the_pages_register_change_and_close_an_office(app, intake):
    async with client(app, ADMIN, page=True) as c:
        listed = await c.get("/offices")
        form = await c.get("/offices/new")
        bad = await c.post("/offices/new", data={**SAGENE, "municipality": "9999"})
        made = await c.post("/offices/new", data={**SAGENE, "second_approval": "on"})
        page = await c.get("/offices/nav-sagene")
        edited = await c.post("/offices/nav-sagene", data={**SAGENE, "phone": "12"})
        unconfirmed = await c.post("/offices/nav-sagene/close", data={})
        still_open = not intake.store.offices["nav-sagene"].closed
        closed = await c.post("/offices/nav-sagene/close", data={"confirm": "on"})
    assert listed.status_code == 200 and "Nav Bodø" in listed.text and "Registrer kontor" in listed.text
    assert form.status_code == 200 and "Asker (3203)" in form.text
    assert bad.status_code == 422 and 'id="municipality-error"' in bad.text and "9999" in bad.text
    assert made.status_code == 303 and made.headers["location"] == "/intake/offices?registrert=nav-sagene"
    assert intake.store.offices["nav-sagene"].second_approval is True
    assert page.status_code == 200 and 'value="Nav Sagene"' in page.text
    assert edited.status_code == 422 and 'id="phone-error"' in edited.text
    assert unconfirmed.status_code == 422 and still_open
    assert closed.status_code == 303 and intake.store.offices["nav-sagene"].closed is True


@pytest.mark.parametrize("user", [WORKER, LEADER])
async def test_the_pages_are_for_administrators(app, user):
    async with client(app, user, page=True) as c:
        assert (await c.get("/offices")).status_code == 403
        assert (await c.post("/offices/new", data=SAGENE)).status_code == 403


async def test_an_administrator_s_way_into_intake_is_the_office_registry(app):
    async with client(app, ADMIN, page=True) as c:
        start = await c.get("/", follow_redirects=False)
        registry = await c.get("/offices")
    assert start.status_code == 303 and start.headers["location"] == "/intake/offices"
    assert registry.status_code == 200 and 'href="/intake/offices/new"' in registry.text


async def test_a_case_worker_of_an_office_not_registered_is_told_so_on_the_cases_page(app):
    async with client(app, User("veileder-sagene", Role.CASE_WORKER, "nav-sagene"), page=True) as c:
        page = await c.get("/")
        new = await c.get("/applications/new")
    assert 'id="office-problem"' in page.text and "ikke registrert" in page.text
    assert 'id="office-problem"' in new.text
