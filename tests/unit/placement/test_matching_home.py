"""Matching starts at home (issue 15.5): the office's district and municipality first, bordering municipalities
next, the rest only when asked; the filters; unusable units kept apart (pure domain, no I/O)."""

from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from contracts.reference import municipalities
from services.placement.domain import matching, model
from services.placement.domain.borders import BORDERS
from services.placement.domain.geography import Home, Nearness, near
from services.placement.domain.matching import Candidate, PlaceFilter

TODAY = date(2026, 11, 26)
GOOD = {"own_bath": True, "kitchen": "own", "laundry": True, "visits_allowed": True}
OSLO, BAERUM, ASKER, DRAMMEN, BODO, NARVIK, STAVANGER, SANDNES, HAUGESUND, TRONDHEIM = (
    "0301", "3201", "3203", "3301", "1804", "1806", "1103", "1108", "1106", "5001")


def decision(*, municipality=OSLO, district="Grünerløkka", children=(), office_id="nav-grunerlokka"):
    h = model.HouseholdFacts(date(1986, 1, 1), tuple(children), 1, {})
    return model.GrantedDecision(uuid4(), uuid4(), office_id, municipality, district, "granted",
                                 TODAY - timedelta(days=1), TODAY + timedelta(days=30), h)


def place(name, municipality, *, district=None, price="900", agreement="framework", target_groups=("families",
          "singles_couples"), beds=4, kitchen="own", households=0) -> Candidate:
    p = model.new_provider(
        name=name, orgnr="984286945", kind="private", municipality=municipality, district=district,
        address=f"{name}gata 1", accommodation="temporary",
        agreement=model.Agreement(agreement, Decimal(price), 0, date(2024, 1, 1), None,
                                  tuple(target_groups) if agreement != "none" else ()),
        limits=model.Limits(None, None, None, False))
    return Candidate(p, model.new_unit(p, name="Rom 1", beds=beds, facilities={**GOOD, "kitchen": kitchen}),
                     households=households)


# The Oslo family's choice before this rule: Bodø, Stavanger, Trondheim and Drammen next to Oslo's own places.
COUNTRY = [
    place("Bodø hotell", BODO, price="500"), place("Stavanger hus", STAVANGER, price="600"),
    place("Trondheim hus", TRONDHEIM, price="700"), place("Drammen camping", DRAMMEN, price="400"),
    place("Bærum hus", BAERUM, price="800"), place("Løkka hus", OSLO, district="Grünerløkka", price="1500"),
    place("Grefsen", OSLO, district="Nordre Aker", price="1200"),
]


def places(d, candidates, filters=PlaceFilter(), home=None) -> matching.Places:
    fits, left_out = matching.match(d, candidates, check_in=TODAY, today=TODAY, home=home)
    return matching.select(fits, left_out, filters)


def names(ms) -> list[str]:
    return [m.provider.name for m in ms]


def test_an_oslo_household_gets_its_district_then_oslo_then_a_neighbour_and_the_rest_only_when_asked():
    found = places(decision(), COUNTRY)
    assert names(found.fits) == ["Løkka hus", "Grefsen", "Bærum hus"]  # dearer at home before cheaper away
    assert [m.nearness for m in found.fits] == [Nearness.HOME_DISTRICT, Nearness.HOME, Nearness.NEAR]
    assert found.elsewhere == 4
    everywhere = places(decision(), COUNTRY, PlaceFilter(everywhere=True))
    assert names(everywhere.fits)[:3] == ["Løkka hus", "Grefsen", "Bærum hus"]
    assert set(names(everywhere.fits)[3:]) == {"Bodø hotell", "Stavanger hus", "Trondheim hus", "Drammen camping"}
    assert everywhere.elsewhere == 0


def test_within_one_nearness_the_soft_rules_rank_agreement_first_then_price():
    found = places(decision(district=None), [
        place("Uten avtale", OSLO, agreement="none", price="300"), place("Dyr", OSLO, price="1400"),
        place("Billig", OSLO, price="800")])
    assert names(found.fits) == ["Billig", "Dyr", "Uten avtale"]


