"""Intake's composition root: wires adapters, handlers and entrypoints. The only place that knows them all."""

from functools import partial
from pathlib import Path

from kit.logging import get_logger
from kit.runtime import ServiceContext, ServiceDefinition, ServiceParts
from kit.settings import Settings
from services.intake.adapters import events
from services.intake.adapters.identity import IdentityProtector
from services.intake.adapters.offices import load_offices
from services.intake.domain.model import WarningRules
from services.intake.entrypoints.http import IntakeDeps, create_app
from services.intake.service_layer import demo
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork

NAME = "intake"
log = get_logger(__name__)


def protector_from(settings: Settings) -> IdentityProtector:
    if settings.encryption_keys is None or settings.identity_hash_key is None:
        raise RuntimeError("intake needs BOTILBUD_ENCRYPTION_KEYS and BOTILBUD_IDENTITY_HASH_KEY")
    return IdentityProtector(
        [k.strip() for k in settings.encryption_keys.get_secret_value().split(",") if k.strip()],
        settings.identity_hash_key.get_secret_value())


def uow_factory_for(pool, settings: Settings):
    return partial(IntakeUnitOfWork, pool, protector=protector_from(settings), service=NAME,
                   translate=events.translate, topic=settings.topic)


def warning_rules(settings: Settings) -> WarningRules:
    k = settings.kostra
    return WarningRules(limit_nights=k.over_days, young_min_age=k.young_min_age, young_max_age=k.young_max_age,
                        child_max_age=k.child_max_age)


def build(ctx: ServiceContext) -> ServiceParts:
    settings = ctx.settings
    uow_factory = uow_factory_for(ctx.pool, settings)
    offices = load_offices()
    app = create_app(IntakeDeps(uow_factory=uow_factory, protector=protector_from(settings), offices=offices,
                                allow_synthetic_ids=settings.allow_synthetic_ids,
                                warning_rules=warning_rules(settings)))

    async def load_demo_data() -> None:
        if settings.demo_data:
            loaded = await demo.load_demo_data(uow_factory, protector_from(settings), offices,
                                               rules=warning_rules(settings))
            if loaded:
                log.info("intake_demo_data_loaded", households=loaded)

    return ServiceParts(app=app, on_started=[load_demo_data])


definition = ServiceDefinition(name=NAME, title="Søknader og vedtak",
                               migrations=Path(__file__).parent / "adapters" / "migrations" / "versions", build=build)


async def rotate_keys(settings: Settings) -> int:
    """Re-encrypt all of intake's personal data with the newest key (the first of BOTILBUD_ENCRYPTION_KEYS).
    Run it after putting a new key first; then the old keys can be removed. Returns the values rewritten."""
    from kit.db import create_pool
    from services.intake.service_layer import handlers

    pool = await create_pool(settings.service_database_url(NAME), max_size=2)
    try:
        rewritten = await handlers.rotate_encryption_keys(uow_factory_for(pool, settings))
    finally:
        await pool.close()
    return rewritten
