"""The history import's row rules, provider matching and ids (pure domain, no database)."""

from datetime import date
from decimal import Decimal

import pytest

from services.placement.adapters import csv_files
from services.placement.domain import history
from services.placement.domain.model import Agreement, Limits, new_provider

HEADER = ("household_ref,municipality,district,office,applicant_birth_date,children_birth_dates,provider,"
          "provider_orgnr,accommodation,agreement,check_in,check_out,move_out_reason,nightly_price_nok")
EXAMPLE = f"""{HEADER}
GL-2025-0001,0301,Grünerløkka,Nav Grünerløkka,1990-04-02,,Blå Kors bosenter,,temporary,framework,2025-01-03,2025-02-14,private_rental,690
GL-2025-0002,0301,Grünerløkka,Nav Grünerløkka,1984-11-30,2016-05-01;2019-09-12,Grefsen korttidsboliger,,temporary,framework,2025-03-01,,,
"""  # noqa: E501
OFFICES = {history.key("Nav Grünerløkka"): history.Office("nav-grunerlokka", "Nav Grünerløkka", "0301",
                                                          "Grünerløkka"),
           history.key("Nav Bodø"): history.Office("nav-bodo", "Nav Bodø", "1804", None)}
TODAY = date(2026, 11, 26)


def provider(name, orgnr):
    return new_provider(name=name, orgnr=orgnr, kind="non_profit", municipality="0301", district=None,
                        address="Gata 1", accommodation="temporary",
                        agreement=Agreement("framework", Decimal("990")), limits=Limits())


PROVIDERS = history.ProviderIndex([provider("Blå Kors bosenter", "916451288"),
                                   provider("Grefsen korttidsboliger (Frelsesarmeen)", "984286945")])


def rows(text: str):
    return [history.check_row(line, row, offices=OFFICES, providers=PROVIDERS, today=TODAY)
            for line, row in csv_files.read(text.encode())]


def test_the_example_reads_as_two_stays():
    ended, open_ = rows(EXAMPLE)
    assert (ended.line, ended.provider.name, ended.check_out, ended.destination) == (
        2, "Blå Kors bosenter", date(2025, 2, 14), "private_rental")
    assert ended.authorised_to == date(2025, 2, 13) and ended.price_per_night == Decimal("690")
    assert open_.provider.orgnr == "984286945" and open_.check_out is None and open_.destination is None
    assert open_.household.children_birth_dates == (date(2016, 5, 1), date(2019, 9, 12))
    assert open_.price_per_night == Decimal("990")  # no price in the row: the agreement's
    assert open_.office.id == "nav-grunerlokka" and open_.district == "Grünerløkka"


def test_ids_are_stable_and_follow_the_format():
    a, b = rows(EXAMPLE), rows(EXAMPLE)
    assert [s.stay_id for s in a] == [s.stay_id for s in b]
    assert a[0].household_id != a[1].household_id
    assert a[0].stay_id == history.stay_id("GL-2025-0001", "0301", "BLÅ KORS  bosenter", date(2025, 1, 3))
    assert a[0].household_id == history.household_id("0301", "nav grünerløkka", "GL-2025-0001")
    assert history.household_id("0301", "Nav Grünerløkka", "X") != history.household_id("5001", "Nav Falkenborg", "X")
    assert a[0].decision_id == history.decision_id(a[0].stay_id)


