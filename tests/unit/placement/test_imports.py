"""The stay history import over the API on the fakes: money bounded per line, a body refused at the cap while
it streams in, answers that stay short whatever the file, and unknown offices and providers listed once."""

import pytest

from services.placement.domain import commands, history
from services.placement.entrypoints.api import imports
from tests.unit.placement.test_history import EXAMPLE, HEADER, line
from tests.unit.placement.test_history import rows as checked_rows
from tests.unit.placement.world import LEADER, WORKER, World

URL = "/api/imports/stays"
CSV = {"content-type": "text/csv"}


def row(**changes) -> str:
    return line(**changes).splitlines()[1]


@pytest.mark.parametrize(("price", "words"), [
    ("1e999", "kan ikke være over 100 000 kr"), ("12345678901234567890", "kan ikke være over 100 000 kr"),
    ("0.0000000001", "i hele øre"), ("-1", "kan ikke være negativ"), ("Infinity", "må være et tall"),
    ("12.345", "i hele øre")])
def test_a_nightly_price_that_no_consumer_can_store_is_a_bad_line(price, words):
    [checked] = checked_rows(line(nightly_price_nok=price))
    assert isinstance(checked, history.RowError) and checked.field == "nightly_price_nok"
    assert words in checked.reason and len(checked.reason) < 200


async def loaded(world: World) -> World:
    import json

    from services.placement.bootstrap import REFERENCE_FILE
    await world.bus.handle(commands.LoadReferenceProviders(json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))))
    await world.offices()  # as intake's office events bring them
    return world


async def test_a_line_with_an_impossible_price_rejects_the_file_with_its_line_number():
    world = await loaded(World())
    text = EXAMPLE + row(household_ref="GL-3", nightly_price_nok="1e999") + "\n"
    async with world.client(LEADER) as api:
        r = await api.post(URL, content=text.encode(), headers=CSV)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["msg"].startswith("Linje 4: nightly_price_nok «1e999»")
    assert world.tables.stays == {}


async def test_the_body_is_refused_at_the_cap_before_it_has_all_arrived(monkeypatch):
    monkeypatch.setattr(imports, "IMPORT_MAX_BYTES", 10_000)
    world = World()
    sent = []

    async def body():
        yield (HEADER + "\n").encode()
        for _ in range(1000):  # 100 kB in all
            sent.append(1)
            yield b"x" * 100 + b"\n"

    async with world.client(LEADER) as api:
        r = await api.post(URL, content=body(), headers=CSV)
    assert r.status_code == 413 and "for stor" in r.json()["detail"]
    assert len(sent) < 200  # it stopped reading soon after the cap


async def test_a_declared_length_over_the_cap_is_refused_without_reading():
    world = World()
    async with world.client(LEADER) as api:
        r = await api.post(URL, content=b"x", headers={**CSV, "content-length": str(60 * 1024 * 1024)})
    assert r.status_code == 413


async def test_thousands_of_bad_rows_give_a_short_answer_with_a_count():
    world = await loaded(World())
    text = HEADER + "\n" + "\n".join(row(household_ref=f"GL-{i}", check_in="03.01.2025") for i in range(5000))
    async with world.client(LEADER) as api:
        r = await api.post(URL, content=text.encode(), headers=CSV)
    assert r.status_code == 422
    body = r.json()
    assert body["rejected_count"] == 5000 and len(body["rejected"]) == len(body["detail"]) == 100
    assert body["rejected"][0]["line"] == 2 and "ÅÅÅÅ-MM-DD" in body["rejected"][0]["reason"]
    assert len(r.content) < 60_000  # the file was 1 MB


async def test_a_huge_cell_is_never_echoed():
    world = await loaded(World())
    text = EXAMPLE + row(household_ref="GL-3", provider="Hotell " + "X" * 100_000) + "\n"
    async with world.client(LEADER) as api:
        r = await api.post(URL, content=text.encode(), headers=CSV)
    assert r.status_code == 422 and len(r.content) < 5_000
    assert "Linje 4: ukjent tilbyder «Hotell XXX" in r.json()["detail"][0]["msg"]


async def test_a_header_of_unknown_columns_is_named_briefly():
    world = World()
    header = HEADER + "," + ",".join("kolonne" + str(i) * 1000 for i in range(50))
    async with world.client(LEADER) as api:
        r = await api.post(URL, content=(header + "\n").encode(), headers=CSV)
    assert r.status_code == 422 and "ukjente kolonner" in r.json()["detail"][0]["msg"]
    assert "og 45 til" in r.json()["detail"][0]["msg"] and len(r.content) < 2_000


async def test_each_unknown_office_and_provider_is_listed_once_with_its_lines():
    world = await loaded(World())
    rows = [row(household_ref=f"GL-{i}", provider="Hotell Uten Navn") for i in range(300)]
    rows += [row(household_ref="GL-A", office="Nav Atlantis"), row(household_ref="GL-B", office="nav  ATLANTIS")]
    async with world.client(LEADER) as api:
        r = await api.post(URL, params={"dry_run": "true"}, content=(HEADER + "\n" + "\n".join(rows)).encode(),
                           headers=CSV)
    provider, office = r.json()["unknown"]
    assert (provider["field"], provider["name"], provider["count"]) == ("provider", "Hotell Uten Navn", 300)
    assert provider["lines"] == list(range(2, 22)) and "Registrer tilbyderen" in provider["what_to_do"]
    assert (office["field"], office["count"], office["lines"]) == ("office", 2, [302, 303])
    assert "administrator" in office["what_to_do"]


async def test_the_example_imports_for_the_office_and_only_for_leaders_and_admins():
    world = await loaded(World())
    async with world.client(WORKER) as api:
        assert (await api.post(URL, content=EXAMPLE.encode(), headers=CSV)).status_code == 403
    async with world.client(LEADER) as api:
        r = await api.post(URL, content=EXAMPLE.encode(), headers=CSV)
    assert r.status_code == 200, r.text
    assert (r.json()["stays_created"], r.json()["rejected_count"], r.json()["unknown"]) == (2, 0, [])
    assert {str(i) for i in world.tables.stays} == set(r.json()["stay_ids"])
