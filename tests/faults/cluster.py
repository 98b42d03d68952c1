"""The four services as separate OS processes (`python -m botilbud.cli run --target <service>`), as in
production, so one can be killed with SIGKILL and started again; and an HTTP transport that routes
/intake/…, /placement/…, /billing/…, /stats/… to the process that serves it (wherever it listens now)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from botilbud.embedded import free_port
from botilbud.settings import SERVICES, Settings


def service_env(settings: Settings, service: str, home: Path, ports: dict[str, int]) -> dict[str, str]:
    """`ports`: where each service of the cluster listens, fixed up front so that each process knows where the
    others are (placement's and billing's pages ask intake who a household is, intake's case page asks them)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOTILBUD_")}
    env.update({f"BOTILBUD_{other.upper()}_URL": f"http://127.0.0.1:{port}/{other}"
                for other, port in ports.items() if other in ("intake", "placement", "billing")})
    env.update({
        "BOTILBUD_HOME": str(home),
        "BOTILBUD_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
        "BOTILBUD_KAFKA_IDEMPOTENT_PRODUCER": str(settings.kafka_idempotent_producer).lower(),
        "BOTILBUD_KAFKA_SESSION_TIMEOUT_MS": str(settings.kafka_session_timeout_ms),
        "BOTILBUD_KAFKA_HEARTBEAT_INTERVAL_MS": str(settings.kafka_heartbeat_interval_ms),
        "BOTILBUD_DATABASE_URL": settings.database_url,
        f"BOTILBUD_{service.upper()}_DATABASE_URL": settings.service_database_url(service),
        "BOTILBUD_TOPIC_NAMESPACE": settings.topic_namespace,
        "BOTILBUD_HTTP_PORT": str(ports[service]),
        "BOTILBUD_SECRET_KEY": settings.secret_key.get_secret_value(),
        "BOTILBUD_ENCRYPTION_KEYS": settings.encryption_keys.get_secret_value(),
        "BOTILBUD_IDENTITY_HASH_KEY": settings.identity_hash_key.get_secret_value(),
        "BOTILBUD_USERS_FILE": str(settings.users_file),
        "BOTILBUD_OUTBOX_POLL_SECONDS": str(settings.outbox_poll_seconds),
        "BOTILBUD_CONSUMER_RETRY_BACKOFF_SECONDS": str(settings.consumer_retry_backoff_seconds),
        "BOTILBUD_LOG_JSON": "true",
        "BOTILBUD_DEMO_DATA": "true",
        "BOTILBUD_ALLOW_SYNTHETIC_IDS": "true",  # the traffic registers synthetic identity numbers
    })
    return env


class ServiceProcess:
    def __init__(self, settings: Settings, service: str, folder: Path, ports: dict[str, int]):
        self.service = service
        self.home = folder / service
        self.home.mkdir(parents=True, exist_ok=True)
        self.env = service_env(settings, service, self.home, ports)
        self.log = folder / f"{service}.log"
        self.process: subprocess.Popen | None = None
        self.url: str | None = None
        self.starts = 0

    @property
    def run_file(self) -> Path:
        return self.home / "run.json"

    def start(self) -> None:
        self.run_file.unlink(missing_ok=True)  # a killed process leaves its run file behind
        self.url = None
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "botilbud.cli", "run", "--target", self.service],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        self.starts += 1

    async def ready(self, within: float = 120.0) -> None:
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(timeout=5) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.service} exited with {self.process.returncode}; see {self.log}")
                if self.run_file.exists():
                    with contextlib.suppress(ValueError, KeyError):
                        run = json.loads(self.run_file.read_text())
                        if run["pid"] == self.process.pid:
                            with contextlib.suppress(httpx.HTTPError):
                                if (await client.get(f"{run['url']}/readyz")).status_code == 200:
                                    self.url = run["url"]
                                    return
                await asyncio.sleep(0.2)
        raise TimeoutError(f"{self.service} not ready after {within} s; see {self.log}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no goodbye to the broker or the database."""
        self.url = None
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        self.url = None
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def rss(self) -> int:
        import psutil

        return psutil.Process(self.process.pid).memory_info().rss if self.process else 0


class Cluster:
    def __init__(self, settings: Settings, folder: Path, services=SERVICES):
        self.settings = settings
        ports = {s: free_port() for s in services}
        self.procs = {s: ServiceProcess(settings, s, folder, ports) for s in services}

    async def start(self) -> None:
        for proc in self.procs.values():
            proc.start()
        await asyncio.gather(*(p.ready() for p in self.procs.values()))

    async def restart(self, service: str) -> None:
        proc = self.procs[service]
        proc.start()
        await proc.ready()

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.stop()

    def client(self, timeout: float = 15.0) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url="http://botilbud.cluster", transport=Router(self), timeout=timeout)


class Router(httpx.AsyncBaseTransport):
    """Sends each request to the process that serves its first path segment (login: any running one)."""

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        segment = request.url.path.split("/")[1]
        proc = self.cluster.procs.get(segment)
        url = proc.url if proc else next((p.url for p in self.cluster.procs.values() if p.url), None)
        if url is None:
            raise httpx.ConnectError(f"{segment} is down", request=request)
        target = httpx.URL(url)
        request.url = request.url.copy_with(scheme=target.scheme, host=target.host, port=target.port)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
