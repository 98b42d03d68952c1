"""Decisions as pure domain rules: outcome and period, warnings, appeal deadline, second approval, extension."""

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from services.intake.domain import decisions as model
from services.intake.domain.decisions import DecisionTerms
from services.intake.domain.errors import Conflict, RuleBroken
from services.intake.domain.model import Application, Household, Office

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
PLAIN = Office("nav-bodo", "Nav Bodø", "1804", None, False)
TWO_STEP = Office("nav-grunerlokka", "Nav Grünerløkka", "0301", "Grünerløkka", True)


def household(office=PLAIN, birth=date(1980, 1, 1), children=()):
    return Household(uuid4(), office.id, birth, list(children))


def application(h, office=PLAIN):
    return Application.receive(household=h, office=office, received_at=NOW, channel="in_person", urgent=True,
                               now=NOW)


def granted(days=30, start=date(2026, 12, 1), **kw):
    return DecisionTerms("granted", start, start + timedelta(days=days - 1), **kw)


def test_granted_at_an_ordinary_office_takes_effect_at_once():
    h = household()
    a = application(h)
    d = model.decide(a, h, PLAIN, granted(conditions=("boligskole",), consequence="Nytt vedtak."),
                             decided_by="v", decided_at=NOW)
    assert (d.status, a.status, d.nights, d.warnings) == ("in_effect", "decided", 30, [])
    assert d.appeal_deadline == date(2026, 12, 17)  # three weeks
    assert d.legal_basis == model.LEGAL_BASIS
    assert [type(e) for e in d.events] == [model.DecisionMade]


def test_a_decision_made_just_after_midnight_in_norway_counts_its_appeal_from_that_day():
    h = household()
    a = application(h)
    half_past_midnight_in_oslo = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)  # 27.11 in Norway
    d = model.decide(a, h, PLAIN, granted(), decided_by="v", decided_at=half_past_midnight_in_oslo)
    assert d.appeal_deadline == date(2026, 12, 18)  # three weeks from 27.11, not from UTC's 26.11


def test_a_refusal_needs_a_reason_and_has_no_period():
    h = household()
    a = application(h)
    with pytest.raises(RuleBroken) as err:
        model.decide(a, h, PLAIN, DecisionTerms("refused", None, None), decided_by="v", decided_at=NOW)
    assert err.value.field == "refusal_reason"
    d = model.decide(a, h, PLAIN, DecisionTerms("refused", date(2026, 1, 1), date(2026, 2, 1),
                                                   refusal_reason="Har annet tilbud."), decided_by="v", decided_at=NOW)
    assert (d.period_from, d.period_to, d.nights) == (None, None, 0)


@pytest.mark.parametrize("terms, field", [
    (DecisionTerms("granted", None, date(2026, 12, 1)), "period_from"),
    (DecisionTerms("granted", date(2026, 12, 1), None), "period_to"),
    (DecisionTerms("granted", date(2026, 12, 10), date(2026, 12, 1)), "period_to"),
    (DecisionTerms("granted", date(2026, 1, 1), date(2027, 6, 1)), "period_to"),
    (DecisionTerms("maybe", None, None), "outcome"),
    (DecisionTerms("granted", date(2026, 12, 1), date(2026, 12, 2), ("dance",)), "conditions"),
    (DecisionTerms("granted", date(2026, 12, 1), date(2026, 12, 2), legal_basis=" "), "legal_basis"),
])
def test_bad_terms_name_the_field(terms, field):
    h = household()
    a = application(h)
    with pytest.raises(RuleBroken) as err:
        model.decide(a, h, PLAIN, terms, decided_by="v", decided_at=NOW)
    assert err.value.field == field
    assert a.status == "received"


def test_warnings_children_young_and_three_months():
    family = household(birth=date(2003, 5, 1), children=[date(2020, 1, 1)])
    a = application(family)
    d = model.decide(a, family, PLAIN, granted(days=91), decided_by="v", decided_at=NOW)
    assert d.warnings == [model.WARNING_OVER_LIMIT, model.WARNING_CHILDREN, model.WARNING_YOUNG]


def test_three_months_counts_earlier_nights():
    h = household()
    d = model.decide(application(h), h, PLAIN, granted(days=30), decided_by="v", decided_at=NOW,
                        earlier_nights=60)
    assert d.warnings == []
    d = model.decide(application(h), h, PLAIN, granted(days=31), decided_by="v", decided_at=NOW,
                        earlier_nights=60)
    assert d.warnings == [model.WARNING_OVER_LIMIT]


