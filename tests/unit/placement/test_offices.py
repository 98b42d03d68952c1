"""Placement learns offices only from intake's office events: its projection names them on the capacity board
and resolves them by name in the history import; an unknown municipality number is refused for a provider."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from contracts import Envelope, OfficeChanged, OfficeClosed, OfficeRegistered
from services.placement.domain.errors import RuleBroken
from services.placement.domain.offices import RecordOffice
from services.placement.entrypoints.kafka import EVENT_TABLE
from tests.unit.placement.test_history import HEADER
from tests.unit.placement.test_imports import loaded
from tests.unit.placement.world import ADMIN, LEADER, World

MADLA = ("HV-2025-0001,1103,,Nav Madla,1990-04-02,,Stavanger Lille hotell,,temporary,framework,2025-01-03,2025-02-14,"
         "private_rental,900")


def test_each_office_event_becomes_the_offices_full_state_with_the_events_time():
    at = datetime(2026, 11, 26, 9, tzinfo=UTC)
    for event in (OfficeRegistered, OfficeChanged, OfficeClosed):
        envelope = Envelope.wrap(event(office_id="nav-madla", name="Nav Madla", municipality="1103",
                                       closed=event is OfficeClosed), source="/botilbud/intake", correlation_id="t")
        envelope = envelope.model_copy(update={"time": at})
        assert EVENT_TABLE[event](envelope) == RecordOffice("nav-madla", "Nav Madla", "1103", None,
                                                       event is OfficeClosed, at)


async def test_the_history_import_knows_an_office_once_its_event_has_come():
    world = await loaded(World())
    text = f"{HEADER}\n{MADLA}\n".encode()
    async with world.client(ADMIN) as api:
        before = await api.post("/api/imports/stays", params={"dry_run": "true"}, content=text,
                                headers={"content-type": "text/csv"})
        await world.bus.handle(RecordOffice("nav-madla", "Nav Madla", "1103", None, False, world.now()),
                               event_id=uuid4())
        after = await api.post("/api/imports/stays", params={"dry_run": "true"}, content=text,
                               headers={"content-type": "text/csv"})
    assert before.status_code == 422 and "ukjent Nav-kontor «Nav Madla»" in before.json()["rejected"][0]["reason"]
    assert after.status_code == 200, after.text
    assert after.json()["stays_to_create"] == 1


async def test_the_capacity_board_offers_the_offices_placement_knows_and_not_closed_ones():
    world = World()
    await world.offices()
    await world.bus.handle(RecordOffice("nav-madla", "Nav Madla", "1103", None, False, world.now()),
                           event_id=uuid4())
    await world.bus.handle(RecordOffice("nav-tasta", "Nav Tasta", "1103", None, True,
                                        world.now() + timedelta(seconds=1)), event_id=uuid4())
    async with world.client(LEADER, page=True) as page:
        board = await page.get("/", params={"office": "nav-madla"})
    assert board.status_code == 200
    assert ">Nav Madla</option>" in board.text and "Nav Tasta" not in board.text
    assert "Stavanger (1103)" in board.text  # the municipality's name from the reference data


@pytest.mark.parametrize("municipality", ["9999", "0000"])
async def test_a_provider_in_a_municipality_that_does_not_exist_is_refused(municipality):
    world = World()
    with pytest.raises(RuleBroken) as refused:
        await world.provider(municipality=municipality)
    assert refused.value.field == "municipality" and "Ukjent kommunenummer" in str(refused.value)
    assert not world.tables.providers


async def test_the_capacity_api_filters_by_an_offices_municipality_as_placement_knows_it():
    world = World()
    await world.provider(municipality="1103")
    await world.provider(municipality="0301")
    async with world.client(LEADER) as api:
        unknown = await api.get("/api/capacity", params={"office_id": "nav-madla"})
        await world.bus.handle(RecordOffice("nav-madla", "Nav Madla", "1103", None, False, world.now()),
                               event_id=uuid4())
        known = await api.get("/api/capacity", params={"office_id": "nav-madla"})
    assert len(unknown.json()) == 2  # an office placement has not heard of filters nothing
    assert [u["municipality"] for u in known.json()] == ["1103"]
