"""The household's case page: one timeline of intake's own applications and decisions with placement's stays
and billing's requisitions and invoice lines, each with who did what and when — assembled from fakes of the
other services' answers (their own response models, served in process); and intake's part alone, with a
Norwegian note, when placement or billing cannot answer."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import httpx
import pytest

from kit.auth import Role, User
from services.billing.entrypoints.household_answers import (
    BilledLineOut,
    HouseholdRequisitionsOut,
    MailingSentOut,
    RequisitionHistoryOut,
    SettlementOut,
)
from services.intake.adapters.case_parts import CasePartsLookup, not_configured_nb, unreachable_nb
from services.intake.domain import commands as c
from services.intake.domain.decisions import Decision
from services.intake.domain.identity import synthetic_identity_number
from services.intake.domain.model import Actor, Application, HouseholdDetails
from services.intake.domain.timeline import (
    BilledLinePart,
    RequisitionPart,
    SettlementPart,
    StayActionPart,
    StayPart,
    timeline,
)
from services.intake.entrypoints.app import create_app
from services.placement.entrypoints.household_answers import HouseholdStaysOut, StayActionOut, StayHistoryOut
from tests.unit.intake.fakes import MUNICIPALITIES, Intake
from tests.web import client

WORKER = User("veileder-falkenborg", Role.CASE_WORKER, "nav-falkenborg", "Vera Veileder")
ACTOR = Actor("veileder-falkenborg", "case_worker", "nav-falkenborg")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 20)


def at(days: int, hours: int = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def intake_part():
    household = uuid4()
    application = Application(uuid4(), household, "nav-falkenborg", T0, "in_person", True,
                              registered_by="veileder-falkenborg")
    first = Decision(uuid4(), application.id, household, "nav-falkenborg", "granted", date(2026, 3, 2),
                     date(2026, 3, 15), at(0, 1), "veileder-falkenborg", status="in_effect",
                     approved_by="leder-falkenborg", approved_at=at(0, 2))
    extension = Decision(uuid4(), application.id, household, "nav-falkenborg", "granted", date(2026, 3, 16),
                         date(2026, 4, 30), at(10), "veileder-falkenborg", extends_decision_id=first.id)
    return application, [first, extension]


def stay_part() -> StayPart:
    return StayPart(uuid4(), "Blå Kors bosenter", "Rom 4", date(2026, 3, 2), date(2026, 4, 30),
                    planned_check_out=date(2026, 4, 1), planned_destination="municipal_rental", actions=(
                        StayActionPart("placed", at(0, 3), date(2026, 3, 2), by="veileder-falkenborg",
                                       by_name="Vera Veileder"),
                        StayActionPart("extended", at(10, 1), date(2026, 4, 30)),
                        StayActionPart("move_out_planned", at(15), date(2026, 4, 1), "municipal_rental",
                                       "veileder-falkenborg", "Vera Veileder")))


def requisition_part(stay_id) -> RequisitionPart:
    paid = BilledLinePart(uuid4(), "F-100", "Blå Kors", 1, date(2026, 3, 2), date(2026, 3, 8), Decimal("6300"),
                          Decimal("6300"), "matched", "approved", Decimal("6300"), at(8), "okonomi", "Ola Økonomi",
                          (SettlementPart("approve", Decimal("6300"), "okonomi", "Ola Økonomi", at(9)),))
    disputed = BilledLinePart(uuid4(), "F-101", "Blå Kors", 2, date(2026, 3, 9), date(2026, 3, 30),
                              Decimal("19800"), Decimal("0"), "disputed", None, None, at(12), "okonomi", None)
    return RequisitionPart("R2026-000001-5", stay_id, "Blå Kors bosenter", date(2026, 3, 2), date(2026, 4, 30),
                           Decimal("900"), Decimal("54900"), "open", at(0, 4), "veileder-falkenborg",
                           "Vera Veileder", lines=(paid, disputed))


def test_the_timeline_tells_every_part_newest_first_with_who_did_it():
    application, decisions = intake_part()
    stay = stay_part()
    entries = timeline([application], decisions, [stay], [requisition_part(stay.stay_id)], today=TODAY)
    rows = [(e.source, e.what, e.by) for e in entries]
    assert rows[0] == ("placement", "Planlagt utflytting fra Blå Kors bosenter, Rom 4 01.04.2026 (til kommunal "
                                    "utleiebolig)", None)
    assert [e.planned for e in entries].count(True) == 1 and entries[0].planned
    assert [e.order for e in entries[1:]] == sorted((e.order for e in entries[1:]), reverse=True)
    assert rows[-1] == ("intake", "Søknad mottatt (haster)", "veileder-falkenborg")
    assert ("intake", "Vedtak: innvilget for 02.03.2026–15.03.2026", "veileder-falkenborg") in rows
    assert ("intake", "Vedtak godkjent av leder", "leder-falkenborg") in rows
    assert ("intake", "Forlengelse: innvilget for 16.03.2026–30.04.2026", "veileder-falkenborg") in rows
    assert ("placement", "Plassert i Blå Kors bosenter, Rom 4 fra 02.03.2026",
            "Vera Veileder (veileder-falkenborg)") in rows
    assert ("placement", "Oppholdet i Blå Kors bosenter, Rom 4 forlenget til 30.04.2026", None) in rows
    assert ("billing", "Rekvisisjon R2026-000001-5 utstedt til Blå Kors bosenter for 02.03.2026–30.04.2026, "
                       "900,00\xa0kr per natt, høyst 54\xa0900,00\xa0kr", "Vera Veileder (veileder-falkenborg)") in rows
    assert ("billing", "Faktura F-100 fra Blå Kors, linje 1: netter 02.03.2026–08.03.2026, krevd 6\xa0300,00\xa0kr – "
                       "betalt 6\xa0300,00\xa0kr", "Ola Økonomi (okonomi)") in rows
    assert ("billing", "Faktura godkjent: linjen betales med 6\xa0300,00\xa0kr (faktura F-100, linje 1)",
            "Ola Økonomi (okonomi)") in rows
    assert ("billing", "Faktura F-101 fra Blå Kors, linje 2: netter 09.03.2026–30.03.2026, krevd 19\xa0800,00\xa0kr – "
                       "bestridt, venter på økonomi", "okonomi") in rows
    line = next(e for e in entries if e.what.startswith("Faktura F-101"))
    assert (line.requisition, line.position, line.stay_id) == ("R2026-000001-5", 2, stay.stay_id)


def test_a_planned_move_out_that_has_come_is_no_longer_ahead_and_placement_itself_carries_it_out():
    stay = StayPart(uuid4(), "Hotell", "Rom 1", date(2026, 3, 2), date(2026, 3, 30), date(2026, 3, 10), actions=(
        StayActionPart("moved_out", at(8), date(2026, 3, 10), "private_rental"),))
    [entry] = timeline([], [], [stay], [], today=TODAY)
    assert (entry.what, entry.by, entry.planned) == (
        "Flyttet ut av Hotell, Rom 1 10.03.2026 (til privat leid bolig)", "Plassering (automatisk)", False)


# --- the page, with placement and billing faked by their own answer models -------------------------------------

def services(household_id, stay_id) -> dict[str, dict]:
    stays = HouseholdStaysOut(household_id=household_id, stays=[StayHistoryOut(
        stay_id=stay_id, decision_id=uuid4(), office_id="nav-falkenborg", provider_id=uuid4(),
        provider_name="Blå Kors bosenter", unit_id=uuid4(), unit_name="Rom 4", check_in=date(2026, 3, 2),
        authorised_to=date(2026, 4, 30), check_out=None, destination=None, planned_check_out=None,
        planned_destination=None, moved_from_stay_id=None, imported=False, actions=[StayActionOut(
            action="placed", at=at(0, 3), on_date=date(2026, 3, 2), destination=None, by="veileder-falkenborg",
            by_name="Vera Veileder")])])
    line = BilledLineOut(
        invoice_id=uuid4(), invoice_number="F-100", kind="invoice", supplier_name="Blå Kors",
        issue_date=date(2026, 3, 9),
        received_at=at(8), received_by="okonomi", received_by_name="Ola Økonomi", position=1,
        first_night=date(2026, 3, 2), last_night=date(2026, 3, 8), claimed_nights=7, claimed_amount=Decimal("6300"),
        payable_nights=7, payable_amount=Decimal("6300"), status="matched", invoice_decision="approved",
        paid_amount=Decimal("6300"), settlements=[SettlementOut(position=None, action="approve",
                                                                amount=Decimal("6300"), by="okonomi",
                                                                by_name="Ola Økonomi", at=at(9))])
    requisitions = HouseholdRequisitionsOut(household_id=household_id, requisitions=[RequisitionHistoryOut(
        number="R2026-000001-5", stay_id=stay_id, office_id="nav-falkenborg", provider_name="Blå Kors bosenter",
        unit_id=uuid4(), period_from=date(2026, 3, 2), period_to=date(2026, 4, 30), price_per_night=Decimal("900"),
        max_amount=Decimal("54900"), status="open", closed_from=None, issued_at=at(0, 4),
        contact_username="veileder-falkenborg", contact_name="Vera Veileder",
        mailings=[MailingSentOut(reason="issued", requested_at=at(0, 4), requested_by=None, sent_at=at(0, 5))],
        lines=[line])])
    return {"placement": stays.model_dump(mode="json"), "billing": requisitions.model_dump(mode="json")}


def fake(answers: dict[str, dict], seen: list, down: set[str] = frozenset()) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        service = request.url.host.removesuffix(".test")
        seen.append((service, request.url.path, request.headers.get("authorization", "")[:7]))
        if service in down:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json=answers[service])
    return httpx.MockTransport(answer)


async def a_household(intake: Intake):
    received = await intake.handle(c.ReceiveApplication(ACTOR, synthetic_identity_number(date(1984, 3, 9)),
                                                        "nav-falkenborg", HouseholdDetails("Kari Falk")))
    return received.household_id


@pytest.fixture
def intake() -> Intake:
    return Intake()


async def page(intake: Intake, transport: httpx.MockTransport, household_id, urls=None) -> httpx.Response:
    lookup = CasePartsLookup(urls or (lambda service: f"http://{service}.test/{service}"), transport=transport)
    app = create_app(bus=intake.bus, uow_factory=intake.uow_factory, municipalities=MUNICIPALITIES,
                     case_parts=lookup)
    async with client(app, WORKER, page=True) as browser:
        return await browser.get(f"/households/{household_id}")


async def test_the_case_page_shows_the_stay_its_requisition_and_lines_linked_both_ways(intake):
    household_id, stay_id, seen = await a_household(intake), uuid4(), []
    answers = services(household_id, stay_id)
    r = await page(intake, fake(answers, seen), household_id)
    assert r.status_code == 200, r.text
    assert sorted(seen) == [("billing", f"/billing/api/households/{household_id}/requisitions", "Bearer "),
                            ("placement", f"/placement/api/households/{household_id}/stays", "Bearer ")]
    invoice_id = answers["billing"]["requisitions"][0]["lines"][0]["invoice_id"]
    for link in (f'href="/placement/stays/{stay_id}"', 'href="/billing/requisitions/R2026-000001-5"',
                 'href="/billing/api/requisitions/R2026-000001-5.pdf"',
                 f'href="/billing/requisitions/R2026-000001-5#line-{invoice_id}-1"'):
        assert link in r.text
    assert "Plassert i Blå Kors bosenter, Rom 4 fra 02.03.2026" in r.text
    assert "Rekvisisjon sendt til tilbyderen" in r.text and "betalt 6\xa0300,00\xa0kr" in r.text
    assert "Ola Økonomi (okonomi)" in r.text and "Kari Falk" in r.text
    assert 'data-testid="missing-part"' not in r.text


async def test_with_placement_down_and_billing_unset_the_page_shows_intakes_part_and_says_what_is_missing(intake):
    household_id, seen = await a_household(intake), []

    def urls(service: str) -> str:
        if service == "billing":
            raise LookupError("no address for billing")
        return "http://placement.test/placement"
    r = await page(intake, fake({}, seen, down={"placement"}), household_id, urls)
    assert r.status_code == 200, r.text
    assert "Saken til Kari Falk" in r.text and "Søknad mottatt" in r.text
    assert unreachable_nb("placement") in r.text and not_configured_nb("billing") in r.text
    assert "Ingen opphold." in r.text and "Ingen rekvisisjoner." in r.text


async def test_a_household_placement_and_billing_know_nothing_of_is_no_fault(intake):
    household_id = await a_household(intake)

    def unknown(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"title": "Not Found"}, headers={"content-type": "application/problem+json"})
    r = await page(intake, httpx.MockTransport(unknown), household_id)
    assert r.status_code == 200 and 'data-testid="missing-part"' not in r.text and "Ingen opphold." in r.text
