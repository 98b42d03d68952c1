"""Intake's handlers through the bus on a fake unit of work: what is stored, audited and published."""

from datetime import date, timedelta

import pytest

from services.intake.domain import commands as c
from services.intake.domain.decisions import DecisionTerms
from services.intake.domain.errors import Conflict, Forbidden, NotFound, RuleBroken
from services.intake.domain.identity import synthetic_identity_number
from services.intake.domain.model import Actor, HouseholdDetails
from tests.unit.intake.fakes import NOW, Intake

RECEIVED = "botilbud.intake.application-received.v1"
DECIDED = "botilbud.intake.decision-made.v1"
FALKENBORG = Actor("veileder-falkenborg", "case_worker", "nav-falkenborg")
FALKENBORG_LEADER = Actor("leder-falkenborg", "office_leader", "nav-falkenborg")
GRUNERLOKKA = Actor("veileder-grunerlokka", "case_worker", "nav-grunerlokka")
GRUNERLOKKA_LEADER = Actor("leder-grunerlokka", "office_leader", "nav-grunerlokka")
BODO = Actor("veileder-bodo", "case_worker", "nav-bodo")
BODO_LEADER = Actor("leder-bodo", "office_leader", "nav-bodo")
NUMBER = synthetic_identity_number(date(1984, 3, 9))
TODAY = NOW.date()


def apply(actor: Actor, number: str = NUMBER, name: str = "Kari Falk", **details) -> c.ReceiveApplication:
    return c.ReceiveApplication(actor, number, actor.office_id, HouseholdDetails(name, **details))


def granted(days: int, start: date = TODAY) -> DecisionTerms:
    return DecisionTerms("granted", start, start + timedelta(days=days - 1))


@pytest.fixture
def intake() -> Intake:
    return Intake()


async def test_a_new_household_and_the_same_person_again(intake):
    first = await intake.handle(apply(FALKENBORG, phone="40000001"))
    again = await intake.handle(apply(FALKENBORG, name="Kari Falk-Hansen"))
    assert (first.new_household, again.new_household) == (True, False)
    assert again.household_id == first.household_id
    [h] = intake.store.households.values()
    assert (h.name, h.phone) == ("Kari Falk-Hansen", None)  # the own office's newest registration holds
    assert intake.published == [RECEIVED, RECEIVED]
    assert all(a.received_at == NOW and a.registered_by == "veileder-falkenborg"
               for a in intake.store.applications.values())


async def test_another_office_does_not_change_the_household_and_nothing_is_written(intake):
    await intake.handle(apply(FALKENBORG, phone="40000001", address="Gata 1"))
    before = (intake.store.households.copy(), intake.store.applications.copy(), intake.published)
    with pytest.raises(Conflict) as err:
        await intake.handle(apply(GRUNERLOKKA, name="Noen Annen"))
    assert err.value.field == "identity_number" and "overføre" in str(err.value)
    [h] = intake.store.households.values()
    assert (h.name, h.phone, h.address, h.office_id) == ("Kari Falk", "40000001", "Gata 1", "nav-falkenborg")
    assert (intake.store.households, intake.store.applications, intake.published) == before


async def test_a_case_worker_registers_only_at_their_own_office(intake):
    with pytest.raises(Forbidden):
        await intake.handle(c.ReceiveApplication(BODO, NUMBER, "nav-falkenborg", HouseholdDetails("Kari")))
    assert not intake.store.households


async def test_lookup_finds_only_the_own_offices_household_and_is_audited_either_way(intake):
    created = await intake.handle(apply(FALKENBORG))
    found = await intake.handle(c.LookupHousehold(FALKENBORG, NUMBER, "Ny søknad"))
    missed = await intake.handle(c.LookupHousehold(BODO, NUMBER, "Ny søknad"))
    assert found.household.id == created.household_id and missed is None
    assert [(e.username, e.office_id, e.household_id) for e in intake.store.audit] == [
        ("veileder-falkenborg", "nav-falkenborg", created.household_id), ("veileder-bodo", "nav-bodo", None)]


