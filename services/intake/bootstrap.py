"""Intake's composition root: wires adapters, handlers and entrypoints. The only place that knows them all."""

from functools import partial
from pathlib import Path

from botilbud.kit.runtime import ServiceContext, ServiceDefinition, ServiceParts
from services.intake.adapters import events
from services.intake.adapters.identity import IdentityProtector
from services.intake.adapters.offices import load_offices
from services.intake.entrypoints.http import IntakeDeps, create_app
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork

NAME = "intake"


def build(ctx: ServiceContext) -> ServiceParts:
    settings = ctx.settings
    if settings.encryption_keys is None or settings.identity_hash_key is None:
        raise RuntimeError("intake needs BOTILBUD_ENCRYPTION_KEYS and BOTILBUD_IDENTITY_HASH_KEY")
    protector = IdentityProtector(
        [k.strip() for k in settings.encryption_keys.get_secret_value().split(",") if k.strip()],
        settings.identity_hash_key.get_secret_value())
    uow_factory = partial(IntakeUnitOfWork, ctx.pool, service=NAME, translate=events.translate,
                          topic=settings.topic)
    app = create_app(IntakeDeps(uow_factory=uow_factory, protector=protector, offices=load_offices()))
    return ServiceParts(app=app)


definition = ServiceDefinition(name=NAME, migrations=Path(__file__).parent / "adapters" / "migrations" /
                               "versions", build=build)
