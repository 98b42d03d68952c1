"""Placement's API and pages in process on the fakes (tests/web.py): who may see what, what bad input gets (a
4xx naming the field, never a 5xx), and what the answers hold."""

import json
from datetime import date, timedelta
from uuid import uuid4

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from services.placement.entrypoints.answers import MatchesOut
from tests.unit.placement.world import ADMIN, FINANCE, LEADER, OTHER_OFFICE, WORKER, World

PROVIDER = {"name": "Nytt hus", "orgnr": "810000007", "kind": "private", "municipality": "0301",
            "address": "Gata 1", "agreement": {"kind": "framework", "price_per_night": 800}}


def where(r) -> list:
    return r.json()["errors"][0]["loc"]


async def test_the_stay_this_user_may_see():
    world = World()
    stay, _ = await world.placed()
    async with world.client(WORKER) as api:
        assert (await api.get(f"/api/stays/{stay.id}")).status_code == 200
        missing = await api.get(f"/api/stays/{uuid4()}")
        assert missing.status_code == 404 and missing.json()["errors"][0]["msg"] == "Fant ikke oppholdet."
        assert where(missing) == ["path", "stay_id"]
    async with world.client(OTHER_OFFICE) as api:
        other = await api.get(f"/api/stays/{stay.id}")
        assert other.status_code == 403 and "eget Nav-kontor" in other.json()["detail"]
    async with world.client(FINANCE) as api:
        assert (await api.get(f"/api/stays/{stay.id}")).status_code == 403
    async with world.client(None) as api:
        assert (await api.get(f"/api/stays/{stay.id}")).status_code == 401


async def test_a_stay_that_is_not_there_is_a_norwegian_page_that_says_so_once():
    world = World()
    async with world.client(WORKER, page=True) as browser:
        r = await browser.get(f"/stays/{uuid4()}")
    assert r.status_code == 404 and "Fant ikke det du så etter" in r.text
    assert r.text.count("Fant ikke oppholdet.") == 1


async def test_another_offices_decision_cannot_be_placed_or_matched():
    world = World()
    _, [unit] = await world.provider()
    d = await world.decision()
    async with world.client(OTHER_OFFICE) as api:
        r = await api.post("/api/stays", json={"decision_id": str(d.decision_id), "unit_id": str(unit.id),
                                               "check_in": str(world.today)})
        assert r.status_code == 403
        assert (await api.get(f"/api/decisions/{d.decision_id}/matches")).status_code == 403
    assert world.occupied(unit.id) == 0


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "Hus\x00"}, "name"), ({"address": "Gata\x07 1"}, "address"), ({"name": "x" * 5000}, "name"),
    ({"district": "Sentrum\n"}, "district"),
])
async def test_bad_text_in_a_provider_is_a_422_naming_the_field(body, field):
    world = World()
    async with world.client(ADMIN) as api:
        r = await api.post("/api/providers", json={**PROVIDER, **body})
    assert r.status_code == 422 and where(r) == ["body", field], r.text
    assert world.tables.providers == {}


