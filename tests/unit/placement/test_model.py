"""Providers, units and the stay's life cycle in the pure domain."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from services.placement.domain import model
from tests.unit.placement.test_matching import TODAY, decision, household, provider, unit

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_an_invalid_org_number_is_refused_naming_the_field():
    with pytest.raises(model.PlacementError) as err:
        model.new_provider(name="X", orgnr="984286946", kind="private", municipality="0301", district=None,
                           address="Gate 1", accommodation="temporary", agreement=model.Agreement(),
                           limits=model.Limits())
    assert err.value.field == "orgnr"


def test_a_unit_with_zero_beds_is_refused():
    with pytest.raises(model.PlacementError) as err:
        model.new_unit(provider(), name="Rom", beds=0)
    assert err.value.field == "beds"


def test_a_unit_takes_the_provider_address_by_default():
    p = provider()
    assert model.new_unit(p, name="Rom", beds=1).address == p.address


def test_check_out_before_check_in_is_refused():
    d = decision()
    p = provider()
    stay = model.place(d, p, unit(p), check_in=TODAY, at=NOW)
    with pytest.raises(model.PlacementError) as err:
        stay.register_move_out(check_out=TODAY - timedelta(days=1), destination="unknown", today=TODAY, provider=p,
                               unit=unit(p), households_left=0, at=NOW)
    assert err.value.field == "check_out" and stay.check_out is None
    assert f"({TODAY:%d.%m.%Y})" in str(err.value)  # the date as people write it, not ISO


def test_place_outside_the_decision_period_is_refused():
    with pytest.raises(model.PlacementError) as err:
        model.check_placeable(decision(), TODAY + timedelta(days=60), household_has_open_stay=False)
    assert err.value.field == "check_in"
    period = decision()
    assert f"({period.period_from:%d.%m.%Y}–{period.period_to:%d.%m.%Y})" in str(err.value)


def test_extend_follows_the_new_decision_period():
    d = decision()
    p = provider()
    stay = model.place(d, p, unit(p), check_in=TODAY, at=NOW)
    new = model.GrantedDecision(uuid4(), d.household_id, d.office_id, d.municipality, None, "granted",
                                d.period_to + timedelta(days=1), d.period_to + timedelta(days=30), d.household,
                                extends_decision_id=d.decision_id)
    event = stay.extend(new, at=NOW)
    assert stay.authorised_to == new.period_to and stay.decision_id == new.decision_id
    assert event.previous_authorised_to == d.period_to


def test_extend_refuses_a_shorter_period():
    d = decision()
    p = provider()
    stay = model.place(d, p, unit(p), check_in=TODAY, at=NOW)
    with pytest.raises(model.PlacementError):
        stay.extend(d, at=NOW)


def test_three_months_warning_for_a_family_and_young_people():
    family = household(children=(5,))
    assert any("Barnefamilie" in w for w in model.stay_warnings(family, check_in=TODAY,
                                                                 authorised_to=TODAY + timedelta(days=10)))
    long = model.stay_warnings(household(age=21), check_in=TODAY, authorised_to=TODAY + timedelta(days=100))
    assert any("over tre måneder" in w for w in long) and any("Ung person" in w for w in long)
    assert model.stay_warnings(household(), check_in=TODAY, authorised_to=TODAY + timedelta(days=30)) == ()


def test_earlier_stays_count_toward_three_months():
    w = model.stay_warnings(household(), check_in=TODAY, authorised_to=TODAY + timedelta(days=30),
                            earlier_nights=70)
    assert w and "101 netter" in w[0]


def test_children_and_age_are_counted_on_the_day():
    h = household(age=30, children=(17,))
    assert h.children_on(TODAY) == 1 and h.children_on(date(TODAY.year + 1, 6, 1)) == 0
