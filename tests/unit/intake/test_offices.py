"""The Office aggregate, the offices file's reader and rows, and the registry's use cases on a fake intake."""

from __future__ import annotations

import pytest

from services.intake.adapters import offices_csv
from services.intake.bootstrap import places
from services.intake.domain import commands as c
from services.intake.domain.errors import Conflict, Forbidden, RuleBroken
from services.intake.domain.model import Actor, HouseholdDetails
from services.intake.domain.office_import import FileError
from services.intake.domain.offices import Office, OfficeDetails, slug
from tests.unit.intake.fakes import Intake
from tests.unit.intake.test_handlers import NUMBER

PLACES = places()
ADMIN = Actor("admin", "admin", None)
SAGENE_WORKER = Actor("veileder-sagene", "case_worker", "nav-sagene")
HEADER = "office,municipality,district,second_approval,address,phone,email\n"


def office(name="Nav Sagene", municipality="0301", district="Sagene", **more) -> Office:
    return Office.register(OfficeDetails(name, municipality, district, **more), places=PLACES, taken=set())


# -- the aggregate --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, expected", [
    ("Nav Grünerløkka", "nav-grunerlokka"), ("Nav Hundvåg og Storhaug", "nav-hundvag-og-storhaug"),
    ("Nav Bodø", "nav-bodo"), ("NAV  St. Hanshaugen", "nav-st-hanshaugen"), ("Nav Kárášjohka", "nav-karasjohka"),
    ("Nav Ærøy", "nav-aeroy"),
])
def test_the_id_is_the_name_as_a_slug(name, expected):
    assert slug(name) == expected


def test_a_registered_office_records_its_event_with_the_kept_form_of_each_field():
    o = office(" Nav  Sagene ", district="03", phone="+47 55 55 33 33", email=" bolig.sagene@nav.example ",
               second_approval=True)
    assert (o.id, o.name, o.district, o.phone, o.email, o.second_approval, o.closed) == (
        "nav-sagene", "Nav Sagene", "Sagene", "55553333", "bolig.sagene@nav.example", True, False)
    [registered] = o.events
    assert type(registered).__name__ == "OfficeRegistered" and registered.office.id == "nav-sagene"


@pytest.mark.parametrize("district", ["Sagene", "sagene", "Bydel Sagene", "3", "03", "030103"])
def test_an_oslo_district_by_name_or_number(district):
    assert office(district=district).district == "Sagene"


@pytest.mark.parametrize("details, field, words", [
    (OfficeDetails("Nav Madla", "9999"), "municipality", "Ukjent kommunenummer 9999"),
    (OfficeDetails("Nav Madla", "1103x"), "municipality", "fire siffer"),
    (OfficeDetails("Nav Madla", ""), "municipality", "Oppgi kommunenummeret"),
    (OfficeDetails("Nav Madla", "1103", "Madla"), "district", "bare Oslo"),
    (OfficeDetails("Nav Sagene", "0301"), "district", "bydel"),
    (OfficeDetails("Nav Sagene", "0301", "Atlantis"), "district", "Ukjent bydel"),
    (OfficeDetails("Nav Madla", "1103", phone="5555333"), "phone", "åtte siffer"),
    (OfficeDetails("Nav Madla", "1103", phone="55 55 33 33 ext"), "phone", "åtte siffer"),
    (OfficeDetails("Nav Madla", "1103", email="madla@nav"), "email", "ikke gyldig"),
    (OfficeDetails("Nav Madla", "1103", email="madla at nav.no"), "email", "ikke gyldig"),
    (OfficeDetails("", "1103"), "name", "navn"),
    (OfficeDetails("Nav\x00Madla", "1103"), "name", "kontrolltegn"),
    (OfficeDetails("Nav Madla\n", "1103", address="Gate 1\nStavanger"), "name", "linjeskift"),
    (OfficeDetails("N" * 101, "1103"), "name", "høyst 100"),
])
def test_bad_details_are_refused_naming_the_field(details, field, words):
    with pytest.raises(RuleBroken) as refused:
        Office.register(details, places=PLACES, taken=set())
    assert refused.value.field == field and words.lower() in str(refused.value).lower()


def test_the_same_name_in_another_municipality_gets_the_municipality_in_its_id():
    first = Office.register(OfficeDetails("Nav Sentrum", "5001"), places=PLACES, taken=set())
    second = Office.register(OfficeDetails("Nav Sentrum", "1804"), places=PLACES, taken={first.id})
    assert (first.id, second.id) == ("nav-sentrum", "nav-sentrum-1804")


