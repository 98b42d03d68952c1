"""A placement of our own for fast tests: the real handlers, bus, app and routes over the fakes, with a clock the
test sets (`world.today`), and steps that build what a test needs through the same commands users give."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import httpx

import contracts
from contracts import reference
from kit.auth import Role, User
from kit.people import PeopleLookup
from services.placement.bootstrap import make_bus
from services.placement.domain import commands, model
from services.placement.domain.offices import RecordOffice
from services.placement.entrypoints.app import create_app
from tests.unit.placement.fakes import FakePlacementUnitOfWork, FakeQueries, Tables
from tests.web import client

TODAY = date(2026, 11, 26)
OFFICES = {"nav-grunerlokka": {"name": "Nav Grünerløkka", "municipality": "0301", "district": "Grünerløkka"},
           "nav-bodo": {"name": "Nav Bodø", "municipality": "1804", "district": None}}
MUNICIPALITIES = reference.municipalities()
WORKER = User("veileder-grunerlokka", Role.CASE_WORKER, "nav-grunerlokka")
LEADER = User("leder-grunerlokka", Role.OFFICE_LEADER, "nav-grunerlokka")
OTHER_OFFICE = User("veileder-bodo", Role.CASE_WORKER, "nav-bodo")
FINANCE = User("okonomi", Role.FINANCE)
ADMIN = User("admin", Role.ADMIN)
GOOD = {"own_bath": True, "kitchen": "own", "laundry": True, "visits_allowed": True}

def orgnrs():
    """Valid organisation numbers (mod-11), starting with 81 so they never meet the demo data's."""
    from stdnum.no import orgnr
    return (str(n) for n in range(810_000_000, 820_000_000) if orgnr.is_valid(str(n)))


def no_intake() -> str:
    raise LookupError("placement's fast tests run without intake: pages show households without names")


class World:
    def __init__(self, today: date = TODAY):
        self.today = today
        self.tables = Tables()
        self.uow = FakePlacementUnitOfWork(self.tables)
        self.bus = make_bus(lambda: self.uow, today=lambda: self.today, now=self.now)
        self.queries = FakeQueries(self.tables)
        self.app = create_app(self.bus, self.queries, today=lambda: self.today, people=PeopleLookup(no_intake),
                              municipality_names=MUNICIPALITIES)
        self._orgnrs = orgnrs()

    async def offices(self) -> None:
        """The offices, as intake's OfficeRegistered events bring them."""
        for office_id, o in OFFICES.items():
            await self.bus.handle(RecordOffice(office_id, o["name"], o["municipality"], o["district"], False,
                                               self.now()), event_id=uuid4())

    def now(self) -> datetime:
        return datetime.combine(self.today, time(12), UTC)

    def client(self, user: User | None = WORKER, *, page: bool = False) -> httpx.AsyncClient:
        return client(self.app, user, page=page)

    async def provider(self, *, agreement_kind: str = "framework", price: str | None = "900", units: int = 1,
                       beds: int = 2, address: str | None = None, municipality: str = "0301",
                       facilities: dict | None = None) -> tuple[model.Provider, list[model.Unit]]:
        p = await self.bus.handle(commands.RegisterProvider(
            f"Tilbyder {len(self.tables.providers) + 1}", next(self._orgnrs), "private", municipality, None,
            address or f"Gata {len(self.tables.providers) + 1}", "temporary", agreement_kind,
            Decimal(price) if price else None, 0, date(2024, 1, 1), None,
            ("singles_couples", "families") if agreement_kind != "none" else ()))
        if agreement_kind == "none":
            await self.bus.handle(commands.RecordInspection(p.id, self.today - timedelta(days=1), "approved",
                                                            self.today + timedelta(days=30)))
        made = [await self.bus.handle(commands.RegisterUnit(p.id, f"Rom {i + 1}", beds, None,
                                                            facilities or GOOD)) for i in range(units)]
        return p, made

    async def decision(self, *, office: str = "nav-grunerlokka", start: int = -1, end: int = 30,
                       household_id: UUID | None = None, children: tuple[date, ...] = (),
                       extends: UUID | None = None) -> model.GrantedDecision:
        """A granted decision from intake, as the DecisionMade event brings it."""
        decision_id = uuid4()
        await self.bus.handle(commands.RecordDecision(
            decision_id, household_id or uuid4(), office, OFFICES[office]["municipality"], None, "granted",
            self.today + timedelta(days=start), self.today + timedelta(days=end),
            {"applicant_birth_date": "1980-05-05", "children_birth_dates": [str(c) for c in children],
             "adults": 1 if not children else 2, "needs": {}}, extends), event_id=uuid4())
        return await self.queries.decision(decision_id)

    async def placed(self, *, check_in: date | None = None, agreement_kind: str = "framework",
                     justification: str | None = None) -> tuple[model.Stay, model.Unit]:
        """A household placed (five days ago unless `check_in` says otherwise) in a unit of a new provider."""
        check_in = check_in or self.today - timedelta(days=5)
        _, [unit] = await self.provider(agreement_kind=agreement_kind)
        d = await self.decision(start=min(-10, (check_in - self.today).days))
        placed = await self.bus.handle(commands.PlaceHousehold(d.decision_id, unit.id, check_in, justification))
        return placed.stay, unit

    def published(self, event: type[contracts.IntegrationEvent]) -> list[dict]:
        """The bodies of the wire events of this type that committed work put in the outbox, oldest first."""
        return [json.loads(e.body()) for e in self.uow.published if e.type == event.event_type]

    def occupied(self, unit_id: UUID) -> int:
        return self.tables.households_in(unit_id)
