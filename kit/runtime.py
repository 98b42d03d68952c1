"""The runtime that runs one service or all four in one process: the same code and topics either way
(the Loki/Mimir `-target` idea). Each service brings a `ServiceDefinition` from its composition root."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import uvicorn
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import REGISTRY

from kit import tracing
from kit.auth import TokenSigner, UserDirectory
from kit.db import create_pool
from kit.logging import get_logger
from kit.messaging import Subscription, ensure_topics, register
from kit.oidc import OidcProvider
from kit.outbox import OutboxRelay, request_republish
from kit.retention import retention_job
from kit.settings import Settings
from kit.web import create_ops_app, create_root_app

log = get_logger(__name__)


def _configured_url(settings: Settings, service: str) -> str:
    url = settings.service_url(service)
    if not url:
        raise LookupError(f"no address for {service}: set BOTILBUD_{service.upper()}_URL")
    return url


@dataclass
class ServiceContext:
    """What the runtime hands a service's composition root."""

    name: str
    settings: Settings
    pool: asyncpg.Pool
    service_url: Callable[[str], str] | None = None
    """Where another service's HTTP app is (its base URL, e.g. `http://intake:8080/intake`), asked when it is
    needed: the setting `BOTILBUD_<SERVICE>_URL`, else this process's own address when the service runs here
    (known only once the server listens). LookupError when neither."""
    signer: TokenSigner | None = None
    """The runtime's token signer, for a service credential (`kit.auth.service_token`)."""

    def __post_init__(self):
        if self.service_url is None:
            self.service_url = lambda service: _configured_url(self.settings, service)


@dataclass
class ServiceParts:
    """What a service's composition root gives back: its web app, its subscriptions, and work to do once
    everything is up (such as loading demo data)."""

    app: FastAPI
    subscriptions: list[Subscription] = field(default_factory=list)
    on_started: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    background: dict[str, Callable[[asyncio.Event], Awaitable[None]]] = field(default_factory=dict)
    """Jobs that run for the life of the process, by name (e.g. refreshing gauges); each gets the event that is
    set when the process stops, and ends by itself when it is."""


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    title: str
    """The service's name for its users (Norwegian), on the front page."""
    migrations: Path
    build: Callable[[ServiceContext], ServiceParts]