async def test_viewing_a_case_is_audited_and_another_office_is_refused(intake):
    created = await intake.handle(apply(FALKENBORG))
    case = await intake.handle(c.ViewCase(FALKENBORG, created.application_id, "Saksbehandling"))
    assert case.household.name == "Kari Falk"
    with pytest.raises(Forbidden):
        await intake.handle(c.ViewCase(BODO, created.application_id, "Nysgjerrig"))
    with pytest.raises(RuleBroken) as err:
        await intake.handle(c.ViewCase(FALKENBORG, created.application_id, " "))
    assert err.value.field == "purpose"
    assert [e.action for e in intake.store.audit] == ["view_case"]


async def test_a_decision_takes_effect_at_once_or_after_the_second_approval(intake):
    plain = await intake.handle(apply(FALKENBORG))
    decision = await intake.handle(c.MakeDecision(FALKENBORG, plain.application_id, granted(30)))
    assert decision.status == "in_effect" and decision.appeal_deadline == TODAY + timedelta(weeks=3)
    two_step = await intake.handle(apply(GRUNERLOKKA, synthetic_identity_number(date(1990, 1, 1))))
    pending = await intake.handle(c.MakeDecision(GRUNERLOKKA, two_step.application_id, granted(30)))
    assert pending.status == "awaiting_approval" and intake.published.count(DECIDED) == 1
    approved = await intake.handle(c.ApproveDecision(GRUNERLOKKA_LEADER, pending.id))
    assert approved.status == "in_effect" and intake.published.count(DECIDED) == 2
    assert intake.store.applications[two_step.application_id].status == "decided"


async def test_a_family_past_three_months_needs_a_leaders_written_justification(intake):
    child = date(2019, 5, 1)
    family = await intake.handle(apply(FALKENBORG, children_birth_dates=(child,)))
    pending = await intake.handle(c.MakeDecision(FALKENBORG, family.application_id, granted(100)))
    assert pending.status == "awaiting_approval" and pending.needs_leader_justification
    assert DECIDED not in intake.published
    with pytest.raises(RuleBroken) as err:
        await intake.handle(c.ApproveDecision(FALKENBORG_LEADER, pending.id))
    assert err.value.field == "justification"
    assert intake.store.decisions[pending.id].status == "awaiting_approval" and DECIDED not in intake.published
    approved = await intake.handle(c.ApproveDecision(FALKENBORG_LEADER, pending.id, "Barna står ellers uten tak."))
    assert intake.store.decisions[pending.id].leader_justification == "Barna står ellers uten tak."
    assert approved.status == "in_effect" and intake.published.count(DECIDED) == 1


async def test_an_extension_of_a_young_applicant_past_three_months_waits_for_a_leader(intake):
    young = await intake.handle(apply(FALKENBORG, synthetic_identity_number(date(2005, 2, 1))))
    first = await intake.handle(c.MakeDecision(FALKENBORG, young.application_id, granted(60)))
    ext = await intake.handle(c.ExtendDecision(FALKENBORG, first.id, first.period_to + timedelta(days=40),
                                               justification="Saksbehandler mener det trengs."))
    assert (ext.status, ext.warnings) == ("awaiting_approval", ["over_three_months", "young_applicant"])
    assert intake.published.count(DECIDED) == 1
    # While it waits, the earlier decision holds and the application stays decided.
    assert intake.store.applications[young.application_id].status == "awaiting_approval"
    with pytest.raises(Conflict):
        await intake.handle(c.ApproveDecision(Actor("veileder-falkenborg", "office_leader", "nav-falkenborg"),
                                              ext.id, "Samme person som fattet det."))


async def test_return_and_missing_things(intake):
    created = await intake.handle(apply(GRUNERLOKKA))
    pending = await intake.handle(c.MakeDecision(GRUNERLOKKA, created.application_id, granted(20)))
    returned = await intake.handle(c.ReturnDecision(GRUNERLOKKA_LEADER, pending.id, "Se på perioden."))
    assert returned.status == "returned" and intake.store.applications[created.application_id].status == "received"
    with pytest.raises(NotFound):
        await intake.handle(c.ApproveDecision(GRUNERLOKKA_LEADER, created.application_id))
    with pytest.raises(Forbidden):
        await intake.handle(c.ReturnDecision(BODO_LEADER, pending.id, "x"))


