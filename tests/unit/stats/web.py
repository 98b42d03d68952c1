"""Stats' app on fakes, and its users, for route tests."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from contracts import reference
from kit.auth import Role, User
from services.stats.domain.kostra import KostraRules, StayFacts
from services.stats.entrypoints.app import create_app
from services.stats.service_layer.views import StatsViews
from tests.unit.stats.fakes import FakeQueries
from tests.web import client

WORKER = User("veileder-grunerlokka", Role.CASE_WORKER, "nav-grunerlokka")
LEADER = User("leder-grunerlokka", Role.OFFICE_LEADER, "nav-grunerlokka")
FINANCE = User("okonomi", Role.FINANCE)
OPERATIONS = User("drift", Role.OPERATIONS)
ADMIN = User("admin", Role.ADMIN)
TODAY = date(2025, 6, 1)


def household(n: int, check_in: date, check_out: date | None = None, *, children=(), born=date(1980, 1, 1),
              office="nav-grunerlokka", provider="Tilbyder", accommodation="temporary") -> StayFacts:
    return StayFacts(UUID(int=n), accommodation, check_in, check_out, born, tuple(children), office_id=office,
                     provider_name=provider, agreement_kind="framework")


def app_with(queries: FakeQueries | None = None, *, today=lambda: TODAY, rebuild=None):
    views = StatsViews(queries or FakeQueries(), KostraRules(), today=today, oslo_districts=reference.oslo_districts())
    return create_app(views, rebuild)


def as_user(app, user: User | None, *, page: bool = False):
    return client(app, user, page=page)
