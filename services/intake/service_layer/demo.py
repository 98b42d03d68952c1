"""Demo data: households at every intake stage in the five municipalities, with synthetic identity numbers
(Skatteetaten's test numbers: month + 80), loaded once into an empty database through the ordinary use
cases, so the events reach the other services exactly as real ones would.

Placement stages (placed, moved out) are driven later through placement's API; `granted_demo_decisions`
gives the decisions in effect to place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from stdnum.no import fodselsnummer

from services.intake.adapters.identity import IdentityProtector
from services.intake.domain import model
from services.intake.domain.commands import ExtendDecision, MakeDecision, ReceiveApplication
from services.intake.service_layer import handlers

DEMO_OFFICES = ("nav-grunerlokka", "nav-falkenborg", "nav-hundvag-og-storhaug", "nav-bodo", "nav-asker")
CASE_WORKER = "demo-veileder"
LEADER = "demo-leder"


def synthetic_number(birth: date, serial: int) -> str:
    """A synthetic identity number (month + 80) with valid check digits: the first serial from `serial` on
    whose check digits are both single digits."""
    base = 0 if birth.year < 2000 else 500
    for individual in range(base + serial, base + 500):
        head = f"{birth.day:02d}{birth.month + 80:02d}{birth.year % 100:02d}{individual:03d}"
        k1 = fodselsnummer.calc_check_digit1(head)
        if len(k1) > 1:
            continue
        k2 = fodselsnummer.calc_check_digit2(head + k1)
        if len(k2) == 1:
            return head + k1 + k2
    raise ValueError("no synthetic number left for this birth date")


@dataclass(frozen=True)
class DemoHousehold:
    stage: str  # new | granted | refused | extended | awaiting_approval
    name: str
    birth: date
    children: tuple[date, ...] = ()
    needs: tuple[str, ...] = ()
    urgent: bool = False


def _people(office_index: int, today: date) -> list[DemoHousehold]:
    y = today.year
    first = ("Kari", "Ola", "Ingrid", "Per", "Sofie", "Ahmed", "Maja", "Jonas", "Nora", "Emil")
    last = ("Testesen", "Prøvesen", "Demodal", "Fiktivsen", "Eksempelrud")
    surname = last[office_index % len(last)]
    return [
        DemoHousehold("new", f"{first[0 + office_index % 2]} {surname}", date(y - 34, 3, 12 + office_index),
                      urgent=True, needs=("substance_use", "low_boevne")),
        DemoHousehold("granted", f"{first[2]} {surname}", date(y - 41, 7, 2 + office_index)),
        DemoHousehold("granted", f"{first[3]} {surname}", date(y - 29, 1, 20 + office_index),
                      children=(date(y - 7, 5, 1 + office_index),), needs=("needs_kitchen",)),
        DemoHousehold("refused", f"{first[4]} {surname}", date(y - 52, 11, 5 + office_index)),
        DemoHousehold("extended", f"{first[5]} {surname}", date(y - 21, 9, 9 + office_index),
                      needs=("mental_health",)),
        DemoHousehold("granted", f"{first[6]} {surname}", date(y - 63, 2, 14 + office_index)),
    ]


async def load_demo_data(uow_factory: handlers.UowFactory, protector: IdentityProtector,
                         offices: dict[str, model.Office], *, rules: model.WarningRules,
                         now: datetime | None = None) -> int:
    """Load the demo households once; returns how many were made (0 when the database was not empty)."""
    async with uow_factory() as uow:
        if not await uow.repo.is_empty():
            return 0
    now = now or datetime.now(UTC)
    today = now.date()
    count = 0
    for index, office_id in enumerate(DEMO_OFFICES):
        worker = handlers.Actor(CASE_WORKER, "case_worker", office_id)
        leader = handlers.Actor(LEADER, "office_leader", office_id)
        for serial, person in enumerate(_people(index, today)):
            received_at = now - timedelta(days=40 - serial * 5, hours=index)
            received = await handlers.receive_application(
                ReceiveApplication(
                    identity_number=synthetic_number(person.birth, serial * 7 + 3), name=person.name,
                    office_id=office_id, received_at=received_at, registered_by=CASE_WORKER,
                    channel=("in_person", "phone", "digital")[serial % 3], urgent=person.urgent,
                    children_birth_dates=person.children, adults=1, needs={k: True for k in person.needs},
                    no_fixed_address=True, preferred_language="norsk",
                    wishes="Demo: ønsker sted nær kontoret."),
                uow_factory, protector, offices, allow_synthetic=True, now=now)
            count += 1
            if person.stage == "new":
                continue
            start = received_at.date()
            if person.stage == "refused":
                terms = model.DecisionTerms("refused", None, None, refusal_reason="Demo: har et annet tilbud.")
            else:
                terms = model.DecisionTerms("granted", start, start + timedelta(days=29),
                                            ("boligskole",) if serial % 2 else (),
                                            consequence="Demo: nytt vedtak vurderes hvis vilkårene ikke følges.")
            decision = await handlers.make_decision(
                MakeDecision(received.application_id, terms, CASE_WORKER, received_at + timedelta(hours=2)),
                uow_factory, offices, actor=worker, rules=rules)
            if decision.status == "awaiting_approval" and serial == 5:
                continue  # left for a leader of the office to approve in the demo
            if decision.status == "awaiting_approval":
                decision = await handlers.approve_decision(decision.id, uow_factory, offices, actor=leader,
                                                           at=received_at + timedelta(hours=3))
            if person.stage == "extended":
                extension = await handlers.extend_decision(
                    ExtendDecision(decision.id, decision.period_to + timedelta(days=30), CASE_WORKER,
                                   received_at + timedelta(days=25), ("boliglogg",),
                                   "Demo: ny vurdering hvis boliglogg ikke føres."),
                    uow_factory, offices, actor=worker, rules=rules)
                if extension.status == "awaiting_approval":
                    await handlers.approve_decision(extension.id, uow_factory, offices, actor=leader,
                                                    at=received_at + timedelta(days=25, hours=1))
    return count


async def granted_demo_decisions(uow_factory: handlers.UowFactory) -> list[model.Decision]:
    """The granted decisions in effect (extensions included), oldest first: what a demo can place."""
    async with uow_factory() as uow:
        return await uow.repo.granted_in_effect()