def test_a_change_keeps_the_id_and_records_an_event_only_when_something_changed():
    o = office()
    o.events.clear()
    assert not o.change(OfficeDetails("Nav Sagene", "0301", "03"), places=PLACES)
    assert o.events == []
    assert o.change(OfficeDetails("Nav Sagene bydel", "0301", "Sagene", phone="22 22 22 22"), places=PLACES)
    assert (o.id, o.name, o.phone) == ("nav-sagene", "Nav Sagene bydel", "22222222")
    assert [type(e).__name__ for e in o.events] == ["OfficeChanged"]
    with pytest.raises(RuleBroken) as moved:
        o.change(OfficeDetails("Nav Sagene", "1103"), places=PLACES)
    assert moved.value.field == "municipality"


def test_a_closed_office_takes_no_applications_and_is_closed_once():
    o = office()
    o.close()
    assert o.closed and type(o.events[-1]).__name__ == "OfficeClosed"
    with pytest.raises(RuleBroken, match="lagt ned"):
        o.check_takes_applications()
    with pytest.raises(Conflict):
        o.close()


# -- the use cases on a fake intake ---------------------------------------------------------------------------


def sagene() -> OfficeDetails:
    return OfficeDetails("Nav Sagene", "0301", "Sagene", phone="55553333")


async def test_only_an_administrator_registers_and_the_event_goes_out():
    intake = Intake()
    with pytest.raises(Forbidden):
        await intake.handle(c.RegisterOffice(SAGENE_WORKER, sagene()))
    registered = await intake.handle(c.RegisterOffice(ADMIN, sagene()))
    assert registered.id == "nav-sagene" and "nav-sagene" in intake.store.offices
    [event] = [e for u in intake.units for e in u.published]
    assert event.type == "botilbud.intake.office-registered.v1" and event.key == "nav-sagene"
    assert (event.data.name, event.data.municipality, event.data.district) == ("Nav Sagene", "0301", "Sagene")
    with pytest.raises(Conflict) as twice:
        await intake.handle(c.RegisterOffice(ADMIN, OfficeDetails("nav  SAGENE", "0301", "Sagene")))
    assert twice.value.field == "name"


async def test_a_case_worker_of_an_office_not_registered_gets_a_clear_message_then_works_once_it_is():
    intake = Intake()
    apply = c.ReceiveApplication(SAGENE_WORKER, NUMBER, "nav-sagene", HouseholdDetails("Kari Sagen"))
    with pytest.raises(RuleBroken) as refused:
        await intake.handle(apply)
    assert refused.value.field == "office_id" and "ikke registrert" in str(refused.value)
    assert not intake.store.households
    await intake.handle(c.RegisterOffice(ADMIN, sagene()))
    received = await intake.handle(apply)
    assert intake.store.applications[received.application_id].office_id == "nav-sagene"


async def test_a_closed_office_takes_no_new_application_and_keeps_its_cases():
    intake = Intake()
    await intake.handle(c.RegisterOffice(ADMIN, sagene()))
    received = await intake.handle(c.ReceiveApplication(SAGENE_WORKER, NUMBER, "nav-sagene",
                                                        HouseholdDetails("Kari Sagen")))
    closed = await intake.handle(c.CloseOffice(ADMIN, "nav-sagene"))
    assert closed.closed and intake.published[-1] == "botilbud.intake.office-closed.v1"
    with pytest.raises(RuleBroken, match="lagt ned"):
        await intake.handle(c.ReceiveApplication(SAGENE_WORKER, NUMBER, "nav-sagene", HouseholdDetails("Kari")))
    assert received.application_id in intake.store.applications


def rows(text: str) -> tuple:
    return tuple(offices_csv.read(text.encode()))


async def test_importing_twice_changes_nothing_and_a_changed_phone_updates():
    intake = Intake()
    text = HEADER + "Nav Sagene,0301,Sagene,no,,55553333,\nNav Madla,1103,,no,,,madla@nav.example\n"
    first = await intake.handle(c.ImportOffices(ADMIN, rows(text)))
    assert (first.count("registered"), first.written) == (2, True)
    assert {o.office_id for o in first.offices} == {"nav-sagene", "nav-madla"}
    events = len(intake.published)
    again = await intake.handle(c.ImportOffices(ADMIN, rows(text)))
    assert (again.count("unchanged"), again.written, len(intake.published)) == (2, False, events)
    changed = await intake.handle(c.ImportOffices(ADMIN, rows(text.replace("55553333", "22 33 44 55"))))
    assert [(o.office_id, o.outcome) for o in changed.offices] == [(
        "nav-sagene", "changed"), ("nav-madla", "unchanged")]
    assert intake.store.offices["nav-sagene"].phone == "22334455"
    assert intake.published[events:] == ["botilbud.intake.office-changed.v1"]


