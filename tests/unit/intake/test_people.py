"""Who a household is, for the other services' pages: the office's own reference, and the people lookup (only
the asking office's households, each one named audited)."""

from datetime import date, timedelta
from uuid import UUID

import pytest

from kit.auth import Role, User
from services.intake.domain import commands as c
from services.intake.domain.errors import RuleBroken
from services.intake.domain.identity import synthetic_identity_number
from services.intake.domain.model import Actor
from services.intake.entrypoints.app import create_app
from tests.unit.intake.fakes import MUNICIPALITIES, Intake
from tests.unit.intake.test_handlers import (
    BODO,
    FALKENBORG,
    GRUNERLOKKA,
    GRUNERLOKKA_LEADER,
    NUMBER,
    TODAY,
    apply,
    granted,
)
from tests.unit.intake.test_routes import ADMIN, FINANCE, OTHER, WORKER, register
from tests.web import client

OTHER_NUMBER = synthetic_identity_number(date(1991, 7, 1))
BILLING_FOR_FALKENBORG = Actor("veileder-falkenborg", "service", "nav-falkenborg")


@pytest.fixture
def intake() -> Intake:
    return Intake()


def references(intake: Intake) -> dict[tuple[str, str], str]:
    names = {h.id: h.name for h in intake.store.households.values()}
    return {(names[h], office): ref for (h, office), ref in intake.store.references.items()}


async def test_each_office_numbers_its_households_per_year_and_a_household_keeps_its_reference(intake):
    await intake.handle(apply(FALKENBORG, NUMBER, "Kari Falk"))
    await intake.handle(apply(FALKENBORG, OTHER_NUMBER, "Per Berg"))
    await intake.handle(apply(FALKENBORG, NUMBER, "Kari Falk"))  # again at the same office: the same reference
    await intake.handle(apply(BODO, synthetic_identity_number(date(1970, 2, 2)), "Ola Nord"))
    year = TODAY.year
    assert references(intake) == {("Kari Falk", "nav-falkenborg"): f"{year}-0001",
                                  ("Per Berg", "nav-falkenborg"): f"{year}-0002",
                                  ("Ola Nord", "nav-bodo"): f"{year}-0001"}


async def test_the_receiving_office_gives_its_own_reference_and_the_old_one_keeps_its(intake):
    created = await intake.handle(apply(FALKENBORG, phone="40000001"))
    await intake.handle(c.MakeDecision(FALKENBORG, created.application_id, granted(20, TODAY - timedelta(days=40))))
    await intake.handle(apply(GRUNERLOKKA, OTHER_NUMBER, "Per Berg"))
    await intake.handle(c.TransferHousehold(GRUNERLOKKA_LEADER, NUMBER, None, "Har flyttet til Oslo."))
    assert references(intake)[("Kari Falk", "nav-grunerlokka")] == f"{TODAY.year}-0002"
    assert references(intake)[("Kari Falk", "nav-falkenborg")] == f"{TODAY.year}-0001"
    case = await intake.handle(c.ViewCase(FALKENBORG, created.application_id, "Oppfølging"))
    assert case.reference == f"{TODAY.year}-0001"  # the case is Falkenborg's: its reference


async def test_the_lookup_names_the_offices_households_with_its_reference_and_audits_each(intake):
    kari = (await intake.handle(apply(FALKENBORG, NUMBER, "Kari Falk"))).household_id
    per = (await intake.handle(apply(GRUNERLOKKA, OTHER_NUMBER, "Per Berg"))).household_id
    unknown = per.__class__(int=1)
    people = await intake.handle(c.ViewPeople(FALKENBORG, (kari, per, unknown, kari), "Plassering: oppholdet"))
    assert [(p.household_id, p.name, p.birth_date, p.reference) for p in people] == [
        (kari, "Kari Falk", date(1984, 3, 9), f"{TODAY.year}-0001")]
    [entry] = [e for e in intake.store.audit if e.action == "view_people"]
    assert (entry.username, entry.role, entry.office_id, entry.household_id, entry.purpose) == (
        "veileder-falkenborg", "case_worker", "nav-falkenborg", kari, "Plassering: oppholdet")


async def test_a_service_is_audited_for_the_case_worker_it_acts_for_and_sees_only_that_office(intake):
    kari = (await intake.handle(apply(FALKENBORG, NUMBER, "Kari Falk"))).household_id
    per = (await intake.handle(apply(GRUNERLOKKA, OTHER_NUMBER, "Per Berg"))).household_id
    people = await intake.handle(c.ViewPeople(BILLING_FOR_FALKENBORG, (kari, per), "Rekvisisjon R2026-000001-8"))
    assert [p.name for p in people] == ["Kari Falk"]
    [entry] = intake.store.audit
    assert (entry.username, entry.role, entry.household_id) == ("veileder-falkenborg", "service", kari)


