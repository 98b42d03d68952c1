"""Placement's use cases through the message bus on the fake unit of work: what is kept, what goes out on the
wire, and that a refused command leaves nothing behind."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

import contracts
from contracts import Envelope
from services.placement.domain import commands
from services.placement.domain.errors import Conflict, NotFound, RuleBroken
from services.placement.entrypoints.kafka import EVENT_TABLE
from tests.unit.placement.world import World

WHY = "Ingen avtaleplass ledig i natt; Kari trenger et sted å bo."


async def test_placing_takes_the_unit_and_announces_the_stay():
    world = World()
    _, [unit] = await world.provider()
    d = await world.decision()
    placed = await world.bus.handle(commands.PlaceHousehold(d.decision_id, unit.id, world.today))
    assert world.occupied(unit.id) == 1
    [event] = world.published(contracts.HouseholdPlaced)
    assert (event["stay_id"], event["unit_id"], event["price_per_night"]) == (str(placed.stay.id), str(unit.id),
                                                                              "900.00")
    assert event["justified"] is False and event["justified_rules"] == []
    assert world.published(contracts.CapacityChanged)[-1]["households"] == 1


async def test_the_placement_names_the_case_worker_and_the_decisions_conditions_for_the_requisition():
    world = World()
    _, [unit] = await world.provider()
    d = await world.decision()
    world.tables.decisions[d.decision_id].conditions = ("boligskole",)
    placed = await world.bus.handle(commands.PlaceHousehold(d.decision_id, unit.id, world.today, None, False,
                                                            "veileder-grunerlokka", "Kari Veileder"))
    assert (placed.stay.placed_by, placed.stay.placed_by_name) == ("veileder-grunerlokka", "Kari Veileder")
    [event] = world.published(contracts.HouseholdPlaced)
    assert (event["placed_by"], event["placed_by_name"], event["conditions"]) == (
        "veileder-grunerlokka", "Kari Veileder", ["boligskole"])


async def test_a_justified_override_sends_the_rules_it_covers_and_never_the_text():
    world = World()
    _, [unit] = await world.provider(agreement_kind="none", price=None)
    d = await world.decision()
    placed = await world.bus.handle(commands.PlaceHousehold(d.decision_id, unit.id, world.today, WHY))
    assert placed.stay.justification == WHY  # kept in placement
    assert placed.stay.justified_rules == ("no_agreement",)
    [event] = world.published(contracts.HouseholdPlaced)
    assert event["justified"] is True and event["justified_rules"] == ["no_agreement"]
    assert event["justification"] is None
    assert all("Kari" not in e.body().decode() for e in world.uow.published)


async def test_a_soft_rule_without_justification_is_refused_and_nothing_is_kept():
    world = World()
    _, [unit] = await world.provider(agreement_kind="none", price=None)
    d = await world.decision()
    before = len(world.uow.published)
    with pytest.raises(RuleBroken) as err:
        await world.bus.handle(commands.PlaceHousehold(d.decision_id, unit.id, world.today, "   "))
    assert err.value.field == "justification"
    assert world.tables.stays == {} and len(world.uow.published) == before


async def test_a_justification_with_a_nul_byte_is_refused_naming_it():
    world = World()
    _, [unit] = await world.provider(agreement_kind="none", price=None)
    d = await world.decision()
    with pytest.raises(RuleBroken) as err:
        await world.bus.handle(commands.PlaceHousehold(d.decision_id, unit.id, world.today, "Akutt\x00"))
    assert err.value.field == "justification" and "kontrolltegn" in str(err.value)
    assert world.tables.stays == {}


async def test_a_taken_unit_is_a_conflict_and_a_household_lives_in_one_place():
    world = World()
    stay, unit = await world.placed()
    other = await world.decision()
    with pytest.raises(Conflict) as err:
        await world.bus.handle(commands.PlaceHousehold(other.decision_id, unit.id, world.today))
    assert err.value.field == "unit_id"
    _, [free] = await world.provider()
    again = await world.decision(household_id=stay.household_id)
    with pytest.raises(Conflict) as err:
        await world.bus.handle(commands.PlaceHousehold(again.decision_id, free.id, world.today))
    assert err.value.field == "decision_id" and world.occupied(free.id) == 0


async def test_an_unknown_unit_or_decision_is_not_found():
    world = World()
    d = await world.decision()
    with pytest.raises(NotFound) as err:
        await world.bus.handle(commands.PlaceHousehold(d.decision_id, uuid4(), world.today))
    assert err.value.field == "unit_id"
    with pytest.raises(NotFound) as err:
        await world.bus.handle(commands.PlaceHousehold(uuid4(), uuid4(), world.today))
    assert err.value.field == "decision_id"


async def test_a_move_closes_the_old_stay_and_opens_the_new_one_in_order():
    world = World()
    stay, old_unit = await world.placed()
    _, [new_unit] = await world.provider()
    placed = await world.bus.handle(commands.MoveToOtherProvider(stay.id, new_unit.id, world.today))
    old = await world.queries.stay(stay.id)
    assert (old.check_out, old.destination) == (world.today, "moved_to_other_provider")
    assert placed.stay.moved_from_stay_id == stay.id and placed.stay.authorised_to == stay.authorised_to
    assert (world.occupied(old_unit.id), world.occupied(new_unit.id)) == (0, 1)
    kinds = [e.type for e in world.uow.published[-4:]]
    assert kinds == [contracts.HouseholdMovedOut.event_type, contracts.CapacityChanged.event_type,
                     contracts.HouseholdPlaced.event_type, contracts.CapacityChanged.event_type]


async def test_an_extension_follows_the_new_decision():
    world = World()
    stay, _ = await world.placed()
    later = await world.decision(household_id=stay.household_id, start=31, end=80)
    extended = await world.bus.handle(commands.ExtendStay(stay.id, later.decision_id))
    assert extended.authorised_to == later.period_to
    [event] = world.published(contracts.StayExtended)
    assert event["authorised_to"] == str(later.period_to)
    assert len(await world.queries.extensions_of(stay.id)) == 1


def decision_made(decision_id, household_id, *, period, extends=None) -> Envelope:
    return Envelope.wrap(contracts.DecisionMade(
        decision_id=decision_id, application_id=uuid4(), household_id=household_id, office_id="nav-grunerlokka",
        municipality="0301",
        outcome="granted", period_from=period[0], period_to=period[1], extends_decision_id=extends,
        household=contracts.HouseholdFacts(applicant_birth_date="1980-05-05"),
        decided_at="2026-11-26T10:00:00+00:00"), source="/botilbud/intake", correlation_id="test")


async def test_an_incoming_decision_is_kept_once_and_an_extending_one_extends_the_stay():
    world = World()
    stay, _ = await world.placed()
    to_command = EVENT_TABLE[contracts.DecisionMade]
    extending = decision_made(uuid4(), stay.household_id, extends=stay.decision_id,
                              period=(stay.authorised_to + timedelta(days=1), stay.authorised_to + timedelta(days=40)))
    for _ in range(2):  # a redelivery changes nothing: the bus claims the event in the inbox
        await world.bus.handle(to_command(extending), event_id=extending.id)
    assert (await world.queries.stay(stay.id)).authorised_to == stay.authorised_to + timedelta(days=40)
    assert len(world.published(contracts.StayExtended)) == 1
    assert len(await world.queries.extensions_of(stay.id)) == 1


@pytest.mark.parametrize(("price", "words"), [
    ("1e999", "over 100 000"), ("12345678901234567890", "over 100 000"), ("0.0000000001", "hele øre"),
    ("-1", "negativ"), ("NaN", "et tall"), ("100000.01", "over 100 000")])
async def test_a_price_per_night_outside_what_consumers_store_is_refused(price, words):
    world = World()
    with pytest.raises(RuleBroken) as err:
        await world.bus.handle(commands.RegisterProvider("Hotellet", "810000007", "private", "0301", None,
                                                         "Gata 1", "temporary", "framework", Decimal(price)))
    assert err.value.field == "agreement.price_per_night" and words in str(err.value)
    assert world.tables.providers == {}


async def test_the_highest_price_in_whole_ore_is_kept_and_announced():
    world = World()
    p = await world.bus.handle(commands.RegisterProvider("Hotellet", "810000007", "private", "0301", None,
                                                         "Gata 1", "temporary", "framework", Decimal("100000.00")))
    assert p.price_per_night == Decimal("100000.00")
    [event] = world.published(contracts.ProviderRegistered)
    assert event["agreement"]["price_per_night"] == "100000.00"


@pytest.mark.parametrize(("beds", "words"), [(0, "minst én seng"), (1001, "høyst 1000"), (10**12, "høyst 1000")])
async def test_beds_are_bounded(beds, words):
    world = World()
    p, _ = await world.provider(units=0)
    with pytest.raises(RuleBroken) as err:
        await world.bus.handle(commands.RegisterUnit(p.id, "Rom", beds))
    assert err.value.field == "beds" and words in str(err.value)


async def test_fixed_places_are_bounded():
    world = World()
    with pytest.raises(RuleBroken) as err:
        await world.bus.handle(commands.RegisterProvider("Hotellet", "810000007", "private", "0301", None, "Gata 1",
                                                         "temporary", "framework", None, 10**9))
    assert err.value.field == "agreement.fixed_places"


def inspection(p, checklist: dict) -> commands.RecordInspection:
    day = p.agreement.valid_from
    return commands.RecordInspection(p.id, day, "approved", day + timedelta(days=30), checklist)


@pytest.mark.parametrize(("field", "cmd"), [
    ("name", lambda p: commands.RegisterUnit(p.id, "Rom\x00", 1)),
    ("address", lambda p: commands.RegisterUnit(p.id, "Rom", 1, "Gata\x1b 1")),
    ("facilities.staffed_hours", lambda p: commands.RegisterUnit(p.id, "Rom", 1, None, {"staffed_hours": "24/7\x00"})),
    ("checklist", lambda p: inspection(p, {"brann\x00": True})),
    ("checklist", lambda p: inspection(p, {"x" * 5000: True})),
    ("checklist", lambda p: inspection(p, {"fire_safety": "ja"})),
])
async def test_control_characters_and_long_keys_are_refused_naming_the_field(field, cmd):
    world = World()
    p, _ = await world.provider(units=0)
    with pytest.raises(RuleBroken) as err:
        await world.bus.handle(cmd(p))
    assert err.value.field == field
    assert world.tables.units == {} and world.tables.inspections == []


async def test_a_provider_name_with_a_nul_byte_is_refused():
    world = World()
    with pytest.raises(RuleBroken) as err:
        await world.bus.handle(commands.RegisterProvider("Hotell\x00et", "810000007", "private", "0301", None,
                                                         "Gata 1", "temporary"))
    assert err.value.field == "name"


async def test_changing_beds_announces_the_unit_and_its_capacity():
    world = World()
    stay, unit = await world.placed()
    changed = await world.bus.handle(commands.ChangeUnit(unit.id, beds=3))
    assert changed.beds == 3
    assert world.published(contracts.UnitChanged)[-1]["beds"] == 3
    capacity = world.published(contracts.CapacityChanged)[-1]
    assert (capacity["beds"], capacity["households"], capacity["occupied"]) == (3, 1, 3)


async def test_the_reference_data_is_loaded_once():
    import json

    from services.placement.bootstrap import REFERENCE_FILE

    world = World()
    reference = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    assert await world.bus.handle(commands.LoadReferenceProviders(reference)) == len(reference["providers"])
    assert await world.bus.handle(commands.LoadReferenceProviders(reference)) == 0
    assert len(world.tables.providers) == len(reference["providers"])
    assert len(world.published(contracts.ProviderRegistered)) == len(reference["providers"])
    assert len(world.tables.units) > len(reference["providers"])


async def test_the_providers_mailbox_for_requisitions_goes_to_billing_on_its_events():
    world = World()
    p = await world.bus.handle(commands.RegisterProvider("Bosenter AS", next(world._orgnrs), "private", "0301",
                                                         None, "Gata 1", "temporary", email="booking@bo.example"))
    await world.bus.handle(commands.ChangeProvider(p.id, commands.RegisterProvider(
        "Bosenter AS", p.orgnr, "private", "0301", None, "Gata 1", "temporary", email="post@bo.example")))
    assert [e["email"] for e in world.published(contracts.ProviderRegistered)] == ["booking@bo.example"]
    assert [e["email"] for e in world.published(contracts.ProviderChanged)] == ["post@bo.example"]
