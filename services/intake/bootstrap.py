"""Intake's composition root: wires adapters, handlers and entrypoints. The only place that knows them all:
it binds each handler's dependencies (the reference data's municipalities, warning rules, the clock, whether
synthetic identity numbers are allowed) and hands the bus to the web app and the demo loader."""

from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from contracts import reference
from kit import clock
from kit.header import CachedOfficeNames
from kit.logging import get_logger
from kit.messagebus import MessageBus
from kit.runtime import ServiceContext, ServiceDefinition, ServiceParts
from kit.settings import Settings
from services.intake.adapters import events
from services.intake.adapters.case_parts import CasePartsLookup
from services.intake.adapters.identity import IdentityProtector
from services.intake.adapters.placement import PlacementQueueClient
from services.intake.domain import commands as c
from services.intake.domain.decisions import WarningRules
from services.intake.domain.offices import Office, Places
from services.intake.entrypoints.app import create_app
from services.intake.service_layer import demo, handlers, offices, search
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


def places() -> Places:
    """The municipalities (SSB) and Oslo's districts, from the reference data every service reads."""
    return Places(reference.municipalities(), reference.oslo_districts(), reference.OSLO)


def make_bus(uow_factory: Callable, *, rules: WarningRules, allow_synthetic: bool, known: Places | None = None,
             now: Callable[[], datetime] = clock.now) -> MessageBus:
    """The bus with every handler's dependencies bound (each handler takes only those it names)."""
    h, known = handlers, known or places()
    bound = {
        c.ReceiveApplication: partial(h.receive_application, allow_synthetic=allow_synthetic, now=now),
        c.LookupHousehold: partial(h.lookup_household, allow_synthetic=allow_synthetic, now=now),
        c.ViewHousehold: partial(h.view_household, now=now),
        c.ViewCase: partial(h.view_case, now=now),
        c.ViewPeople: partial(h.view_people, now=now),
        c.ViewDecisionLetter: partial(h.view_decision_letter, now=now),
        c.TransferHousehold: partial(h.transfer_household, allow_synthetic=allow_synthetic, now=now),
        c.MakeDecision: partial(h.make_decision, rules=rules, now=now),
        c.ExtendDecision: partial(h.extend_decision, rules=rules, now=now),
        c.ApproveDecision: partial(h.approve_decision, now=now),
        c.ReturnDecision: h.return_decision,
        c.RotateEncryptionKeys: h.rotate_encryption_keys,
        c.RegisterOffice: partial(offices.register_office, places=known),
        c.ChangeOffice: partial(offices.change_office, places=known),
        c.CloseOffice: offices.close_office,
        c.ImportOffices: partial(offices.import_offices, places=known),
        c.SearchHouseholds: partial(search.search_households, allow_synthetic=allow_synthetic, now=now),
    }
    assert set(bound) == set(h.HANDLERS) | set(offices.HANDLERS) | set(search.HANDLERS), \
        "every command has its handler bound"
    return MessageBus(uow_factory, bound, consumer=NAME)


def bus_for(pool, settings: Settings) -> MessageBus:
    return make_bus(uow_factory_for(pool, settings), rules=warning_rules(settings),
                    allow_synthetic=settings.allow_synthetic_ids)


def office_names(uow_factory: Callable) -> CachedOfficeNames:
    """The registry's office names, for the page header."""
    async def read() -> dict[str, str]:
        async with uow_factory() as uow:
            return await uow.queries.office_names()
    return CachedOfficeNames(read)


def build(ctx: ServiceContext) -> ServiceParts:
    settings = ctx.settings
    uow_factory = uow_factory_for(ctx.pool, settings)
    bus = make_bus(uow_factory, rules=warning_rules(settings), allow_synthetic=settings.allow_synthetic_ids)
    app = create_app(bus=bus, uow_factory=uow_factory, municipalities=reference.municipalities(),
                     case_parts=CasePartsLookup(ctx.service_url),
                     placement=PlacementQueueClient(lambda: ctx.service_url("placement")))
    app.state.header_office_name = office_names(uow_factory)

    async def load_demo_data() -> None:
        if settings.demo_data:
            registered = await demo.register_demo_offices(bus, uow_factory)
            loaded = await demo.load_demo_data(bus, uow_factory)
            if registered or loaded:
                log.info("intake_demo_data_loaded", offices=registered, households=loaded)

    return ServiceParts(app=app, on_started=[load_demo_data])


definition = ServiceDefinition(name=NAME, title="Søknader og vedtak",
                               migrations=Path(__file__).parent / "adapters" / "migrations" / "versions", build=build)


async def rotate_keys(settings: Settings) -> int:
    """Re-encrypt all of intake's personal data with the newest key (the first of BOTILBUD_ENCRYPTION_KEYS).
    Run it after putting a new key first; then the old keys can be removed. Returns the values rewritten."""
    from kit.db import create_pool

    pool = await create_pool(settings.service_database_url(NAME), max_size=2)
    try:
        return await bus_for(pool, settings).handle(c.RotateEncryptionKeys())
    finally:
        await pool.close()


async def register_demo_offices(settings: Settings) -> list[Office]:
    """The demo offices registered once into an empty registry (through the import an administrator uses);
    returns the registry's offices. `botilbud run` does this before it starts the services, to make the demo
    users from the registered offices."""
    from kit.db import create_pool

    pool = await create_pool(settings.service_database_url(NAME), max_size=2)
    try:
        uow_factory = uow_factory_for(pool, settings)
        bus = make_bus(uow_factory, rules=warning_rules(settings), allow_synthetic=settings.allow_synthetic_ids)
        await demo.register_demo_offices(bus, uow_factory)
        return await demo.registered_offices(uow_factory)
    finally:
        await pool.close()
