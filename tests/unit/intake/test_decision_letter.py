"""The decision letter (vedtaksbrev) through intake's route on fakes, read back with pypdf: a granted and a
refused decision, each with the legal basis, the period or the reasons, the conditions, the right to appeal
and its deadline, and the office's contact; only for a decision in effect, the office's own, audited."""

import io
from dataclasses import replace
from datetime import timedelta

import pypdf
import pytest

from services.intake.entrypoints.app import create_app
from tests.unit.intake.fakes import MUNICIPALITIES, Intake
from tests.unit.intake.test_routes import OTHER, TODAY, WORKER, register
from tests.web import client


@pytest.fixture
def intake() -> Intake:
    intake = Intake()
    office = intake.store.offices["nav-falkenborg"]
    intake.store.offices["nav-falkenborg"] = replace(office, address="Falkenborgveien 1, 7044 Trondheim",
                                                     phone="73830000", email="bolig.falkenborg@nav.example")
    return intake


@pytest.fixture
def app(intake):
    return create_app(bus=intake.bus, uow_factory=intake.uow_factory, municipalities=MUNICIPALITIES)


def text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


async def decide(app, body: dict) -> dict:
    created = await register(app, children_birth_dates=["2019-05-01"], adults=2)
    async with client(app, WORKER) as c:
        r = await c.post(f"/api/applications/{created['application_id']}/decision", json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def test_a_granted_decision_letter_says_what_for_how_long_on_which_conditions_and_how_to_appeal(app, intake):
    d = await decide(app, {"outcome": "granted", "period_from": str(TODAY), "period_to": str(TODAY + timedelta(20)),
                           "conditions": ["boligskole"], "consequence": "Vi vurderer da om botilbudet forlenges."})
    async with client(app, WORKER) as c:
        r = await c.get(f"/api/decisions/{d['decision_id']}/letter.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert "Kari" not in r.headers["content-disposition"]
    letter = text(r.content)
    deadline = (TODAY + timedelta(weeks=3)).strftime("%d.%m.%Y")
    for expected in ("Kari Falk", "Gata 1", "Vedtak om midlertidig botilbud", f"fra og med {TODAY:%d.%m.%Y}",
                     f"til og med {TODAY + timedelta(20):%d.%m.%Y}", "(21 netter)", "2 voksne og 1 barn",
                     "boligskole", "Vi vurderer da om botilbudet forlenges.", "sosialtjenesteloven § 27",
                     "tre uker", "forvaltningsloven § 29", deadline, "Statsforvalteren", "Nav Falkenborg",
                     "Falkenborgveien 1, 7044 Trondheim", "73 83 00 00", f"Vår referanse: {TODAY.year}-0001"):
        assert expected in letter, expected
    assert [e.action for e in intake.store.audit][-1] == "view_letter"


async def test_a_refusal_letter_gives_the_reason_and_the_right_to_appeal(app):
    d = await decide(app, {"outcome": "refused", "refusal_reason": "Du har et sted å bo hos søsteren din."})
    async with client(app, WORKER) as c:
        letter = text((await c.get(f"/api/decisions/{d['decision_id']}/letter.pdf")).content)
    for expected in ("Vedtak om avslag på søknad om midlertidig botilbud", "Du får ikke midlertidig botilbud",
                     "Du har et sted å bo hos søsteren din.", "sosialtjenesteloven § 27", "forvaltningsloven § 29",
                     (TODAY + timedelta(weeks=3)).strftime("%d.%m.%Y"), "Nav Falkenborg"):
        assert expected in letter, expected


async def test_no_letter_before_the_decision_takes_effect_nor_for_another_office(app, intake):
    intake.store.offices["nav-falkenborg"].second_approval = True
    d = await decide(app, {"outcome": "granted", "period_from": str(TODAY), "period_to": str(TODAY + timedelta(5))})
    async with client(app, WORKER) as c:
        waiting = await c.get(f"/api/decisions/{d['decision_id']}/letter.pdf")
    async with client(app, OTHER) as c:
        elsewhere = await c.get(f"/api/decisions/{d['decision_id']}/letter.pdf")
    assert waiting.status_code == 409 and waiting.json()["errors"][0]["loc"][-1] == "decision_id"
    assert elsewhere.status_code == 403
    assert "view_letter" not in [e.action for e in intake.store.audit]
