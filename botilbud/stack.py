"""Composition of the whole system: which services run in this process, and the embedded default stack
(PostgreSQL and the Kafka-compatible broker from their wheels) behind `botilbud run`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
from pathlib import Path

from cryptography.fernet import Fernet
from pydantic import SecretStr

from botilbud.demo import place_demo_households
from botilbud.embedded import EmbeddedKafka, EmbeddedPostgres
from botilbud.settings import SERVICES, Settings
from kit.auth import Role, User, UserDirectory
from kit.logging import get_logger
from kit.runtime import Runtime, ServiceDefinition
from services.billing.bootstrap import definition as billing
from services.intake.bootstrap import definition as intake
from services.placement.bootstrap import definition as placement
from services.stats.bootstrap import definition as stats

log = get_logger(__name__)
DEFINITIONS: dict[str, ServiceDefinition] = {d.name: d for d in (intake, placement, billing, stats)}
REFERENCE_FILE = Path(__file__).resolve().parents[1] / "demo" / "reference.json"
DEMO_PASSWORD = "demo"  # noqa: S105 - the embedded demo's users only; README says so


def definitions(target: str) -> list[ServiceDefinition]:
    if target == "all":
        return list(DEFINITIONS.values())
    names = [t.strip() for t in target.split(",")]
    unknown = [n for n in names if n not in DEFINITIONS]
    if unknown:
        raise ValueError(f"unknown service(s) {unknown}; choose from {', '.join(SERVICES)} or all")
    return [DEFINITIONS[n] for n in names]


def run_file(settings: Settings) -> Path:
    return settings.home / "run.json"


# What a process outside the embedded stack cannot start without: every service signs and reads sessions and
# knows its users; intake also encrypts and hashes personal data. The embedded stack makes these itself.
EVERY_SERVICE_NEEDS = ("secret_key", "users_file")
SERVICE_NEEDS = {"intake": ("encryption_keys", "identity_hash_key")}
PLACEHOLDER = "change-me"  # deploy/botilbud.env.example's value


def missing_settings(settings: Settings, services: list[str]) -> list[str]:
    """The settings these services lack, each with who needs it (empty or still the example's placeholder
    counts as missing)."""
    def unset(name: str) -> bool:
        value = getattr(settings, name)
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        return text is None or str(text).strip() in ("", PLACEHOLDER)

    missing = [f"BOTILBUD_{name.upper()} (every service)" for name in EVERY_SERVICE_NEEDS if unset(name)]
    for service in services:
        missing += [f"BOTILBUD_{name.upper()} ({service})" for name in SERVICE_NEEDS.get(service, ()) if unset(name)]
    return missing


def require_settings(settings: Settings, services: list[str]) -> None:
    """Outside the embedded stack nothing is generated: a key made here would be this container's alone and
    lost at its restart, with personal data encrypted under it."""
    missing = missing_settings(settings, services)
    if missing:
        raise SystemExit("Botilbud starts only with its secrets outside the embedded stack; missing: "
                         + ", ".join(missing) + ". See docs/operations.md (First start).")


def with_embedded_defaults(settings: Settings) -> Settings:
    """The embedded stack is for demos and development: demo data and synthetic identity numbers on, unless
    set (the defaults are production's)."""
    updates = {name: True for name in ("demo_data", "allow_synthetic_ids") if name not in settings.model_fields_set}
    return settings.model_copy(update=updates)


def ensure_local_secrets(settings: Settings) -> Settings:
    """Secrets for the embedded stack, made once under BOTILBUD_HOME; settings from the environment win."""
    settings.home.mkdir(parents=True, exist_ok=True)
    path = settings.home / "secrets.json"
    if not path.exists():
        path.write_text(json.dumps({"secret_key": secrets.token_urlsafe(32),
                                    "encryption_keys": Fernet.generate_key().decode(),
                                    "identity_hash_key": secrets.token_urlsafe(32)}))
        path.chmod(0o600)
    stored = json.loads(path.read_text())
    updates = {k: SecretStr(v) for k, v in stored.items() if getattr(settings, k) is None}
    users_file = settings.users_file or settings.home / "users.json"
    if not users_file.exists():
        write_demo_users(users_file)
    return settings.model_copy(update={**updates, "users_file": users_file})


def demo_users() -> list[User]:
    offices = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))["offices"]
    users = []
    for office in offices:
        short = office["id"].removeprefix("nav-")
        users.append(User(f"veileder-{short}", Role.CASE_WORKER, office["id"], f"Veileder, {office['name']}"))
        users.append(User(f"leder-{short}", Role.OFFICE_LEADER, office["id"], f"Leder, {office['name']}"))
    users += [User("okonomi", Role.FINANCE, None, "Økonomi"), User("drift", Role.OPERATIONS, None, "Drift"),
              User("admin", Role.ADMIN, None, "Administrator")]
    return users


def write_demo_users(path: Path) -> None:
    UserDirectory.write(path, [(u, DEMO_PASSWORD) for u in demo_users()])


async def serve(settings: Settings, target: str = "all", *, embedded: bool | None = None,
                stop: asyncio.Event | None = None) -> None:
    """Run until Ctrl-C (or `stop` is set). With no broker or database in the settings, start the embedded
    ones first and stop them last."""
    embedded = embedded if embedded is not None else not (settings.kafka_bootstrap or settings.database_url)
    if embedded and target != "all":
        raise SystemExit("A single service joins a running system: set BOTILBUD_KAFKA_BOOTSTRAP and "
                         "BOTILBUD_DATABASE_URL (see the README's settings).")
    if embedded:
        settings = with_embedded_defaults(ensure_local_secrets(settings))
    else:
        require_settings(settings, [d.name for d in definitions(target)])
        settings.home.mkdir(parents=True, exist_ok=True)  # for the run file
    pg = kafka = None
    if embedded:
        pg = EmbeddedPostgres(settings.home)
        kafka = EmbeddedKafka(settings.home / "kafka.log", pid_file=settings.home / "kafka.pid")
        settings = settings.model_copy(update={"database_url": await asyncio.to_thread(pg.start),
                                               "kafka_bootstrap": kafka.start()})
    runtime = Runtime(settings, definitions(target), bootstrap=settings.kafka_bootstrap,
                      users=UserDirectory.load(settings.users_file),
                      secret=settings.secret_key.get_secret_value())
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await runtime.start()
        run_file(settings).write_text(json.dumps({
            "url": runtime.url, "kafka_bootstrap": settings.kafka_bootstrap, "pid": os.getpid(),
            "services": [d.name for d in runtime.services]}))
        print(f"Botilbud kjører på {runtime.url}  (Ctrl-C stopper)", flush=True)
        demo = None
        if settings.demo_data and target == "all" and embedded:
            offices = [o["id"] for o in json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))["offices"]]
            demo = asyncio.create_task(place_demo_households(runtime.url, offices, DEMO_PASSWORD))
        await stop.wait()
        if demo is not None:
            demo.cancel()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
        print("Stopper …", flush=True)
        with contextlib.suppress(FileNotFoundError):
            run_file(settings).unlink()
        await runtime.stop()
        if kafka:
            kafka.stop()
        if pg:
            await asyncio.to_thread(pg.stop)
