"""Placement's people lookup against intake's real app (over intake's fakes, in process): names for the user's
own office, none for a role intake refuses, and a note for the page when intake cannot answer."""

from datetime import date

import httpx
import pytest

from kit.auth import Role, User
from kit.people import NOT_CONFIGURED_NB, UNREACHABLE_NB, People, PeopleLookup
from kit.web import install_common
from services.intake.domain import commands as c
from services.intake.domain.identity import synthetic_identity_number
from services.intake.domain.model import Actor, HouseholdDetails
from services.intake.entrypoints.app import create_app
from tests.unit.intake.fakes import MUNICIPALITIES, Intake
from tests.web import SIGNER

WORKER = User("veileder-falkenborg", Role.CASE_WORKER, "nav-falkenborg")


@pytest.fixture
async def intake():
    intake = Intake()
    app = create_app(bus=intake.bus, uow_factory=intake.uow_factory, municipalities=MUNICIPALITIES)
    install_common(app, SIGNER)
    intake.transport = httpx.ASGITransport(app=app)
    return intake


async def household(intake: Intake, office: str, name: str, born: date):
    actor = Actor(f"veileder-{office.removeprefix('nav-')}", "case_worker", office)
    received = await intake.handle(c.ReceiveApplication(actor, synthetic_identity_number(born), office,
                                                        HouseholdDetails(name)))
    return received.household_id


async def test_a_case_worker_gets_the_names_of_their_offices_households_and_intake_audits_them(intake):
    kari = await household(intake, "nav-falkenborg", "Kari Falk", date(1984, 3, 9))
    per = await household(intake, "nav-grunerlokka", "Per Berg", date(1990, 1, 2))
    lookup = PeopleLookup(lambda: "http://intake.test/", transport=intake.transport)
    people = await lookup.of([kari, per, kari], token=SIGNER.issue(WORKER), purpose="Plassering: oppholdet")
    assert people.note is None and list(people.found) == [kari]
    p = people.get(kari)
    assert (p.name, p.birth_date, p.reference) == ("Kari Falk", date(1984, 3, 9), "2026-0001")
    assert people.get(per) is None
    assert [(e.username, e.household_id, e.purpose) for e in intake.store.audit if e.action == "view_people"] == [
        ("veileder-falkenborg", kari, "Plassering: oppholdet")]


async def test_a_role_intake_refuses_sees_no_names_and_no_note(intake):
    kari = await household(intake, "nav-falkenborg", "Kari Falk", date(1984, 3, 9))
    lookup = PeopleLookup(lambda: "http://intake.test", transport=intake.transport)
    assert await lookup.of([kari], token=SIGNER.issue(User("okonomi", Role.FINANCE)), purpose="x") == People()
    assert await lookup.of([kari], token=None, purpose="x") == People()


def refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


@pytest.mark.parametrize("base_url, transport, note", [
    (lambda: "http://intake.test", httpx.MockTransport(refused), UNREACHABLE_NB),
    (lambda: "http://intake.test", httpx.MockTransport(lambda r: httpx.Response(500)), UNREACHABLE_NB),
    (lambda: "http://intake.test", httpx.MockTransport(lambda r: httpx.Response(200, text="<html>")),
     UNREACHABLE_NB),
    (lambda: (_ for _ in ()).throw(LookupError("no address")), None, NOT_CONFIGURED_NB),
])
async def test_when_intake_cannot_answer_the_page_gets_a_note_and_no_names(base_url, transport, note):
    from uuid import uuid4
    people = await PeopleLookup(base_url, transport=transport).of([uuid4()], token=SIGNER.issue(WORKER),
                                                                  purpose="Plassering: oppholdet")
    assert people == People(note=note)
