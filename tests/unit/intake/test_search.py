"""Finding households (issue 15, item 2) on fakes: what a query is, which names match, that only the office's
own households are found, that every search is audited, and the API and the page behind the header's box."""

from datetime import date

import pytest

from services.intake.domain import commands as c
from services.intake.domain import search
from services.intake.domain.errors import Forbidden, RuleBroken
from services.intake.domain.identity import synthetic_identity_number
from services.intake.domain.model import Actor
from services.intake.entrypoints.app import create_app
from tests.unit.intake.fakes import MUNICIPALITIES, Intake
from tests.unit.intake.test_handlers import BODO, FALKENBORG, FALKENBORG_LEADER, TODAY, apply
from tests.unit.intake.test_routes import FINANCE, LEADER, OTHER, WORKER
from tests.web import client

KARI = synthetic_identity_number(date(1984, 3, 9))
HAKON = synthetic_identity_number(date(1990, 5, 2))
OLA = synthetic_identity_number(date(1977, 1, 20))
ELSEWHERE = synthetic_identity_number(date(1970, 2, 2))


@pytest.mark.parametrize(("text", "kind"), [
    ("Kari", "name"), ("  ola nord ", "name"), (KARI, "identity"), (f"{KARI[:6]} {KARI[6:]}", "identity"),
    (f"{TODAY.year}-0042", "reference"), ("2026-00042", "reference")])
def test_a_query_is_read_as_a_name_a_number_or_a_reference(text, kind):
    assert search.parse_query(text).kind == kind


@pytest.mark.parametrize(("text", "message"), [
    ("", search.EMPTY_NB), ("   ", search.EMPTY_NB), ("x" * 101, search.TOO_LONG_NB), ("Ka\x00ri", search.CONTROL_NB),
    ("Ka\x1bri", search.CONTROL_NB), ("Ka\u200bri", search.CONTROL_NB), ("Ka\ud800ri", search.CONTROL_NB),
    ("a", search.TOO_SHORT_NB), ("!!! ???", search.NO_WORDS_NB)])
def test_a_bad_query_is_refused_with_a_norwegian_message_naming_the_box(text, message):
    with pytest.raises(RuleBroken) as refused:
        search.parse_query(text)
    assert str(refused.value) == message and refused.value.field == "q"


@pytest.mark.parametrize(("query", "name", "matches"), [
    ("kari", "Kari Falk", True), ("falk kari", "Kari Falk", True), ("ka fa", "Kari Falk", True),
    ("hakon", "Håkon Ås", True), ("HÅKON", "Hakon Aas", True), ("as", "Håkon Ås", True),
    ("bjorn", "Bjørn Dæhli", False),  # ø is a letter of its own, not o with a mark
    ("bjørn dæh", "Bjørn Dæhli", True), ("nordmann", "Ola Nordmann-Hansen", True), ("hansen", "Ola Nordmann-Hansen",
                                                                                     False),
    ("ari", "Kari Falk", False),  # a word's beginning, not any part of it
    ("kari per", "Kari Falk", False)])  # every word of the query
def test_every_word_of_the_query_begins_a_word_of_the_name(query, name, matches):
    assert search.name_matches(search.parse_query(query), name) is matches


@pytest.fixture
async def intake() -> Intake:
    intake = Intake()
    await intake.handle(apply(FALKENBORG, KARI, "Kari Falk"))
    await intake.handle(apply(FALKENBORG, HAKON, "Håkon Karisen"))
    await intake.handle(apply(FALKENBORG, OLA, "Ola Nordmann"))
    await intake.handle(apply(BODO, ELSEWHERE, "Kari Nordland"))  # another office's Kari
    intake.store.audit.clear()
    return intake


def found_names(found) -> list[str]:
    return [p.name for p in found.people]


async def test_a_name_finds_the_offices_households_best_first_and_never_another_offices(intake):
    found = await intake.handle(c.SearchHouseholds(FALKENBORG, "kari"))
    assert found_names(found) == ["Kari Falk", "Håkon Karisen"]  # the whole word first
    assert found_names(await intake.handle(c.SearchHouseholds(FALKENBORG, "Nordland"))) == []
    assert found_names(await intake.handle(c.SearchHouseholds(BODO, "kari"))) == ["Kari Nordland"]


