"""Bad input on every intake request model and query parameter: a clear 4xx naming the field, never a 5xx,
and nothing written. NUL and other control characters, lone surrogates, line breaks where one line is
expected, 5,000 characters."""

import json
from datetime import date

import pytest

from kit.auth import Role, User
from services.intake.domain.identity import synthetic_identity_number
from services.intake.entrypoints.app import create_app
from tests.unit.intake.fakes import MUNICIPALITIES, Intake
from tests.web import client

WORKER = User("veileder-falkenborg", Role.CASE_WORKER, "nav-falkenborg")
LEADER = User("leder-falkenborg", Role.OFFICE_LEADER, "nav-falkenborg")
NUMBER = synthetic_identity_number(date(1984, 3, 9))
APPLICATION = {"identity_number": NUMBER, "name": "Kari Falk", "office_id": "nav-falkenborg"}
SINGLE_LINE = ["identity_number", "name", "office_id", "phone", "address", "preferred_language",
               "provider_org_number"]
FREE_TEXT = ["wishes", "notes"]


@pytest.fixture
def intake() -> Intake:
    return Intake()


@pytest.fixture
def app(intake):
    return create_app(bus=intake.bus, uow_factory=intake.uow_factory, municipalities=MUNICIPALITIES)


async def post_raw(app, user, path: str, body: dict):
    """JSON as a client may send it: `\\ud800` escapes stay in the text (json.dumps would refuse nothing)."""
    async with client(app, user) as c:
        return await c.post(path, content=json.dumps(body).encode(), headers={"content-type": "application/json"})


@pytest.mark.parametrize("field", SINGLE_LINE + FREE_TEXT)
@pytest.mark.parametrize("bad, kind", [("a\x00b", "control_character"), ("a\x1bb", "control_character"),
                                       ("a\x85b", "control_character"), ("x" * 5000, "string_too_long")])
async def test_every_text_field_of_an_application_refuses_control_characters_and_huge_strings(
        app, intake, field, bad, kind):
    r = await post_raw(app, WORKER, "/api/applications", {**APPLICATION, field: bad})
    assert r.status_code == 422, r.text
    error = r.json()["errors"][0]
    assert (error["loc"], error["type"]) == (["body", field], kind)
    assert not intake.store.households and not intake.store.applications


@pytest.mark.parametrize("field", SINGLE_LINE)
async def test_a_line_break_is_refused_where_one_line_is_expected(app, field):
    r = await post_raw(app, WORKER, "/api/applications", {**APPLICATION, field: "a\nb"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", field]
    assert "én linje" in r.json()["errors"][0]["msg"]


@pytest.mark.parametrize("field", FREE_TEXT)
async def test_free_text_may_have_line_breaks_and_tabs(app, intake, field):
    r = await post_raw(app, WORKER, "/api/applications", {**APPLICATION, field: "Første linje\n\tandre linje"})
    assert r.status_code == 201, r.text
    [a] = intake.store.applications.values()
    assert getattr(a, field) == "Første linje\n\tandre linje"


async def test_a_lone_surrogate_is_a_4xx(app, intake):
    async with client(app, WORKER) as c:
        raw = json.dumps(APPLICATION).replace('"Kari Falk"', '"Kari \\ud800Falk"').encode()
        r = await c.post("/api/applications", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "name"]
    assert not intake.store.households


async def test_the_message_says_what_is_wrong_and_names_the_field(app):
    r = await post_raw(app, WORKER, "/api/applications", {**APPLICATION, "preferred_language": "norsk\x00"})
    problem = r.json()
    assert problem["detail"] == "preferred_language: Teksten kan ikke inneholde kontrolltegn (som NUL)."
    assert "norsk" not in r.text  # input is never echoed


@pytest.mark.parametrize("number, message", [
    ("1234567890", "Fødselsnummeret må ha 11 siffer; dette har 10."),
    (NUMBER[:10] + str((int(NUMBER[10]) + 1) % 10), "Kontrollsifrene stemmer ikke: siffer 11"),
    ("12345678 90a", "Fødselsnummeret må ha 11 siffer og ingen andre tegn"),
])
async def test_a_wrong_identity_number_is_explained(app, number, message):
    r = await post_raw(app, WORKER, "/api/applications", {**APPLICATION, "identity_number": number})
    assert r.status_code == 422
    error = r.json()["errors"][0]
    assert error["loc"] == ["body", "identity_number"] and error["msg"].startswith(message)


async def test_decision_fields_refuse_control_characters(app):
    created = (await post_raw(app, WORKER, "/api/applications", APPLICATION)).json()
    path = f"/api/applications/{created['application_id']}/decision"
    for field in ("legal_basis", "consequence", "refusal_reason", "justification"):
        r = await post_raw(app, WORKER, path, {"outcome": "refused", "refusal_reason": "Nei.", field: "a\x00"})
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", field], field
    r = await post_raw(app, WORKER, path, {"outcome": "refused", "refusal_reason": "Nei.", "legal_basis": "§\n27"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "legal_basis"]


@pytest.mark.parametrize("path, body, field", [
    ("/api/households/lookup", {"identity_number": NUMBER, "purpose": "Ny\x00søknad"}, "purpose"),
    ("/api/households/lookup", {"identity_number": NUMBER + "\x00", "purpose": "Ny søknad"}, "identity_number"),
    ("/api/households/transfer", {"identity_number": NUMBER, "reason": "x\x00"}, "reason"),
    ("/api/households/transfer", {"identity_number": NUMBER, "reason": "x", "to_office_id": "nav\x00"},
     "to_office_id"),
])
async def test_household_requests_refuse_control_characters(app, path, body, field):
    r = await post_raw(app, LEADER, path, body)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", field]


async def test_the_purpose_in_a_query_is_bounded_and_clean(app, intake):
    created = (await post_raw(app, WORKER, "/api/applications", APPLICATION)).json()
    async with client(app, WORKER) as c:
        for purpose in ("a\x00b", "x" * 201, ""):
            r = await c.get(f"/api/applications/{created['application_id']}", params={"purpose": purpose})
            assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["query", "purpose"], purpose
            r = await c.get(f"/api/households/{created['household_id']}", params={"purpose": purpose})
            assert r.status_code == 422, purpose
    assert not intake.store.audit


async def test_the_forms_show_the_control_character_message_next_to_the_field(app, intake):
    async with client(app, WORKER, page=True) as c:
        r = await c.post("/applications/new", data={"identity_number": NUMBER, "name": "Kari\x00", "adults": "1"})
        lookup = await c.post("/lookup", data={"lookup_identity_number": NUMBER, "lookup_purpose": "a\x00"})
    assert r.status_code == 422 and 'id="name-error">Teksten kan ikke inneholde kontrolltegn (som NUL).<' in r.text
    assert lookup.status_code == 422 and 'id="lookup_purpose-error"' in lookup.text
    assert not intake.store.households and not intake.store.audit