def test_a_child_who_turned_18_is_not_a_child_and_25_is_not_young():
    h = household(birth=date(2001, 11, 30), children=[date(2008, 11, 30)])
    d = model.decide(application(h), h, PLAIN, granted(start=date(2026, 12, 1)), decided_by="v", decided_at=NOW)
    assert d.warnings == []


def test_second_approval_by_another_person():
    h = household(TWO_STEP)
    a = application(h, TWO_STEP)
    d = model.decide(a, h, TWO_STEP, granted(), decided_by="leder-a", decided_at=NOW)
    assert (d.status, a.status, d.events) == ("awaiting_approval", "awaiting_approval", [])
    with pytest.raises(Conflict, match="annen enn den som fattet"):
        d.approve(a, h, TWO_STEP, approved_by="leder-a", approved_at=NOW)
    d.approve(a, h, TWO_STEP, approved_by="leder-b", approved_at=NOW)
    assert (d.status, a.status, d.approved_by) == ("in_effect", "decided", "leder-b")
    assert [type(e) for e in d.events] == [model.DecisionMade]
    with pytest.raises(Conflict, match="venter ikke"):
        d.approve(a, h, TWO_STEP, approved_by="leder-c", approved_at=NOW)


def test_returned_decision_lets_the_application_be_decided_again():
    h = household(TWO_STEP)
    a = application(h, TWO_STEP)
    d = model.decide(a, h, TWO_STEP, granted(), decided_by="v", decided_at=NOW)
    with pytest.raises(RuleBroken) as err:
        d.return_for_revision(a, returned_by="leder", reason=" ")
    assert err.value.field == "reason"
    d.return_for_revision(a, returned_by="leder", reason="Feil periode.")
    assert (d.status, a.status) == ("returned", "received")
    d2 = model.decide(a, h, TWO_STEP, granted(days=10), decided_by="v", decided_at=NOW)
    assert d2.status == "awaiting_approval"


def test_a_decided_application_cannot_be_decided_twice():
    h = household()
    a = application(h)
    model.decide(a, h, PLAIN, granted(), decided_by="v", decided_at=NOW)
    with pytest.raises(Conflict):
        model.decide(a, h, PLAIN, granted(), decided_by="v", decided_at=NOW)


def test_extension_is_a_new_decision_from_the_day_after():
    h = household()
    a = application(h)
    first = model.decide(a, h, PLAIN, granted(days=60), decided_by="v", decided_at=NOW)
    ext = model.extend(first, a, h, PLAIN, period_to=first.period_to + timedelta(days=40),
                               conditions=("boliglogg",), consequence=None, justification="Venter på bolig.",
                               decided_by="v", decided_at=NOW, earlier_nights=60, already_extended=False)
    assert ext.extends_decision_id == first.id
    assert ext.period_from == first.period_to + timedelta(days=1)
    assert ext.warnings == [model.WARNING_OVER_LIMIT]
    assert ext.events[0].decision is ext
    with pytest.raises(Conflict, match="allerede forlenget"):
        model.extend(first, a, h, PLAIN, period_to=first.period_to + timedelta(days=50), conditions=(),
                     consequence=None, justification=None, decided_by="v", decided_at=NOW, earlier_nights=100,
                     already_extended=True)
    with pytest.raises(RuleBroken) as err:
        model.extend(ext, a, h, PLAIN, period_to=ext.period_to, conditions=(), consequence=None,
                     justification=None, decided_by="v", decided_at=NOW, earlier_nights=100,
                     already_extended=False)
    assert err.value.field == "period_to"


def test_a_refusal_cannot_be_extended():
    h = household()
    a = application(h)
    refused = model.decide(a, h, PLAIN, DecisionTerms("refused", None, None, refusal_reason="Nei."),
                              decided_by="v", decided_at=NOW)
    with pytest.raises(Conflict, match="Bare et innvilget"):
        model.extend(refused, a, h, PLAIN, period_to=date(2027, 1, 1), conditions=(), consequence=None,
                     justification=None, decided_by="v", decided_at=NOW, earlier_nights=0, already_extended=False)


def test_application_rules():
    h = household(children=[date(2027, 1, 1)])
    with pytest.raises(RuleBroken) as err:
        application(h)
    assert err.value.field == "children_birth_dates"
    h = household()
    with pytest.raises(RuleBroken) as err:
        Application.receive(household=h, office=PLAIN, received_at=NOW + timedelta(days=1),
                            channel="phone", urgent=False, now=NOW)
    assert err.value.field == "received_at"
    with pytest.raises(RuleBroken) as err:
        Application.receive(household=h, office=PLAIN, received_at=NOW, channel="provider", urgent=False,
                            now=NOW)
    assert err.value.field == "provider_org_number"


