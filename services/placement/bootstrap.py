"""Placement's composition root."""

import json
from functools import partial
from pathlib import Path

from kit.metrics import every
from kit.runtime import ServiceContext, ServiceDefinition, ServiceParts
from services.placement.adapters import events
from services.placement.entrypoints import kafka, metrics
from services.placement.entrypoints.http import create_app
from services.placement.service_layer import handlers
from services.placement.service_layer.unit_of_work import PlacementUnitOfWork

NAME = "placement"
REFERENCE_FILE = Path(__file__).resolve().parents[2] / "demo" / "reference.json"


def build(ctx: ServiceContext) -> ServiceParts:
    uow_factory = partial(PlacementUnitOfWork, ctx.pool, service=NAME, translate=events.translate,
                          topic=ctx.settings.topic)

    async def load_demo_data() -> None:
        if ctx.settings.demo_data:
            await handlers.load_reference_providers(json.loads(REFERENCE_FILE.read_text(encoding="utf-8")),
                                                    uow_factory)

    reference = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    offices = {o["id"]: {"name": o["name"], "municipality": o["municipality"], "district": o.get("district")}
               for o in reference["offices"]}
    names = {m["number"]: m["name"] for m in reference["municipalities"]}
    return ServiceParts(app=create_app(uow_factory, offices, names), subscriptions=kafka.subscriptions(uow_factory),
                        on_started=[load_demo_data],
                        background={"placement-gauges": every(30, partial(metrics.refresh, uow_factory),
                                                              "placement-gauges")})


definition = ServiceDefinition(name=NAME, title="Plassering og kapasitet",
                               migrations=Path(__file__).parent / "adapters" / "migrations" / "versions", build=build)