def test_a_place_away_from_home_says_so_and_needs_a_justification():
    near_place, far_place = place("Bærum hus", BAERUM), place("Bodø hotell", BODO)
    d = decision()
    assert {f.code for f in matching.evaluate(d, near_place, check_in=TODAY, today=TODAY).flags} == {
        "other_municipality"}
    assert "Nabokommune" in matching.evaluate(d, near_place, check_in=TODAY, today=TODAY).flags[0].message
    assert "Annen kommune" in matching.evaluate(d, far_place, check_in=TODAY, today=TODAY).flags[0].message
    assert "Samme bydel." in matching.evaluate(d, COUNTRY[5], check_in=TODAY, today=TODAY).reasons


def test_the_office_as_placement_knows_it_now_decides_where_home_is():
    # The decision says Oslo, but the office (from intake's office events) is Nav Asker: Asker's places first.
    d = decision(municipality=OSLO, district="Grünerløkka", office_id="nav-asker")
    found = places(d, [place("Oslo hus", OSLO), place("Asker hus", ASKER), place("Drammen camping", DRAMMEN)],
                   home=Home(ASKER))
    assert names(found.fits) == ["Asker hus", "Drammen camping"]
    assert found.elsewhere == 1  # Oslo does not border Asker
    assert matching.check_place(d, place("Asker hus", ASKER), check_in=TODAY, today=TODAY, justification=None,
                                home=Home(ASKER)).flags == ()


def test_neighbours_are_the_bordering_municipalities_both_ways():
    assert near(OSLO, BAERUM) and near(BAERUM, OSLO)
    assert near(ASKER, DRAMMEN) and near(DRAMMEN, ASKER)
    assert not near(OSLO, ASKER)  # Bærum lies between
    assert not near(BODO, NARVIK)  # one county, Nordland, but 180 km apart: not a neighbour
    assert not near(STAVANGER, HAUGESUND)
    assert not near(OSLO, OSLO)


def test_a_municipality_the_borders_table_does_not_describe_counts_its_county_as_near():
    assert near(SANDNES, HAUGESUND)  # both Rogaland
    assert near(SANDNES, STAVANGER)
    assert not near(SANDNES, OSLO)


def test_the_borders_table_names_real_municipalities():
    known = municipalities()
    for home, neighbours in BORDERS.items():
        assert home in known and home not in neighbours
        assert neighbours <= set(known), neighbours - set(known)


@pytest.mark.parametrize(("filters", "expected"), [
    (PlaceFilter(municipality=BODO), ["Bodø hotell"]),  # a chosen municipality, even far away
    (PlaceFilter(municipality=OSLO), ["Løkka hus", "Grefsen"]),
    (PlaceFilter(target_group="families"), ["Løkka hus", "Grefsen"]),
    (PlaceFilter(kitchen="own"), ["Løkka hus", "Grefsen"]),
    (PlaceFilter(kitchen="shared"), ["Løkka hus", "Grefsen", "Bærum hus"]),
    (PlaceFilter(min_beds=5), ["Grefsen"]),
])
def test_filters_narrow_the_places(filters, expected):
    candidates = [place("Løkka hus", OSLO, district="Grünerløkka"),
                  place("Grefsen", OSLO, district="Nordre Aker", beds=6),
                  place("Bærum hus", BAERUM, kitchen="shared", target_groups=("singles_couples",)),
                  place("Bodø hotell", BODO, kitchen="none", agreement="none")]
    assert names(places(decision(), candidates, filters).fits) == expected


def test_units_that_cannot_be_used_are_apart_with_their_reasons_nearest_first_and_far_ones_only_when_asked():
    family = decision(children=(date(2019, 5, 1),))
    candidates = [place("Løkka hus", OSLO, district="Grünerløkka"), place("Opptatt", OSLO, households=1),
                  place("Hybel", OSLO, kitchen="shared"), place("Bærum hybel", BAERUM, beds=1),
                  place("Bodø hybel", BODO, kitchen="none")]
    found = places(family, candidates)
    assert names(found.fits) == ["Løkka hus"]
    assert names(found.left_out) == ["Hybel", "Opptatt", "Bærum hybel"]  # Bodø's is not listed at all
    reasons = {m.provider.name: [r.code for r in m.refusals] for m in found.left_out}
    assert reasons == {"Hybel": ["kitchen"], "Opptatt": ["capacity"], "Bærum hybel": ["beds"]}
    assert "Bodø hybel" in names(places(family, candidates, PlaceFilter(everywhere=True)).left_out)
