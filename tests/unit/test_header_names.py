"""The page header names the user's office and municipality (kit/header.py): the office's name from the service's
own copy of the offices, read at most once per period, and its id where the name is not known or cannot be read;
the municipality's name from SSB's classification. A page never fails for either."""

import asyncio
import re

import pytest
from fastapi import FastAPI, Request

from kit.auth import Role, User
from kit.header import CachedOfficeNames, municipality_name, office_name
from tests.web import client, page_with_header

WORKER = User("veileder-grunerlokka", Role.CASE_WORKER, "nav-grunerlokka")
STAFF = User("stab-oslo", Role.MUNICIPALITY_STAFF, None, municipality="0301")
NAMES = {"nav-grunerlokka": "Nav Grünerløkka", "nav-bodo": "Nav Bodø"}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Database:
    """The service's offices table as the lookup reads it: counts the reads, and may fail or hang."""

    def __init__(self, names: dict[str, str]):
        self.names, self.reads, self.failing, self.hanging = dict(names), 0, False, False

    async def read(self) -> dict[str, str]:
        self.reads += 1
        if self.failing:
            raise ConnectionError("the database is down")
        if self.hanging:
            await asyncio.sleep(5)
        return dict(self.names)


async def test_the_names_are_read_once_per_period_and_a_rename_shows_after_it():
    db, clock = Database(NAMES), Clock()
    name = CachedOfficeNames(db.read, seconds=30, clock=clock)
    assert await name("nav-grunerlokka") == "Nav Grünerløkka" and await name("nav-bodo") == "Nav Bodø"
    assert db.reads == 1
    db.names["nav-bodo"] = "Nav Bodø sentrum"
    clock.now += 29
    assert await name("nav-bodo") == "Nav Bodø" and db.reads == 1
    clock.now += 2
    assert await name("nav-bodo") == "Nav Bodø sentrum" and db.reads == 2


async def test_an_office_not_yet_known_is_asked_for_again_within_seconds_not_on_every_page():
    db, clock = Database(NAMES), Clock()
    name = CachedOfficeNames(db.read, seconds=30, unknown_seconds=3, clock=clock)
    assert await name("nav-asker") is None and await name("nav-asker") is None and db.reads == 1
    db.names["nav-asker"] = "Nav Asker"  # its event arrives
    clock.now += 3
    assert await name("nav-asker") == "Nav Asker" and db.reads == 2
    clock.now += 3
    assert await name("nav-asker") == "Nav Asker" and db.reads == 2


@pytest.mark.parametrize("trouble", ["failing", "hanging"])
async def test_a_read_in_trouble_keeps_the_names_read_before_and_is_not_retried_on_every_page(trouble):
    db, clock = Database(NAMES), Clock()
    name = CachedOfficeNames(db.read, seconds=30, unknown_seconds=3, timeout=0.05, clock=clock)
    assert await name("nav-grunerlokka") == "Nav Grünerløkka"
    setattr(db, trouble, True)
    clock.now += 31
    assert await name("nav-grunerlokka") == "Nav Grünerløkka" and await name("nav-asker") is None
    assert db.reads == 2
    setattr(db, trouble, False)
    db.names["nav-asker"] = "Nav Asker"
    clock.now += 3
    assert await name("nav-asker") == "Nav Asker" and db.reads == 3


async def test_a_first_read_in_trouble_names_no_office():
    db = Database(NAMES)
    db.failing = True
    assert await CachedOfficeNames(db.read)("nav-grunerlokka") is None


def request_with(source) -> Request:
    app = FastAPI()
    if source is not None:
        app.state.header_office_name = source
    return Request({"type": "http", "app": app, "headers": []})


async def known(office_id: str) -> str | None:
    return NAMES.get(office_id)


async def broken(office_id: str) -> str | None:
    raise RuntimeError("no names")


@pytest.mark.parametrize(("user", "source", "shown"), [
    (WORKER, known, "Nav Grünerløkka"),
    (User("veileder-ny", Role.CASE_WORKER, "nav-ny"), known, "nav-ny"),  # its event has not arrived yet
    (WORKER, None, "nav-grunerlokka"),  # a service that bound no lookup
    (WORKER, broken, "nav-grunerlokka"),
    (STAFF, known, None), (None, known, None)])
async def test_the_office_is_named_where_known_and_else_shown_by_its_id(user, source, shown):
    assert await office_name(request_with(source), user) == shown


def test_the_municipality_is_named_from_ssbs_classification_and_else_by_its_number():
    assert municipality_name(STAFF) == "Oslo kommune"
    assert municipality_name(User("stab-x", Role.MUNICIPALITY_STAFF, None, municipality="9999")) == "kommune 9999"
    assert municipality_name(WORKER) is None and municipality_name(None) is None




def who(page_text: str) -> str:
    """What the header says of the user beside the name: role, office, municipality."""
    return re.search(r'<span class="bl-detail">(.*?)</span>', page_text, re.S).group(1)


async def test_the_header_shows_the_office_s_name_and_the_municipality_s_name_not_their_codes():
    async with client(page_with_header(header_office_name=known), WORKER, page=True) as browser:
        page = await browser.get("/page")
    assert page.status_code == 200 and "Nav Grünerløkka" in who(page.text)
    assert "nav-grunerlokka" not in who(page.text)
    async with client(page_with_header(header_office_name=known), STAFF, page=True) as browser:
        page = await browser.get("/page")
    assert "Oslo kommune" in who(page.text) and "0301" not in who(page.text)


async def test_a_page_never_fails_for_the_office_s_name():
    async with client(page_with_header(header_office_name=broken), WORKER, page=True) as browser:
        page = await browser.get("/page")
    assert page.status_code == 200 and "nav-grunerlokka" in who(page.text)
    assert int(page.headers["content-length"]) == len(page.content)