BAD = (HEADER + "Nav Sagene,0301,Sagene,no,,,\n"  # line 2: good
       "Nav Madla,9999,,no,,,\n"  # line 3: unknown municipality
       "Nav Tasta,1103,Tasta,no,,,\n"  # line 4: a district outside Oslo
       "Nav Hinna,1103,,no,,12,\n"  # line 5: a malformed phone
       "Nav Hillevåg,1103,,no,,,hillevag@\n"  # line 6: a malformed e-mail
       "Nav Sagene,0301,03,no,,,\n"  # line 7: the same office as line 2
       "Nav Eiganes,1103,,maybe,,,\n")  # line 8: second_approval neither yes nor no


async def test_a_bad_row_rejects_the_file_with_every_line_and_reason_and_writes_nothing():
    intake = Intake()
    before = set(intake.store.offices)
    result = await intake.handle(c.ImportOffices(ADMIN, rows(BAD)))
    assert [(e.line, e.field) for e in result.rejected] == [
        (3, "municipality"), (4, "district"), (5, "phone"), (6, "email"), (7, "office"), (8, "second_approval")]
    assert "9999" in result.rejected[0].reason and "linje 2" in result.rejected[4].reason
    assert not result.written and set(intake.store.offices) == before and not intake.published


async def test_a_dry_run_lists_every_problem_and_what_would_happen_and_writes_nothing():
    intake = Intake()
    result = await intake.handle(c.ImportOffices(ADMIN, rows(BAD), dry_run=True, partial=True))
    assert len(result.rejected) == 6 and [(o.office_id, o.outcome) for o in result.offices] == [
        ("nav-sagene", "registered")]
    assert "nav-sagene" not in intake.store.offices and not intake.published


async def test_a_partial_import_takes_the_good_rows_and_reports_the_bad_ones():
    intake = Intake()
    result = await intake.handle(c.ImportOffices(ADMIN, rows(BAD), partial=True))
    assert result.written and [o.office_id for o in result.offices] == ["nav-sagene"]
    assert intake.store.offices["nav-sagene"].district == "Sagene" and len(result.rejected) == 6


async def test_only_an_administrator_imports():
    with pytest.raises(Forbidden):
        await Intake().handle(c.ImportOffices(SAGENE_WORKER, rows(HEADER + "Nav Sagene,0301,Sagene,,,,\n")))


# -- the reader -----------------------------------------------------------------------------------------------


def test_the_reader_gives_each_row_its_line_in_the_file():
    text = ("\ufeff" + HEADER + "Nav Grünerløkka,0301,Grünerløkka,yes,\"Thorvald Meyers gate 12,\n0555 Oslo\","
            "55553333,bolig@nav.example\n\n,,,,,,\nNav Sagene,0301,Sagene,no,,,\n")
    found = offices_csv.read(text.encode())
    assert [(line, row["office"]) for line, row in found] == [(2, "Nav Grünerløkka"), (6, "Nav Sagene")]
    assert found[0][1]["address"] == "Thorvald Meyers gate 12,\n0555 Oslo"


def test_only_the_required_columns_are_needed_and_extra_cells_are_a_bad_row():
    [(line, row)] = offices_csv.read(b"municipality,office\n5001,Nav Falkenborg,extra\n")
    assert line == 2 and row[None] == ["extra"]


@pytest.mark.parametrize("data, words", [
    (b"", "tom"), (b"office,kommune\n", "mangler kolonnene municipality"),
    (b"office,municipality,colour\n", "ukjente kolonner colour"), (b"office,municipality,office\n", "flere ganger"),
    ("office,municipality\nNav Bodø,1804\n".encode("utf-16"), "ikke UTF-8"),
    ("office,municipality\nNav Bodo,1804\n".encode("utf-16-le"), "NUL"),
    ("office,municipality\nNav Bodø,1804\n".encode("latin-1"), "ikke UTF-8"),
    (b'office,municipality\n"Nav Bod\xc3\xb8,1804\n', "CSV"),
])
def test_a_file_not_in_the_format_is_refused_as_a_whole(data, words):
    with pytest.raises(FileError, match=words):
        offices_csv.read(data)