async def test_a_lone_surrogate_in_json_is_a_422_not_a_500():
    world = World()
    body = json.dumps(PROVIDER).replace('"Nytt hus"', '"Nytt \\ud800hus"')
    async with world.client(ADMIN) as api:
        r = await api.post("/api/providers", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422 and where(r) == ["body", "name"], r.text


@pytest.mark.parametrize("price", ["1e999", "12345678901234567890", "0.0000000001", "-5", "100000.01"])
async def test_a_price_that_no_consumer_can_store_is_refused(price):
    world = World()
    async with world.client(ADMIN) as api:
        r = await api.post("/api/providers", json={**PROVIDER, "agreement": {"kind": "framework",
                                                                             "price_per_night": price}})
    assert r.status_code == 422 and where(r)[-1].endswith("price_per_night"), r.text
    assert world.tables.providers == {}


async def test_a_provider_answer_keeps_its_fields():
    world = World()
    async with world.client(ADMIN) as api:
        r = await api.post("/api/providers", json=PROVIDER)
        assert r.status_code == 201, r.text
        assert r.json()["agreement"]["price_per_night"] == 800 and r.json()["inspection"] is None
        listed = (await api.get("/api/providers")).json()["items"]
    assert [p["provider_id"] for p in listed] == [r.json()["provider_id"]] and listed[0]["units"] == []


@pytest.mark.parametrize(("body", "field"), [
    ({"facilities": {"staffed_hours": "døgn\x00"}}, "staffed_hours"), ({"name": "Rom\x1b"}, "name"),
    ({"beds": 10**12}, "beds"), ({"beds": 0}, "beds"),
])
async def test_bad_input_for_a_unit_is_a_422_naming_the_field(body, field):
    world = World()
    p, _ = await world.provider(units=0)
    async with world.client(ADMIN) as api:
        r = await api.post(f"/api/providers/{p.id}/units", json={"name": "Rom", "beds": 1, **body})
    assert r.status_code == 422 and where(r)[-1] == field, r.text
    assert world.tables.units == {}


@pytest.mark.parametrize("checklist", [{"brann\x00sikring": True}, {"x" * 5000: True},
                                       {f"punkt_{i}": True for i in range(51)}, {"Brann": True}])
async def test_inspection_checklist_keys_are_bounded(checklist):
    world = World()
    p, _ = await world.provider(units=0)
    async with world.client(WORKER) as api:
        r = await api.post(f"/api/providers/{p.id}/inspections", json={
            "inspected_on": str(world.today), "result": "approved", "next_due": str(world.today + timedelta(days=30)),
            "checklist": checklist})
    assert r.status_code == 422 and "checklist" in where(r), r.text
    assert world.tables.inspections == []


async def test_a_justification_with_control_characters_is_refused_but_line_breaks_are_kept():
    world = World()
    _, [unit] = await world.provider(agreement_kind="none", price=None)
    d = await world.decision()
    body = {"decision_id": str(d.decision_id), "unit_id": str(unit.id), "check_in": str(world.today)}
    async with world.client(WORKER) as api:
        bad = await api.post("/api/stays", json={**body, "justification": "Akutt\x00"})
        assert bad.status_code == 422 and where(bad) == ["body", "justification"]
        assert "Akutt" not in bad.text  # never echoed
        ok = await api.post("/api/stays", json={**body, "justification": "Ingen plass.\r\nRinget rundt."})
        assert ok.status_code == 201, ok.text
        assert ok.json()["justification"] == "Ingen plass.\r\nRinget rundt."
        assert ok.json()["justified_rules"] == ["no_agreement"] and ok.json()["flags"]


@pytest.mark.parametrize("query", ["municipality=" + "0" * 5000, "office_id=nav-%00", "municipality=03%0001"])
async def test_query_parameters_are_bounded(query):
    world = World()
    async with world.client(WORKER) as api:
        r = await api.get(f"/api/capacity?{query}")
    assert r.status_code == 422 and where(r)[0] == "query"


async def test_a_date_in_a_page_query_is_bounded():
    world = World()
    d = await world.decision()
    async with world.client(WORKER, page=True) as browser:
        r = await browser.get(f"/decisions/{d.decision_id}/places", params={"check_in": "2026-" * 2000})
    assert r.status_code == 422 and "text/html" in r.headers["content-type"]


async def test_the_views_show_the_text_only_to_the_office_and_the_rules_to_all():
    world = World()
    stay, _ = await world.placed(agreement_kind="none", justification="Kari har ingen andre steder.")
    async with world.client(WORKER) as api:
        [mine] = (await api.get("/api/views")).json()["outside_agreement"]
    assert mine["justification"] == "Kari har ingen andre steder." and mine["justified_rules"] == ["no_agreement"]
    async with world.client(FINANCE) as api:
        [theirs] = (await api.get("/api/views")).json()["outside_agreement"]
    assert theirs["stay_id"] == str(stay.id) and theirs["justification"] is None and theirs["justified"] is True
    async with world.client(ADMIN, page=True) as browser:
        page = (await browser.get("/views")).text
    assert "Kari" not in page and "Begrunnet skriftlig" in page


async def test_matching_defaults_to_today_in_norway_from_the_bound_clock():
    # A date far from the machine's: only a route that asks the bound clock finds the decision's period.
    world = World(today=date(2031, 1, 15))
    await world.provider()
    d = await world.decision(start=0, end=10)
    async with world.client(WORKER) as api:
        r = await api.get(f"/api/decisions/{d.decision_id}/matches")
    assert r.status_code == 200, r.text
    matches = MatchesOut.model_validate(r.json())
    assert len(matches.fits) == 1 and matches.fits[0].reasons


async def test_decisions_awaiting_a_place_end_on_the_bound_day():
    world = World(today=date(2031, 1, 15))
    running = await world.decision(start=-5, end=0)
    ended = await world.decision(start=-5, end=-1)
    async with world.client(LEADER) as api:
        listed = {d["decision_id"] for d in (await api.get("/api/decisions/awaiting-place")).json()}
    assert str(running.decision_id) in listed and str(ended.decision_id) not in listed


async def test_nights_in_the_views_count_up_to_the_bound_day():
    world = World()
    stay, _ = await world.placed(check_in=world.today - timedelta(days=80))
    async with world.client(WORKER) as api:
        [row] = (await api.get("/api/views")).json()["three_months"]
    assert (row["stay_id"], row["nights"], row["status"]) == (str(stay.id), 80, "near")
    world.today += timedelta(days=11)
    async with world.client(WORKER) as api:
        [row] = (await api.get("/api/views")).json()["three_months"]
    assert (row["nights"], row["status"]) == (91, "over")


async def test_a_form_with_a_unit_that_is_no_id_is_shown_again_with_the_reason():
    world = World()
    d = await world.decision()
    async with world.client(WORKER, page=True) as browser:
        r = await browser.post(f"/decisions/{d.decision_id}/place", data={"unit_id": "ikke-en-id",
                                                                         "check_in": str(world.today)})
    assert r.status_code == 422 and "Velg en plass." in r.text


async def test_a_move_out_form_before_check_in_keeps_what_was_typed():
    world = World()
    stay, _ = await world.placed()
    early = str(stay.check_in - timedelta(days=3))
    async with world.client(WORKER, page=True) as browser:
        r = await browser.post(f"/stays/{stay.id}/move-out", data={"check_out": early, "destination": "other"})
    assert r.status_code == 422 and 'id="check_out-error"' in r.text and f'value="{early}"' in r.text


async def test_a_provider_form_with_a_nul_byte_is_shown_again_naming_the_field():
    world = World()
    async with world.client(LEADER, page=True) as browser:
        r = await browser.post("/providers/new", data={"name": "Hus\x00", "orgnr": "810000007", "kind": "private",
                                                       "municipality": "0301", "address": "Gata 1"})
    assert r.status_code == 422 and 'id="name-error"' in r.text and "kontrolltegn" in r.text


async def test_a_bed_count_too_large_for_the_database_is_a_field_error_on_the_page():
    world = World()
    _, [unit] = await world.provider()
    async with world.client(LEADER, page=True) as browser:
        r = await browser.post(f"/units/{unit.id}/beds", data={"beds": "99999999999"})
    assert r.status_code == 422 and f'id="beds-{unit.id}-error"' in r.text


async def test_every_api_route_has_a_response_model():
    world = World()
    api = [r for c in iter_route_contexts(world.app.routes)
           if isinstance(r := c.original_route, APIRoute) and "/api/" in c.path]
    assert len(api) == 26 and all(r.response_model is not None for r in api), [
        r.path for r in api if r.response_model is None]


async def test_a_placement_page_redirects_to_the_stay_and_shows_it():
    world = World()
    _, [unit] = await world.provider()
    d = await world.decision()
    async with world.client(WORKER, page=True) as browser:
        r = await browser.post(f"/decisions/{d.decision_id}/place", data={"unit_id": str(unit.id),
                                                                         "check_in": str(world.today)})
        assert r.status_code == 303
        shown = await browser.get(r.headers["location"].removeprefix("/placement"))
    assert shown.status_code == 200 and "Husstanden er plassert." in shown.text


async def test_an_extension_page_with_no_decision_chosen_says_so():
    world = World()
    stay, _ = await world.placed()
    async with world.client(WORKER, page=True) as browser:
        r = await browser.post(f"/stays/{stay.id}/extend", data={"decision_id": ""})
    assert r.status_code == 422 and "Velg det nye vedtaket." in r.text
    assert (await world.queries.stay(stay.id)).authorised_to == stay.authorised_to