def line(**changes) -> str:
    base = dict(zip(HEADER.split(","), EXAMPLE.splitlines()[1].split(","), strict=True))
    base.update(changes)
    return f"{HEADER}\n" + ",".join(base[c] for c in HEADER.split(",")) + "\n"


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"municipality": "301"}, "municipality", "fire siffer"),
    ({"check_in": "2025-02-30"}, "check_in", "ikke en gyldig dato"),
    ({"check_in": "03.01.2025"}, "check_in", "ÅÅÅÅ-MM-DD"),
    ({"check_out": "2025-01-03"}, "check_out", "etter check_in"),
    ({"provider_orgnr": "916451287"}, "provider_orgnr", "gyldig organisasjonsnummer"),
    ({"provider_orgnr": "984286945"}, "provider_orgnr", "har ikke organisasjonsnummer"),
    ({"provider": "Ukjent hotell"}, "provider", "ukjent tilbyder"),
    ({"accommodation": "hotel"}, "accommodation", "temporary, night_shelter"),
    ({"agreement": "rammeavtale"}, "agreement", "framework"),
    ({"move_out_reason": "moved"}, "move_out_reason", "municipal_rental"),
    ({"children_birth_dates": "2016-05-01;2019-13-01"}, "children_birth_dates", "gyldig dato"),
    ({"nightly_price_nok": "gratis"}, "nightly_price_nok", "ikke et tall"),
    ({"office": "Nav Bodø"}, "municipality", "ligger ikke i kommune 0301"),
    ({"office": "Nav Oslo"}, "office", "ukjent Nav-kontor"),
    ({"applicant_birth_date": ""}, "applicant_birth_date", "mangler"),
    ({"check_in": "2027-01-01", "check_out": ""}, "check_in", "etter dagens dato"),
    ({"district": "Sagene"}, "district", "passer ikke med Nav Grünerløkka"),
    ({"household_ref": "151086 95088"}, "household_ref", "fødselsnummer"),
    ({"household_ref": "15108695088"}, "household_ref", "fødselsnummer"),
    ({"district": "Bydel Atlantis"}, "district", "ukjent bydel"),
    ({"district": "99"}, "district", "ukjent bydel"),
])
def test_a_bad_row_names_its_line_field_and_reason(changes, field, words):
    [bad] = rows(line(**changes))
    assert isinstance(bad, history.RowError), bad
    assert (bad.line, bad.field) == (2, field) and words in bad.reason, bad
    assert "95088" not in bad.reason  # an identity number is never echoed


def test_provider_matching_by_name_or_org_number():
    assert PROVIDERS.find("grefsen KORTTIDSBOLIGER", None).orgnr == "984286945"
    assert PROVIDERS.find("Grefsen korttidsboliger (Frelsesarmeen)", None).orgnr == "984286945"
    assert PROVIDERS.find("Blå Kors (kalt noe annet i regnearket)", "916451288").name == "Blå Kors bosenter"


def test_header_and_file_errors():
    with pytest.raises(history.HeaderError, match="mangler kolonnene check_in"):
        csv_files.read(HEADER.replace(",check_in", "").encode())
    with pytest.raises(history.HeaderError, match="ukjente kolonner"):
        csv_files.read((HEADER + ",fnr\n").encode())
    with pytest.raises(history.HeaderError, match="UTF-8"):
        csv_files.read(EXAMPLE.encode("latin-1"))


def test_duplicates_and_overlaps_across_rows():
    text = EXAMPLE + EXAMPLE.splitlines()[1] + "\n" + EXAMPLE.splitlines()[1].replace(
        "2025-01-03,2025-02-14", "2025-02-01,2025-03-01") + "\n"
    stays = rows(text)
    good, bad = history.check_together(stays, {})
    assert [s.line for s in good] == [2, 3]
    assert [(b.line, b.reason.split(" (")[0]) for b in bad] == [
        (4, "samme opphold som linje 2"), (5, "oppholdet overlapper med linje 2 for samme husstand")]
    # against a stay already imported for the household
    _, bad = history.check_together(stays[:1], {stays[0].household_id: [(stays[1].stay_id, date(2025, 1, 1),
                                                                          None)]})
    assert "allerede er registrert" in bad[0].reason


def test_billing_skips_only_imported_stays_that_ended_before_the_day_of_import():
    from services.billing.domain.model import requisition_due

    day = date(2026, 11, 26)
    assert requisition_due(imported=False, imported_on=None, check_out=None)
    assert not requisition_due(imported=True, imported_on=day, check_out=date(2025, 2, 14))
    assert not requisition_due(imported=True, imported_on=day, check_out=date(2026, 11, 25))
    assert requisition_due(imported=True, imported_on=day, check_out=day)  # left this morning: ended today
    assert requisition_due(imported=True, imported_on=day, check_out=None)  # still staying


@pytest.mark.parametrize("written", ["Grünerløkka", "grünerløkka", "Bydel Grünerløkka", "2", "02", "030102", ""])
def test_oslo_districts_by_name_or_number(written):
    [stay] = rows(line(district=written))
    assert stay.district == "Grünerløkka"


def test_a_district_outside_oslo_is_a_bad_row():
    text = line(municipality="1804", office="Nav Bodø", district="Sentrum")
    [bad] = rows(text)
    assert (bad.field, "bare for Oslo" in bad.reason) == ("district", True)