async def test_an_identity_number_or_a_reference_finds_exactly_that_household_of_the_office(intake):
    assert found_names(await intake.handle(c.SearchHouseholds(FALKENBORG, OLA))) == ["Ola Nordmann"]
    assert found_names(await intake.handle(c.SearchHouseholds(FALKENBORG, ELSEWHERE))) == []  # Bodø's
    reference = f"{TODAY.year}-0002"
    found = await intake.handle(c.SearchHouseholds(FALKENBORG, reference))
    assert found_names(found) == ["Håkon Karisen"] and found.people[0].reference == reference
    assert found_names(await intake.handle(c.SearchHouseholds(FALKENBORG, f"{TODAY.year}-0009"))) == []


async def test_a_wrong_identity_number_says_what_is_wrong(intake):
    with pytest.raises(RuleBroken) as refused:
        await intake.handle(c.SearchHouseholds(FALKENBORG, KARI[:10] + str((int(KARI[10]) + 1) % 10)))
    assert "Kontrollsifrene" in str(refused.value)


async def test_every_search_is_audited_with_each_household_shown_or_none(intake):
    await intake.handle(c.SearchHouseholds(FALKENBORG_LEADER, "kari"))
    await intake.handle(c.SearchHouseholds(FALKENBORG, "Ingenting Slikt"))
    names = {h.id: h.name for h in intake.store.households.values()}
    assert [(e.username, e.office_id, names.get(e.household_id), e.action, e.purpose) for e in intake.store.audit] == [
        ("leder-falkenborg", "nav-falkenborg", "Kari Falk", "find", "Søk"),
        ("leder-falkenborg", "nav-falkenborg", "Håkon Karisen", "find", "Søk"),
        ("veileder-falkenborg", "nav-falkenborg", None, "find", "Søk")]


async def test_a_refused_query_writes_nothing_and_a_user_without_office_cannot_search(intake):
    with pytest.raises(RuleBroken):
        await intake.handle(c.SearchHouseholds(FALKENBORG, ""))
    with pytest.raises(Forbidden):
        await intake.handle(c.SearchHouseholds(Actor("admin", "admin", None), "kari"))
    assert intake.store.audit == []


async def test_only_the_first_fifty_are_shown_and_the_rest_is_said(intake):
    for serial in range(60):
        await intake.handle(apply(FALKENBORG, synthetic_identity_number(date(1960, 1, 1), serial), f"Lise {serial}"))
    found = await intake.handle(c.SearchHouseholds(FALKENBORG, "lise"))
    assert len(found.people) == search.MOST_SHOWN and found.more


@pytest.fixture
def app(intake):
    return create_app(bus=intake.bus, uow_factory=intake.uow_factory, municipalities=MUNICIPALITIES)


async def test_the_api_answers_the_offices_matches_and_refuses_bad_queries_naming_q(app):
    async with client(app, WORKER) as api:
        r = await api.post("/api/households/search", json={"q": "nord"})
        assert r.status_code == 200, r.text
        assert [(p["name"], p["reference"]) for p in r.json()["people"]] == [("Ola Nordmann", f"{TODAY.year}-0003")]
        assert r.json()["kind"] == "name" and r.json()["more"] is False
        for raw in ('""', '"' + "x" * 5000 + '"', '"a\\u0000b"', '"\\ud800"', '"  "'):
            bad = await api.post("/api/households/search", content='{"q": ' + raw + "}",
                                 headers={"content-type": "application/json"})
            assert bad.status_code == 422 and bad.json()["errors"][0]["loc"][-1] == "q", (raw, bad.text)
    async with client(app, OTHER) as api:  # Grünerløkka has no Kari
        assert (await api.post("/api/households/search", json={"q": "kari"})).json()["people"] == []
    async with client(app, FINANCE) as api:
        assert (await api.post("/api/households/search", json={"q": "kari"})).status_code == 403


async def test_the_page_lists_names_birth_dates_references_and_links_by_id(app, intake):
    kari = next(h for h in intake.store.households.values() if h.name == "Kari Falk")
    async with client(app, LEADER, page=True) as browser:
        r = await browser.post("/search", data={"q": "Kari F"})
        assert r.status_code == 200
        assert "Kari Falk" in r.text and "09.03.1984" in r.text and f"{TODAY.year}-0001" in r.text
        assert f'href="/intake/households/{kari.id}"' in r.text and "Håkon" not in r.text
        for q, message in (("", search.EMPTY_NB), ("x" * 300, search.TOO_LONG_NB), ("a\x07b", None)):
            bad = await browser.post("/search", data={"q": q})
            assert bad.status_code == 422 and 'id="search-error"' in bad.text, q
            assert message is None or message in bad.text
