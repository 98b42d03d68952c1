"""Placement's composition root: the handlers' dependencies bound, the message bus, the web app, the
subscriptions and the background jobs."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import partial
from pathlib import Path

from contracts import reference
from kit import clock
from kit.header import QUEUE_COUNT_PATH, CachedOfficeNames, RemoteCount
from kit.messagebus import MessageBus
from kit.metrics import every
from kit.people import PeopleLookup
from kit.runtime import ServiceContext, ServiceDefinition, ServiceParts
from services.placement.adapters import events
from services.placement.adapters.queries import PlacementQueries
from services.placement.domain import commands
from services.placement.entrypoints import kafka, metrics
from services.placement.entrypoints.app import create_app
from services.placement.service_layer import jobs, offices
from services.placement.service_layer.handlers import HANDLERS
from services.placement.service_layer.unit_of_work import PlacementUnitOfWork

NAME = "placement"
# The demo's providers (not its offices: placement learns offices from intake's events).
REFERENCE_FILE = Path(__file__).resolve().parents[2] / "demo" / "reference.json"
PLANNED_MOVE_OUTS_EVERY_SECONDS = 60


def bind(handler: Callable, dependencies: Mapping[str, object]) -> Callable:
    """The handler with the dependencies it names (by parameter name) bound."""
    wanted = inspect.signature(handler).parameters
    return partial(handler, **{name: dep for name, dep in dependencies.items() if name in wanted})


def make_bus(uow_factory: Callable[[], PlacementUnitOfWork], *, today: Callable[[], date] = clock.today,
             now: Callable[[], datetime] = clock.now,
             municipalities: Mapping[str, str] | None = None) -> MessageBus:
    dependencies = {"today": today, "now": now, "municipalities": municipalities or reference.municipalities()}
    return MessageBus(uow_factory, {cmd: bind(h, dependencies) for cmd, h in {**HANDLERS, **offices.HANDLERS}.items()},
                      consumer=NAME)


def build(ctx: ServiceContext) -> ServiceParts:
    uow_factory = partial(PlacementUnitOfWork, ctx.pool, service=NAME, translate=events.translate,
                          topic=ctx.settings.topic)
    bus = make_bus(uow_factory)
    queries = PlacementQueries(ctx.pool)
    people = PeopleLookup(lambda: ctx.service_url("intake"))
    app = create_app(bus, queries, today=clock.today, people=people, municipality_names=reference.municipalities())
    app.state.header_count = RemoteCount(lambda: ctx.service_url("intake").rstrip("/") + QUEUE_COUNT_PATH)
    app.state.header_office_name = CachedOfficeNames(queries.office_names)

    async def load_demo_data() -> None:
        if ctx.settings.demo_data:
            demo = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
            await bus.handle(commands.LoadReferenceProviders(demo))

    return ServiceParts(
        app=app, subscriptions=kafka.subscriptions(bus), on_started=[load_demo_data],
        background={
            "placement-gauges": every(30, partial(metrics.refresh, queries, clock.today), "placement-gauges"),
            # once at start-up, then every minute: a planned move-out happens on its day
            "placement-planned-move-outs": every(
                PLANNED_MOVE_OUTS_EVERY_SECONDS, partial(jobs.carry_out_planned_move_outs, bus, queries, clock.today),
                "placement-planned-move-outs"),
        })


definition = ServiceDefinition(name=NAME, title="Plassering og kapasitet",
                               migrations=Path(__file__).parent / "adapters" / "migrations" / "versions", build=build)