class Runtime:
    def __init__(self, settings: Settings, services: list[ServiceDefinition], *, bootstrap: str,
                 users: UserDirectory | None, secret: str, migrate: bool = True, tracer_provider=None):
        self.settings = settings
        # False where the caller migrated already: `botilbud run` does it in a child process, so that the serving
        # process never imports Alembic and SQLAlchemy.
        self.migrates = migrate
        self.services = services
        self.bootstrap = bootstrap
        self.users = users
        self.signer = TokenSigner(secret, settings.token_ttl_seconds)
        # The municipality's identity provider, where one is configured (kit/oidc.py): its login, its tokens.
        self.oidc = OidcProvider(settings.oidc) if settings.oidc.issuer else None
        self.pools: dict[str, asyncpg.Pool] = {}
        self.brokers: dict[str, KafkaBroker] = {}
        self.parts: dict[str, ServiceParts] = {}
        self._tasks: list[asyncio.Task] = []
        self._stopping = asyncio.Event()
        self._server: uvicorn.Server | None = None
        self._ops_server: uvicorn.Server | None = None
        self.port: int | None = None
        # Off (OpenTelemetry's SDK not even imported) unless an OTLP endpoint is configured or a provider given.
        self.tracing = tracing.start("botilbud" if len(services) != 1 else f"botilbud-{services[0].name}",
                                     tracer_provider)
        self.ops_port: int | None = None

    @property
    def url(self) -> str:
        return f"http://{self.settings.http_host}:{self.port}"

    def service_url(self, service: str) -> str:
        """A service's base URL: its setting, else this process's mount of it (`<url>/<service>`) once serving."""
        if self.settings.service_url(service) or service not in {s.name for s in self.services} or not self.port:
            return _configured_url(self.settings, service)
        host = self.settings.http_host
        host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - a wildcard is no address to call
        return f"http://{host}:{self.port}/{service}"

    @property
    def ops_url(self) -> str:
        """Where /metrics and the readiness reasons are: the operations port if there is one."""
        return f"http://{self.settings.http_host}:{self.ops_port or self.port}"

    async def migrate(self) -> None:
        """Every service database to its schema: the kit's chain and the service's, one migrator at a time per
        database (replicas starting together wait for each other; kit/migrations.py)."""
        from kit.migrations import migrate  # here, not at the top: a process that does not migrate never loads it

        for svc in self.services:
            await migrate(self.settings.service_database_url(svc.name), svc.migrations)

    async def start(self) -> None:
        started = time.perf_counter()
        if self.migrates:
            await self.migrate()
            log.info("runtime_migrated", seconds=round(time.perf_counter() - started, 3))
        await ensure_topics(self.bootstrap, self.settings, tuple(s.name for s in self.services))
        log.info("runtime_topics_ready", seconds=round(time.perf_counter() - started, 3))
        # Batches of up to 512 KiB per partition (aiokafka's default is 16 KiB, some twenty events): a relay
        # round of hundreds of events goes in a few produce requests, not dozens (bench/RESULTS.md, 14.6).
        self.producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap, acks="all",
            enable_idempotence=self.settings.kafka_idempotent_producer, linger_ms=2, max_batch_size=512 * 1024)
        for svc in self.services:
            pool = await create_pool(self.settings.service_database_url(svc.name))
            self.pools[svc.name] = pool
            parts = svc.build(ServiceContext(svc.name, self.settings, pool, self.service_url, self.signer))
            self.parts[svc.name] = parts
            # A broker client per service: each consumer group joins at the same time as the others.
            broker = KafkaBroker(
                self.bootstrap, enable_idempotence=self.settings.kafka_idempotent_producer,
                middlewares=[KafkaPrometheusMiddleware(registry=REGISTRY, app_name="botilbud"),
                             *self.tracing.broker_middlewares()],
                # FastStream's per-message lines go to the standard JSON log at DEBUG: at INFO they would
                # drown everything else; failures are logged by the kit's consumer.
                logger=logging.getLogger("faststream"), log_level=logging.DEBUG,
                client_id=f"botilbud-{svc.name}")
            register(broker, svc.name, self.tracing.subscriptions(svc.name, parts.subscriptions, self.settings.topic),
                     self.settings, pool)
            self.brokers[svc.name] = broker
        await self.producer.start()
        await asyncio.gather(*(broker.start() for broker in self.brokers.values()))
        log.info("runtime_consumers_started", seconds=round(time.perf_counter() - started, 3))
        await self._start_relays()
        self._start_retention()
        await self._reach_identity_provider()
        separate_ops = self.settings.ops_port is not None
        root = create_root_app(
            signer=self.signer, users=self.users,
            mounts={name: parts.app for name, parts in self.parts.items()},
            titles={svc.name: svc.title for svc in self.services},
            readiness=self._readiness_checks(), operations_here=not separate_ops, oidc=self.oidc)
        # The front page's header names the user's office from a service's copy of the offices, as theirs do.
        root.state.header_office_name = next((p.app.state.header_office_name for p in self.parts.values()
                                              if hasattr(p.app.state, "header_office_name")), None)
        app = self.tracing.app(root)
        self._server, self.port = await self._serve(app, self.settings.http_port, "http")
        if separate_ops:
            self._ops_server, self.ops_port = await self._serve(
                create_ops_app(self._readiness_checks()), self.settings.ops_port, "ops-http")
        for parts in self.parts.values():
            for job in parts.on_started:
                await job()
            for name, job in parts.background.items():
                self._tasks.append(asyncio.create_task(job(self._stopping), name=name))
        log.info("runtime_started", services=[s.name for s in self.services], url=self.url)

    async def _start_relays(self) -> None:
        """An outbox relay per service. A broker that may have lost events (the embedded one, at every start)
        is refilled first: every outbox row again, in order, before new ones (kit/outbox.py)."""
        for svc in self.services:
            pool = self.pools[svc.name]
            if self.settings.outbox_republish_on_start:
                async with pool.acquire() as conn:
                    await request_republish(conn, svc.name, "start-up: the broker may have lost events")
            relay = OutboxRelay(pool, self.tracing.producer(self.producer), svc.name,
                                batch_size=self.settings.outbox_batch_size,
                                poll_seconds=self.settings.outbox_poll_seconds)
            self._tasks.append(asyncio.create_task(relay.run(self._stopping), name=f"outbox-relay-{svc.name}"))

    async def _reach_identity_provider(self) -> None:
        """Read the provider's discovery document and keys now, so that a wrong issuer is seen at start; a
        provider down is only logged (sessions already given go on; logins wait for it)."""
        if self.oidc is None:
            return
        try:
            await self.oidc.load()
        except Exception as exc:  # noqa: BLE001
            log.warning("identity_provider_unreachable", issuer=self.oidc.issuer, error=str(exc)[:300])

    def _start_retention(self) -> None:
        """The retention job per service database, where a retention is set (kit/retention.py)."""
        if not (self.settings.outbox_retention_days or self.settings.inbox_retention_days):
            return
        for svc in self.services:
            job = retention_job(self.pools[svc.name], svc.name, self.settings)
            self._tasks.append(asyncio.create_task(job(self._stopping), name=f"retention-{svc.name}"))

    async def _serve(self, app, port: int, name: str) -> tuple[uvicorn.Server, int]:
        """Serve `app` on `port` (0: a free one) until stop(); returns the server and the port it got. Proxy
        headers (client address, https) are believed only from BOTILBUD_FORWARDED_ALLOW_IPS."""
        config = uvicorn.Config(app, host=self.settings.http_host, port=port, log_config=None, access_log=False,
                                lifespan="off", timeout_graceful_shutdown=5, proxy_headers=True,
                                forwarded_allow_ips=self.settings.forwarded_allow_ips)
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve(), name=name)
        self._tasks.append(task)
        while not server.started:
            if task.done():
                task.result()  # raises the reason the server could not start
            await asyncio.sleep(0.02)
        return server, server.servers[0].sockets[0].getsockname()[1]

    def _readiness_checks(self):
        checks = {}
        for name, pool in self.pools.items():
            async def check_db(pool=pool):
                async with pool.acquire(timeout=2) as conn:
                    await conn.fetchval("SELECT 1")
            checks[f"database:{name}"] = check_db

        for name, broker in self.brokers.items():
            async def check_broker(broker=broker):
                if not await broker.ping(timeout=2):
                    raise RuntimeError("broker did not answer")
            checks[f"broker:{name}"] = check_broker
        return checks

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Stop in order — HTTP, background jobs and relays, consumers, producer, pools — each step bounded, so
        a stuck connection or client cannot keep the process from ending (it is logged and cut)."""
        for server in (self._server, self._ops_server):
            if server is not None:
                server.should_exit = True
        self._stopping.set()  # relays and background jobs finish the round in hand and end
        for task in self._tasks:
            await self._bounded(task, f"task {task.get_name()}", grace_seconds)
        for name, broker in self.brokers.items():
            await self._bounded(broker.stop(), f"broker client {name}", grace_seconds)
        await self._bounded(self.producer.stop(), "outbox producer", grace_seconds)
        for name, pool in self.pools.items():
            in_use = pool.get_size() - pool.get_idle_size()
            if not await self._bounded(pool.close(), f"database pool {name} ({in_use} connections in use)",
                                       grace_seconds):
                pool.terminate()  # connections still checked out: close them hard
        self.tracing.shutdown()
        log.info("runtime_stopped")

    @staticmethod
    async def _bounded(work, what: str, seconds: float) -> bool:
        """Await `work` for at most `seconds`; then it is cancelled (wait_for does that) and logged."""
        try:
            await asyncio.wait_for(work, seconds)
            return True
        except TimeoutError:
            log.warning("runtime_stop_timed_out", what=what, seconds=seconds)
        except (asyncio.CancelledError, Exception) as exc:
            log.warning("runtime_stop_failed", what=what, error=repr(exc)[:200])
        return False