async def _finished_falkenborg_case(intake, days_ago: int = 40) -> None:
    created = await intake.handle(apply(FALKENBORG, phone="40000001"))
    start = TODAY - timedelta(days=days_ago)
    await intake.handle(c.MakeDecision(FALKENBORG, created.application_id, granted(20, start)))


async def test_a_leader_transfers_a_household_and_grunerlokka_can_then_register(intake):
    await _finished_falkenborg_case(intake)
    moved = await intake.handle(c.TransferHousehold(GRUNERLOKKA_LEADER, NUMBER, None, "Har flyttet til Oslo."))
    assert (moved.from_office_id, moved.to_office_id) == ("nav-falkenborg", "nav-grunerlokka")
    [h] = intake.store.households.values()
    assert h.office_id == "nav-grunerlokka" and h.phone == "40000001"
    [t] = intake.store.transfers
    assert (t.reason, t.transferred_by) == ("Har flyttet til Oslo.", "leder-grunerlokka")
    assert sorted(e.office_id for e in intake.store.audit if e.action == "transfer") == [
        "nav-falkenborg", "nav-grunerlokka"]
    again = await intake.handle(apply(GRUNERLOKKA, name="Kari Falk", phone="40000002"))
    assert again.new_household is False
    # Falkenborg still sees its own case and history, and only its own.
    [falkenborg_app] = [a for a in intake.store.applications.values() if a.office_id == "nav-falkenborg"]
    case = await intake.handle(c.ViewCase(FALKENBORG, falkenborg_app.id, "Oppfølging"))
    history = await intake.handle(c.ViewHousehold(FALKENBORG, h.id, "Oppfølging"))
    assert case.application.office_id == "nav-falkenborg"
    assert {a.office_id for a in history.applications} == {"nav-falkenborg"}
    grunerlokka_history = await intake.handle(c.ViewHousehold(GRUNERLOKKA, h.id, "Ny sak"))
    assert {a.office_id for a in grunerlokka_history.applications} == {"nav-grunerlokka"}


async def test_a_transfer_is_refused_while_the_old_office_has_an_open_case(intake):
    created = await intake.handle(apply(FALKENBORG))
    with pytest.raises(Conflict, match="åpen søknad"):
        await intake.handle(c.TransferHousehold(GRUNERLOKKA_LEADER, NUMBER, None, "Flyttet."))
    await intake.handle(c.MakeDecision(FALKENBORG, created.application_id, granted(30)))  # runs until next month
    with pytest.raises(Conflict, match="vedtak som fortsatt gjelder"):
        await intake.handle(c.TransferHousehold(GRUNERLOKKA_LEADER, NUMBER, None, "Flyttet."))
    assert [h.office_id for h in intake.store.households.values()] == ["nav-falkenborg"]
    assert not intake.store.transfers and not intake.store.audit


async def test_transfer_refusals_name_the_field(intake):
    await _finished_falkenborg_case(intake)
    with pytest.raises(NotFound) as err:
        await intake.handle(c.TransferHousehold(GRUNERLOKKA_LEADER, synthetic_identity_number(date(1970, 1, 1)),
                                                None, "Flyttet."))
    assert err.value.field == "identity_number"
    with pytest.raises(Forbidden):
        await intake.handle(c.TransferHousehold(GRUNERLOKKA_LEADER, NUMBER, "nav-bodo", "Flyttet."))
    admin = Actor("admin", "admin", None)
    with pytest.raises(RuleBroken) as err:
        await intake.handle(c.TransferHousehold(admin, NUMBER, None, "Flyttet."))
    assert err.value.field == "to_office_id"
    moved = await intake.handle(c.TransferHousehold(admin, NUMBER, "nav-bodo", "Flyttet til Bodø."))
    assert moved.to_office_id == "nav-bodo"


async def test_the_clock_is_the_handlers(intake):
    intake.now = NOW.replace(hour=23, minute=30)  # 00:30 the next day in Oslo
    created = await intake.handle(apply(FALKENBORG))
    decision = await intake.handle(c.MakeDecision(FALKENBORG, created.application_id, granted(10)))
    assert decision.decided_at == intake.now
    assert decision.appeal_deadline == TODAY + timedelta(days=1, weeks=3)