def test_personal_data_is_not_in_the_repr():
    h = household()
    h.name, h.identity_number, h.phone = "Kari Hemmelig", "15108695088", "99999999"
    text = repr(h)
    assert "Kari" not in text and "15108695088" not in text and "99999999" not in text


# -- three months for families and young people: a leader's written justification ---------------------------

def test_a_family_past_three_months_waits_for_a_leader_even_at_an_ordinary_office():
    family = household(children=[date(2019, 5, 1)])
    a = application(family)
    d = model.decide(a, family, PLAIN, granted(days=91), decided_by="veileder", decided_at=NOW)
    assert d.needs_leader_justification
    assert (d.status, a.status, d.events) == ("awaiting_approval", "awaiting_approval", [])


def test_the_leader_must_write_why_and_the_justification_is_kept():
    young = household(birth=date(2004, 1, 1))
    a = application(young)
    d = model.decide(a, young, PLAIN, granted(days=30), decided_by="veileder", decided_at=NOW, earlier_nights=70)
    with pytest.raises(RuleBroken) as err:
        d.approve(a, young, PLAIN, approved_by="leder", approved_at=NOW, justification="  ")
    assert err.value.field == "justification" and "tre måneder" in str(err.value)
    assert d.status == "awaiting_approval"
    d.approve(a, young, PLAIN, approved_by="leder", approved_at=NOW, justification="Venter på kommunal bolig.")
    assert (d.status, d.leader_justification, d.approved_by) == ("in_effect", "Venter på kommunal bolig.", "leder")
    assert [type(e) for e in d.events] == [model.DecisionMade]


def test_the_case_worker_who_decided_cannot_also_justify_it():
    family = household(children=[date(2019, 5, 1)])
    a = application(family)
    d = model.decide(a, family, PLAIN, granted(days=120, justification="Saksbehandlers begrunnelse."),
                     decided_by="leder-a", decided_at=NOW)
    with pytest.raises(Conflict, match="annen enn den som fattet"):
        d.approve(a, family, PLAIN, approved_by="leder-a", approved_at=NOW, justification="Min egen.")


def test_an_extension_that_takes_a_family_past_three_months_waits_for_a_leader():
    family = household(children=[date(2019, 5, 1)])
    a = application(family)
    first = model.decide(a, family, PLAIN, granted(days=60), decided_by="v", decided_at=NOW)
    assert first.status == "in_effect"
    ext = model.extend(first, a, family, PLAIN, period_to=first.period_to + timedelta(days=40), conditions=(),
                       consequence=None, justification="Venter på bolig.", decided_by="v", decided_at=NOW,
                       earlier_nights=60, already_extended=False)
    assert ext.needs_leader_justification and ext.status == "awaiting_approval" and ext.events == []


def test_three_months_alone_or_children_alone_need_no_leader():
    adult = household()
    d = model.decide(application(adult), adult, PLAIN, granted(days=120), decided_by="v", decided_at=NOW)
    assert d.warnings == [model.WARNING_OVER_LIMIT] and d.status == "in_effect"
    family = household(children=[date(2019, 5, 1)])
    d = model.decide(application(family), family, PLAIN, granted(days=90), decided_by="v", decided_at=NOW)
    assert d.warnings == [model.WARNING_CHILDREN] and d.status == "in_effect"


def test_the_appeal_deadline_counts_from_the_date_in_norway():
    h = household()
    late_evening_utc = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # 1 December in Oslo
    d = model.decide(application(h), h, PLAIN, granted(), decided_by="v", decided_at=late_evening_utc,
                     decided_on=date(2026, 12, 1))
    assert d.appeal_deadline == date(2026, 12, 22)


def test_a_decision_of_an_office_the_household_left_cannot_be_extended_there():
    h = household()
    a = application(h)
    first = model.decide(a, h, PLAIN, granted(days=20), decided_by="v", decided_at=NOW)
    h.office_id = "nav-falkenborg"
    with pytest.raises(Conflict, match="overført"):
        model.extend(first, a, h, PLAIN, period_to=first.period_to + timedelta(days=5), conditions=(),
                     consequence=None, justification=None, decided_by="v", decided_at=NOW, earlier_nights=20,
                     already_extended=False)
