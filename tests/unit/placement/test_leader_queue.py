"""The leader's queue, placement's part, in the pure domain: which placements and extensions a leader should see."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from services.placement.domain import leader_queue, model
from tests.unit.placement.test_matching import TODAY, decision, household, provider, unit

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
EXTENDED = leader_queue.LatestExtension(uuid4(), date(2026, 12, 20))


def stay(h=None, *, days=30, justification=None, rules=()) -> model.Stay:
    d = decision(h)
    d.period_to = TODAY + timedelta(days=days)
    p = provider()
    return model.place(d, p, unit(p), check_in=TODAY, at=NOW, justification=justification, justified_rules=rules)


def kinds(items) -> list[tuple[str, tuple[str, ...]]]:
    return [(i.kind, i.reasons) for i in items]


def test_an_ordinary_placement_is_no_leaders_business():
    assert leader_queue.items_of(stay(), None) == []
    assert leader_queue.items_of(stay(household(children=(5,))), None) == []  # a family, within three months
    assert leader_queue.items_of(stay(days=120), None) == []  # past three months, but no family or young person


def test_a_justified_placement_is_shown_with_the_rules_set_aside():
    s = stay(justification="Ingen ledig plass med avtale i kveld.", rules=("no_agreement", "inadequate_laundry"))
    (item,) = leader_queue.items_of(s, None)
    assert (item.item_id, item.kind, item.at) == (s.id, "placement", TODAY)
    assert item.reasons == ("Plassert uten gyldig avtale", "Mangler vaskemulighet (forsvarlighet)")


def test_a_family_or_young_person_past_three_months_is_shown_at_placement_or_at_its_extension():
    family = stay(household(children=(5,)), days=120)
    assert kinds(leader_queue.items_of(family, None)) == [("placement", (leader_queue.FAMILY_PAST_THREE_MONTHS_NB,))]
    young = stay(household(age=20), days=120)
    (item,) = leader_queue.items_of(young, EXTENDED)  # the period now is the extension's
    assert (item.item_id, item.kind, item.at) == (EXTENDED.id, "extension", EXTENDED.extended_on)


def test_a_justified_placement_later_extended_past_three_months_gives_two_items():
    s = stay(household(children=(5,)), days=120, justification="Nødsituasjon.", rules=("other_municipality",))
    assert kinds(leader_queue.items_of(s, EXTENDED)) == [
        ("placement", ("Plassert utenfor kommunen",)), ("extension", (leader_queue.FAMILY_PAST_THREE_MONTHS_NB,))]


def test_the_warning_that_marks_a_family_past_three_months_is_the_one_stays_get():
    assert model.family_past_three_months(stay(household(children=(5,)), days=120).warnings)
    assert not model.family_past_three_months(stay(household(children=(5,)), days=30).warnings)
