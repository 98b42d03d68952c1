"""Households as pure domain rules: registering, what another office may not change, transfers."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from services.intake.domain.errors import Conflict, Forbidden, RuleBroken
from services.intake.domain.model import Actor, Application, Household, HouseholdDetails, Office, transfer

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
FALKENBORG = Office("nav-falkenborg", "Nav Falkenborg", "5001", None)
GRUNERLOKKA = Office("nav-grunerlokka", "Nav Grünerløkka", "0301", "Grünerløkka", True)
LEADER = Actor("leder-grunerlokka", "office_leader", "nav-grunerlokka")


def falkenborg_household() -> Household:
    return Household.register(FALKENBORG, "01818400023", date(1984, 1, 1),
                              HouseholdDetails("Kari Falk", phone="40000001", address="Gata 1"))


def test_register_keeps_the_details_and_a_household_with_no_fixed_address_has_no_address():
    h = Household.register(FALKENBORG, "01818400023", date(1984, 1, 1),
                           HouseholdDetails(" Kari Falk ", (date(2020, 1, 1),), 2, {"needs_kitchen": True},
                                            "norsk", "40000001", "Gata 1", no_fixed_address=True))
    assert (h.name, h.adults, h.children_birth_dates, h.address, h.phone) == (
        "Kari Falk", 2, [date(2020, 1, 1)], None, "40000001")


def test_another_office_cannot_change_a_household_and_learns_nothing_of_it():
    h = falkenborg_household()
    before = (h.name, h.phone, h.address, h.office_id)
    with pytest.raises(Conflict) as err:
        h.update(HouseholdDetails("Noen Annen"), at=GRUNERLOKKA)
    assert (h.name, h.phone, h.address, h.office_id) == before
    message = str(err.value)
    assert err.value.field == "identity_number" and "overføre" in message
    assert "Kari" not in message and "Falkenborg" not in message and "nav-falkenborg" not in message


def test_an_application_is_received_only_at_the_households_office():
    with pytest.raises(Conflict):
        Application.receive(household=falkenborg_household(), office=GRUNERLOKKA, received_at=NOW,
                            channel="phone", urgent=True, now=NOW)


def test_a_new_application_records_its_event():
    h = falkenborg_household()
    a = Application.receive(household=h, office=FALKENBORG, received_at=NOW, channel="phone", urgent=True, now=NOW)
    [event] = a.events
    assert (event.application, event.household, event.office) == (a, h, FALKENBORG)


def test_a_name_is_required():
    with pytest.raises(RuleBroken) as err:
        Household.register(FALKENBORG, "01818400023", date(1984, 1, 1), HouseholdDetails("  "))
    assert err.value.field == "name"


def test_a_leader_transfers_a_household_to_their_office_and_both_offices_log_it():
    h = falkenborg_household()
    moved, entries = transfer(h, GRUNERLOKKA, open_at_old_office=False, by=LEADER, at=NOW,
                              reason="Flyttet til Oslo.", from_name=FALKENBORG.name)
    assert h.office_id == "nav-grunerlokka"
    assert (moved.from_office_id, moved.to_office_id, moved.reason) == ("nav-falkenborg", "nav-grunerlokka",
                                                                         "Flyttet til Oslo.")
    assert sorted(e.office_id for e in entries) == ["nav-falkenborg", "nav-grunerlokka"]
    assert {e.action for e in entries} == {"transfer"}
    assert all("Flyttet" not in e.purpose for e in entries)  # the reason is free text: kept encrypted apart
    assert {e.purpose for e in entries} == {f"Overføring av husstanden fra {FALKENBORG.name} til {GRUNERLOKKA.name}"}


@pytest.mark.parametrize("change, error, field", [
    ({"open_at_old_office": True}, Conflict, "identity_number"),
    ({"reason": " "}, RuleBroken, "reason"),
    ({"by": Actor("leder-bodo", "office_leader", "nav-bodo")}, Forbidden, None),
])
def test_a_transfer_is_refused(change, error, field):
    h = falkenborg_household()
    kwargs = {"open_at_old_office": False, "by": LEADER, "at": NOW, "reason": "Flyttet.", **change}
    with pytest.raises(error) as err:
        transfer(h, GRUNERLOKKA, **kwargs)
    assert err.value.field == field
    assert h.office_id == "nav-falkenborg"


def test_a_household_already_at_the_office_is_not_transferred():
    with pytest.raises(Conflict, match="allerede"):
        transfer(falkenborg_household(), FALKENBORG, open_at_old_office=False,
                 by=Actor("admin", "admin", None), at=NOW, reason="x")


def test_an_open_application_or_a_current_decision_counts_as_open():
    from services.intake.domain.decisions import Decision

    a = Application(uuid4(), uuid4(), "nav-falkenborg", NOW, "phone", False)
    assert a.is_open
    a.status = "decided"
    assert not a.is_open
    d = Decision(uuid4(), a.id, a.household_id, "nav-falkenborg", "granted", NOW.date(),
                 NOW.date() + timedelta(days=10), NOW, "v")
    assert d.is_current(NOW.date() + timedelta(days=10)) and not d.is_current(NOW.date() + timedelta(days=11))
    d.outcome = "refused"
    assert not d.is_current(NOW.date())
