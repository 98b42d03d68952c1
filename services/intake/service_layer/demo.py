"""Demo data: the demo offices (demo/offices.csv, imported as an administrator imports a file) and households
at every intake stage in the five municipalities, with synthetic identity numbers (Skatteetaten's test
numbers: month + 80), loaded once into an empty database through the ordinary commands on the bus, so the
events reach the other services exactly as real ones would.

Placement stages (placed, moved out) are driven later through placement's API; `granted_demo_decisions`
gives the decisions in effect to place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from kit import clock
from kit.messagebus import MessageBus
from services.intake.adapters import offices_csv
from services.intake.domain import commands as c
from services.intake.domain.decisions import Decision, DecisionTerms
from services.intake.domain.identity import synthetic_identity_number
from services.intake.domain.model import Actor, HouseholdDetails
from services.intake.domain.offices import Office
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork

OFFICES_FILE = Path(__file__).resolve().parents[3] / "demo" / "offices.csv"
DEMO_ADMIN = Actor("demo-admin", "admin", None)
# The case offices of the Fafo note, where the demo households are (Nav Lerkendal has none).
DEMO_OFFICES = ("nav-grunerlokka", "nav-falkenborg", "nav-hundvag-og-storhaug", "nav-bodo", "nav-asker")
CASE_WORKER = "demo-veileder"
LEADER = "demo-leder"


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


async def register_demo_offices(bus: MessageBus, uow_factory: Callable[[], IntakeUnitOfWork]) -> int:
    """Import the demo offices once, into an empty registry, as an administrator imports a file (the same use
    case and events). Returns how many were registered (0 when the registry had offices)."""
    async with uow_factory() as uow:
        if await uow.offices.all():
            return 0
    result = await bus.handle(c.ImportOffices(DEMO_ADMIN, tuple(offices_csv.read(OFFICES_FILE.read_bytes()))))
    if result.rejected:  # the demo's own file: always in the format
        raise RuntimeError(f"demo/offices.csv has bad rows: {result.rejected}")
    return result.count("registered")


async def registered_offices(uow_factory: Callable[[], IntakeUnitOfWork]) -> list[Office]:
    async with uow_factory() as uow:
        return await uow.offices.all()


async def load_demo_data(bus: MessageBus, uow_factory: Callable[[], IntakeUnitOfWork], *,
                         now: datetime | None = None) -> int:
    """Load the demo households once; returns how many were made (0 when the database was not empty)."""
    async with uow_factory() as uow:
        if not await uow.queries.is_empty():
            return 0
    now = now or clock.now()
    count = 0
    async with uow_factory() as uow:
        registered = {o.id for o in await uow.offices.all()}
    for index, office_id in enumerate(DEMO_OFFICES):
        if office_id not in registered:
            continue
        worker = Actor(CASE_WORKER, "case_worker", office_id)
        leader = Actor(LEADER, "office_leader", office_id)
        for serial, person in enumerate(_people(index, clock.today(now))):
            received_at = now - timedelta(days=40 - serial * 5, hours=index)
            received = await bus.handle(c.ReceiveApplication(
                worker, synthetic_identity_number(person.birth, serial), office_id,
                HouseholdDetails(person.name, person.children, 1, {k: True for k in person.needs},
                                 preferred_language="norsk", no_fixed_address=True),
                received_at=received_at, channel=("in_person", "phone", "digital")[serial % 3], urgent=person.urgent,
                wishes="Demo: ønsker sted nær kontoret."))
            count += 1
            if person.stage == "new":
                continue
            start = clock.today(received_at)
            if person.stage == "refused":
                terms = DecisionTerms("refused", None, None, refusal_reason="Demo: har et annet tilbud.")
            else:
                terms = DecisionTerms("granted", start, start + timedelta(days=29),
                                      ("boligskole",) if serial % 2 else (),
                                      consequence="Demo: nytt vedtak vurderes hvis vilkårene ikke følges.")
            decision = await bus.handle(c.MakeDecision(worker, received.application_id, terms,
                                                       at=received_at + timedelta(hours=2)))
            if decision.status == "awaiting_approval" and serial == 5:
                continue  # left for a leader of the office to approve in the demo
            if decision.status == "awaiting_approval":
                decision = await bus.handle(c.ApproveDecision(leader, decision.id,
                                                              at=received_at + timedelta(hours=3)))
            if person.stage == "extended":
                extension = await bus.handle(c.ExtendDecision(
                    worker, decision.id, decision.period_to + timedelta(days=30), ("boliglogg",),
                    "Demo: ny vurdering hvis boliglogg ikke føres.", at=received_at + timedelta(days=25)))
                if extension.status == "awaiting_approval":
                    await bus.handle(c.ApproveDecision(leader, extension.id,
                                                       at=received_at + timedelta(days=25, hours=1)))
    return count


async def granted_demo_decisions(uow_factory: Callable[[], IntakeUnitOfWork]) -> list[Decision]:
    """The granted decisions in effect (extensions included), oldest first: what a demo can place."""
    async with uow_factory() as uow:
        return await uow.queries.granted_in_effect()
