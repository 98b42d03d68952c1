"""pytest plugin (tests/conftest.py loads it): one Keycloak for the whole session, a real OpenID Connect
provider with the demo realm of deploy/keycloak/realm.json (deploy/keycloak/keycloak.sh runs it).

Keycloak takes a minute or more to start, so it is launched as soon as the collected tests show that one needs
it (the `keycloak` fixture) and starts while the tests before them run; the fixture waits for it. Its realm
allows exactly one redirect URI, so the stacks that log in through it serve on the session's `site_port`.

A developer may keep one running between runs (`keycloak.sh start PORT DIR http://127.0.0.1:SITE_PORT`) and
name it: BOTILBUD_TEST_OIDC_ISSUER=http://127.0.0.1:PORT/realms/botilbud BOTILBUD_TEST_OIDC_SITE_PORT=SITE_PORT."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from botilbud.embedded import free_port, free_port_pair

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "keycloak" / "keycloak.sh"
# The demo realm's groups, and what they are in Botilbud (docs/operations.md, "Identity provider").
DEMO_ROLES = {"botilbud-veileder": "case_worker", "botilbud-leder": "office_leader", "botilbud-okonomi": "finance",
              "botilbud-drift": "operations", "botilbud-admin": "admin", "botilbud-kommunestab": "municipality_staff"}
DEMO_WEB_SECRET = "demo-web-secret"  # realm.json's defaults
DEMO_SCRIPT_SECRET = "demo-script-secret"


@dataclass
class Keycloak:
    datadir: Path
    port: int
    site_port: int
    issuer: str = ""
    external: bool = False
    failure: str = ""

    @property
    def site_url(self) -> str:
        return f"http://127.0.0.1:{self.site_port}"


_launched: Keycloak | None = None


def _launch() -> Keycloak:
    if issuer := os.environ.get("BOTILBUD_TEST_OIDC_ISSUER"):
        return Keycloak(Path(), 0, int(os.environ["BOTILBUD_TEST_OIDC_SITE_PORT"]), issuer, external=True)
    keycloak = Keycloak(Path(tempfile.mkdtemp(prefix="keycloak-")), free_port_pair(), free_port())
    launched = subprocess.run(["bash", str(SCRIPT), "launch", str(keycloak.port), str(keycloak.datadir),
                               keycloak.site_url], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    keycloak.failure = launched.stderr[-3000:] if launched.returncode else ""  # the tests that need it fail with it
    return keycloak


def pytest_collection_finish(session):
    global _launched
    if _launched is None and any("keycloak" in getattr(item, "fixturenames", ()) for item in session.items):
        _launched = _launch()


def pytest_sessionfinish(session):
    if _launched is not None and not _launched.external:
        subprocess.run(["bash", str(SCRIPT), "stop", str(_launched.datadir)], check=False)
        shutil.rmtree(_launched.datadir, ignore_errors=True)


@pytest.fixture(scope="session")
def keycloak() -> Keycloak:
    global _launched
    if _launched is None:  # e.g. a test selected by name after collection
        _launched = _launch()
    if _launched.failure:
        pytest.fail(f"Keycloak could not be launched: {_launched.failure}")
    if not _launched.issuer:
        waited = subprocess.run(["bash", str(SCRIPT), "wait", str(_launched.datadir)], capture_output=True,
                                text=True)
        if waited.returncode != 0:
            pytest.fail(f"Keycloak did not start: {waited.stderr[-3000:]}")
        _launched.issuer = waited.stdout.strip().splitlines()[-1]
    return _launched