async def test_an_office_the_household_was_transferred_from_still_sees_who_it_is(intake):
    created = await intake.handle(apply(FALKENBORG))
    await intake.handle(c.MakeDecision(FALKENBORG, created.application_id, granted(20, TODAY - timedelta(days=40))))
    await intake.handle(c.TransferHousehold(GRUNERLOKKA_LEADER, NUMBER, None, "Har flyttet til Oslo."))
    [person] = await intake.handle(c.ViewPeople(FALKENBORG, (created.household_id,), "Rekvisisjonene"))
    assert (person.name, person.reference) == ("Kari Falk", f"{TODAY.year}-0001")
    assert await intake.handle(c.ViewPeople(BODO, (created.household_id,), "Nysgjerrig")) == []


async def test_the_lookup_needs_a_purpose_and_writes_nothing_without_one(intake):
    kari = (await intake.handle(apply(FALKENBORG))).household_id
    with pytest.raises(RuleBroken) as err:
        await intake.handle(c.ViewPeople(FALKENBORG, (kari,), "  "))
    assert err.value.field == "purpose"
    assert not intake.store.audit


# -- the API other services call -------------------------------------------------------------------------------

SERVICE = User("billing", Role.SERVICE, "nav-falkenborg")


@pytest.fixture
def app(intake):
    return create_app(bus=intake.bus, uow_factory=intake.uow_factory, municipalities=MUNICIPALITIES)


async def test_the_api_names_the_callers_households_and_lists_the_rest_as_not_shown(app, intake):
    kari = await register(app)
    per = await register(app, OTHER, identity_number=OTHER_NUMBER)
    async with client(app, WORKER) as w:
        r = await w.post("/api/people", json={"household_ids": [kari["household_id"], per["household_id"]],
                                               "purpose": "Plassering: oppholdet"})
    assert r.status_code == 200, r.text
    assert r.json() == {"people": [{"household_id": kari["household_id"], "name": "Kari Falk",
                                    "birth_date": "1984-03-09", "reference": f"{TODAY.year}-0001"}],
                        "not_shown": [per["household_id"]]}


@pytest.mark.parametrize("user", [FINANCE, ADMIN, User("drift", Role.OPERATIONS), None])
async def test_other_roles_get_no_names(app, intake, user):
    kari = await register(app)
    async with client(app, user) as c:
        r = await c.post("/api/people", json={"household_ids": [kari["household_id"]], "purpose": "Nysgjerrig"})
    assert r.status_code == (401 if user is None else 403)
    assert not [e for e in intake.store.audit if e.action == "view_people"]


async def test_a_service_names_whom_it_acts_for_and_only_a_service_may(app, intake):
    kari = await register(app)
    ids = [kari["household_id"]]
    async with client(app, SERVICE) as s:
        missing = await s.post("/api/people", json={"household_ids": ids, "purpose": "Rekvisisjon"})
        named = await s.post("/api/people", json={"household_ids": ids, "purpose": "Rekvisisjon",
                                                  "on_behalf_of": "veileder-falkenborg"})
    async with client(app, WORKER) as w:
        posing = await w.post("/api/people", json={"household_ids": ids, "purpose": "Rekvisisjon",
                                                   "on_behalf_of": "leder-falkenborg"})
    assert missing.status_code == 422 and missing.json()["errors"][0]["loc"][-1] == "on_behalf_of"
    assert posing.status_code == 422 and posing.json()["errors"][0]["loc"][-1] == "on_behalf_of"
    assert named.status_code == 200 and [p["name"] for p in named.json()["people"]] == ["Kari Falk"]
    [entry] = [e for e in intake.store.audit if e.action == "view_people"]
    assert (entry.username, entry.role) == ("veileder-falkenborg", "service")


@pytest.mark.parametrize("body", [
    {"household_ids": [], "purpose": "x"},
    {"household_ids": ["not-a-uuid"], "purpose": "x"},
    {"household_ids": [str(UUID(int=i)) for i in range(501)], "purpose": "x"},
    {"household_ids": [str(UUID(int=1))], "purpose": ""},
    {"household_ids": [str(UUID(int=1))], "purpose": "a\x00b"},
    {"household_ids": [str(UUID(int=1))], "purpose": "x" * 5000},
])
async def test_bad_lookups_are_refused_with_the_field(app, body):
    async with client(app, WORKER) as w:
        r = await w.post("/api/people", json=body)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"]
