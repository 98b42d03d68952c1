"""Matching's hard and soft rules, one by one (pure domain, no I/O)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from services.placement.domain import matching, model
from services.placement.domain.errors import Conflict, RuleBroken
from services.placement.domain.matching import Candidate

TODAY = date(2026, 11, 26)


def household(*, age=40, children=(), adults=1, **needs) -> model.HouseholdFacts:
    born = date(TODAY.year - age, 1, 1)
    return model.HouseholdFacts(born, tuple(date(TODAY.year - a, 1, 1) for a in children), adults, needs)


def decision(h=None, municipality="0301") -> model.GrantedDecision:
    return model.GrantedDecision(uuid4(), uuid4(), "nav-grunerlokka", municipality, None, "granted",
                                 TODAY - timedelta(days=1), TODAY + timedelta(days=30), h or household())


def provider(*, agreement_kind="framework", target_groups=(), price="900", sex=None, min_age=None, max_age=None,
             substance_free=False, municipality="0301", accommodation="temporary", inspection=None,
             name="Tilbyder", valid_to=None) -> model.Provider:
    return model.new_provider(
        name=name, orgnr="984286945", kind="private", municipality=municipality, district=None,
        address="Storgata 1", accommodation=accommodation,
        agreement=model.Agreement(agreement_kind, Decimal(price) if price else None, 0, date(2024, 1, 1), valid_to,
                                  tuple(target_groups)),
        limits=model.Limits(sex, min_age, max_age, substance_free)) if inspection is None else _with(
        provider(agreement_kind=agreement_kind, target_groups=target_groups, price=price, sex=sex,
                 min_age=min_age, max_age=max_age, substance_free=substance_free, municipality=municipality,
                 accommodation=accommodation, name=name, valid_to=valid_to), inspection)


def _with(p, inspection):
    p.inspection = inspection
    return p


GOOD = {"own_bath": True, "kitchen": "own", "laundry": True, "visits_allowed": True}


def unit(p, *, beds=4, **facilities) -> model.Unit:
    return model.new_unit(p, name="Enhet 1", beds=beds, facilities={**GOOD, **facilities})


def codes(d, c, night_shelter=False):
    return {r.code for r in matching.evaluate(d, c, check_in=TODAY, today=TODAY,
                                              night_shelter=night_shelter).refusals}


def flag_codes(d, c):
    return {r.code for r in matching.evaluate(d, c, check_in=TODAY, today=TODAY).flags}


def cand(p=None, u=None, **kw) -> Candidate:
    p = p or provider()
    return Candidate(p, u or unit(p), **kw)


# --- hard rules: each refuses once and allows once -------------------------------------------------------------

def test_capacity_refuses_a_taken_unit():
    assert "capacity" in codes(decision(), cand(households=1))


def test_capacity_allows_a_free_unit():
    assert codes(decision(), cand(households=0)) == set()


def test_beds_refuse_a_household_larger_than_the_unit():
    p = provider()
    assert "beds" in codes(decision(household(children=(5, 7, 9), adults=2)), cand(p, unit(p, beds=4)))


def test_beds_allow_a_family_of_four_in_four_beds():
    p = provider()
    assert codes(decision(household(children=(5, 7, 9))), cand(p, unit(p, beds=4))) == set()


def test_target_group_refuses_a_single_at_a_family_provider():
    assert "target_group" in codes(decision(household()), cand(provider(target_groups=("families",))))


def test_target_group_allows_a_family_at_a_family_provider():
    assert codes(decision(household(children=(6,))), cand(provider(target_groups=("families",)))) == set()


def test_target_group_puts_substance_use_in_group_one_not_singles():
    d = decision(household(substance_use=True))
    assert "target_group" in codes(d, cand(provider(target_groups=("singles_couples",))))
    assert codes(d, cand(provider(target_groups=("substance_use_low_boevne",)))) == set()


def test_sex_limit_refuses_a_man_at_a_women_only_place():
    assert "sex" in codes(decision(household(sex="male")), cand(provider(sex="women_only")))


def test_sex_limit_refuses_when_sex_is_not_registered():
    assert "sex" in codes(decision(household()), cand(provider(sex="women_only")))


def test_sex_limit_allows_a_woman_at_a_women_only_place():
    assert codes(decision(household(sex="female")), cand(provider(sex="women_only"))) == set()


def test_sex_limit_men_and_non_binary():
    p = provider(sex="men_and_non_binary_only")
    assert "sex" in codes(decision(household(sex="female")), cand(p))
    assert codes(decision(household(sex="non_binary")), cand(p)) == set()


def test_age_limit_refuses_a_22_year_old_where_the_limit_is_23():
    assert "age" in codes(decision(household(age=22)), cand(provider(min_age=23)))


def test_age_limit_allows_a_23_year_old():
    assert codes(decision(household(age=23)), cand(provider(min_age=23))) == set()


def test_age_limit_refuses_over_the_maximum_and_allows_inside():
    p = provider(min_age=18, max_age=24)
    assert "age" in codes(decision(household(age=25)), cand(p))
    assert codes(decision(household(age=24)), cand(p)) == set()


def test_substance_free_refuses_active_substance_use():
    assert "substance_free" in codes(decision(household(substance_use=True)), cand(provider(substance_free=True)))


def test_substance_free_allows_a_household_without():
    assert codes(decision(household()), cand(provider(substance_free=True))) == set()


def test_families_need_a_kitchen_refused_with_shared_kitchen():
    p = provider()
    assert "kitchen" in codes(decision(household(children=(4,))), cand(p, unit(p, kitchen="shared")))


def test_families_need_a_kitchen_allowed_with_own_kitchen():
    p = provider()
    assert codes(decision(household(children=(4,))), cand(p, unit(p, kitchen="own"))) == set()


def test_a_single_does_not_need_own_kitchen():
    p = provider()
    assert "kitchen" not in codes(decision(household()), cand(p, unit(p, kitchen="shared")))


def test_co_location_refuses_a_family_where_the_substance_group_lives():
    assert "co_location" in codes(decision(household(children=(4,))), cand(address_has_substance_group=True))


def test_co_location_refuses_the_substance_group_where_singles_live():
    assert "co_location" in codes(decision(household(low_boevne=True)), cand(address_has_others=True))


def test_co_location_allows_same_group_at_one_address():
    assert codes(decision(household(children=(4,))), cand(address_has_others=True)) == set()
    assert codes(decision(household(substance_use=True)), cand(address_has_substance_group=True)) == set()


def test_night_shelter_refused_unless_asked():
    assert "accommodation" in codes(decision(), cand(provider(accommodation="night_shelter")))


def test_night_shelter_allowed_when_asked_and_then_only_night_shelters():
    d = decision()
    assert codes(d, cand(provider(accommodation="night_shelter")), night_shelter=True) == set()
    assert "accommodation" in codes(d, cand(provider()), night_shelter=True)


def test_check_place_refuses_a_taken_unit_with_409():
    with pytest.raises(model.PlacementError) as err:
        matching.check_place(decision(), cand(households=1), check_in=TODAY, today=TODAY, justification=None)
    assert isinstance(err.value, Conflict) and err.value.field == "unit_id"  # answered 409


def test_check_place_refuses_a_hard_rule_even_with_justification():
    with pytest.raises(model.PlacementError) as err:
        matching.check_place(decision(household(age=20)), cand(provider(min_age=23)), check_in=TODAY, today=TODAY,
                             justification="Akutt")
    assert isinstance(err.value, RuleBroken) and "Aldersgrense" in str(err.value)  # answered 422


# --- soft rules: ranking and justification ---------------------------------------------------------------------

def ranked(d, *cands):
    fits, _ = matching.match(d, list(cands), check_in=TODAY, today=TODAY)
    return [m.provider.name for m in fits]


def current_inspection():
    return model.Inspection(TODAY - timedelta(days=10), "approved", TODAY + timedelta(days=20))


def test_agreement_first_even_when_dearer():
    d = decision()
    with_agreement = cand(provider(name="Avtale", price="1500"))
    without = cand(provider(name="Hotell", agreement_kind="none", price=None, inspection=current_inspection()))
    assert ranked(d, without, with_agreement) == ["Avtale", "Hotell"]
    assert "no_agreement" in flag_codes(d, without)


def test_an_expired_agreement_counts_as_none():
    p = provider(valid_to=TODAY - timedelta(days=1))
    assert "no_agreement" in flag_codes(decision(), cand(p))


def test_adequacy_ranks_a_complete_unit_first():
    d = decision()
    a, b = provider(name="Mangler vask"), provider(name="Komplett")
    assert ranked(d, cand(a, unit(a, laundry=False)), cand(b, unit(b))) == ["Komplett", "Mangler vask"]
    assert flag_codes(d, cand(a, unit(a, laundry=False))) == {"inadequate_laundry"}


def test_inspection_current_ranks_before_overdue():
    d = decision()
    overdue = model.Inspection(TODAY - timedelta(days=400), "approved", TODAY - timedelta(days=30))
    a = provider(name="Forfalt", agreement_kind="none", price="500", inspection=overdue)
    b = provider(name="Gyldig", agreement_kind="none", price="900", inspection=current_inspection())
    assert ranked(d, cand(a), cand(b)) == ["Gyldig", "Forfalt"]
    assert "inspection" in flag_codes(d, cand(a))
    assert "inspection" not in flag_codes(d, cand(b))


def test_same_municipality_ranks_first():
    d = decision(municipality="3203")
    away = provider(name="Drammen", municipality="3301", price="500")
    home = provider(name="Asker", municipality="3203", price="900")
    assert ranked(d, cand(away), cand(home)) == ["Asker", "Drammen"]
    assert flag_codes(d, cand(away)) == {"other_municipality"}


def test_price_ranks_cheaper_first_when_all_else_is_equal():
    d = decision()
    assert ranked(d, cand(provider(name="Dyr", price="1200")), cand(provider(name="Billig", price="700"))) == [
        "Billig", "Dyr"]


def test_a_soft_rule_override_needs_a_written_justification():
    c = cand(provider(agreement_kind="none", price=None, inspection=current_inspection()))
    with pytest.raises(model.PlacementError) as err:
        matching.check_place(decision(), c, check_in=TODAY, today=TODAY, justification="  ")
    assert err.value.field == "justification"


def test_the_justification_is_kept_on_the_stay():
    d = decision()
    c = cand(provider(agreement_kind="none", price=None, inspection=current_inspection()))
    m = matching.check_place(d, c, check_in=TODAY, today=TODAY, justification="Ingen avtaleplass ledig i natt.")
    stay = model.place(d, m.provider, m.unit, check_in=TODAY, justification="Ingen avtaleplass ledig i natt.",
                       at=datetime(2026, 11, 26, tzinfo=UTC))
    assert stay.justification == "Ingen avtaleplass ledig i natt."


def test_no_justification_needed_when_no_soft_rule_is_broken():
    m = matching.check_place(decision(), cand(), check_in=TODAY, today=TODAY, justification=None)
    assert m.flags == ()


def test_left_out_places_carry_their_reasons():
    fits, left_out = matching.match(decision(household(age=20)), [cand(provider(min_age=23)), cand()],
                                    check_in=TODAY, today=TODAY)
    assert len(fits) == 1 and [r.code for r in left_out[0].refusals] == ["age"]


def test_adequacy_is_not_asked_of_a_night_shelter():
    p = provider(accommodation="night_shelter", agreement_kind="operating", price=None)
    c = cand(p, unit(p, own_bath=False, kitchen="none", visits_allowed=False))
    assert {r.code for r in matching.evaluate(decision(), c, check_in=TODAY, today=TODAY,
                                              night_shelter=True).flags} == set()
