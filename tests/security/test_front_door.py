"""The front door and the operations port: /metrics and the readiness reasons are for operations only (an
operations port of their own, not routed by the front door); proxy headers are believed only from the front
door's addresses, so behind https the cookies are Secure and HSTS is sent, and a client elsewhere cannot claim
https or another address. One test runs a real Caddy with deploy/caddy/Caddyfile in front of the stack."""

import asyncio
import os
import shutil
import socket
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml

from botilbud.settings import SERVICES
from kit.auth import CSRF_COOKIE, SESSION_COOKIE
from tests.conftest import DEMO_PASSWORD, eventually, running
from tests.security.test_csrf import TOKEN

ROOT = Path(__file__).resolve().parents[2]
HTTPS = {"x-forwarded-proto": "https"}


def set_cookies(response: httpx.Response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}


async def form_login(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    """The login form as a browser posts it; returns the answer that sets the session cookie."""
    client.cookies.clear()  # a new visitor: given a CSRF cookie to bind the form to
    page = await client.get("/login", headers=headers)
    csrf = set_cookies(page)[CSRF_COOKIE].split(";")[0].split("=", 1)[1]
    client.cookies.clear()
    return await client.post("/login", headers=headers, cookies={CSRF_COOKIE: csrf}, data={
        "username": "veileder-grunerlokka", "password": DEMO_PASSWORD, "next": "/",
        "csrf_token": TOKEN.search(page.text).group(1)})


async def test_behind_a_trusted_front_door_over_https_cookies_are_secure_and_hsts_is_sent(stack):
    # The stack believes proxy headers from 127.0.0.1 (BOTILBUD_FORWARDED_ALLOW_IPS' default), where this
    # client is: as the front door would be.
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        page = await client.get("/login", headers=HTTPS)
        assert page.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
        assert "; Secure" in set_cookies(page)[CSRF_COOKIE]
        logged_in = await form_login(client, HTTPS)
        assert logged_in.status_code == 303 and "; secure" in set_cookies(logged_in)[SESSION_COOKIE].lower()
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as plain:  # plain http: neither
        page = await plain.get("/login")
        assert "strict-transport-security" not in page.headers and "Secure" not in set_cookies(page)[CSRF_COOKIE]
        logged_in = await form_login(plain, {})
        assert logged_in.status_code == 303 and "secure" not in set_cookies(logged_in)[SESSION_COOKIE].lower()


@pytest.fixture
async def behind_another_front_door(settings):
    """Intake with an operations port of its own, believing proxy headers only from 192.0.2.1 (not this client)."""
    settings = settings.model_copy(update={"ops_port": 0, "forwarded_allow_ips": "192.0.2.1", "demo_data": False})
    async with running(settings, "intake") as runtime:
        yield runtime


async def test_metrics_and_readiness_reasons_are_on_the_operations_port_only(behind_another_front_door):
    runtime = behind_another_front_door
    assert runtime.ops_port and runtime.ops_port != runtime.port
    async with httpx.AsyncClient(base_url=runtime.url, timeout=10) as public, \
            httpx.AsyncClient(base_url=runtime.ops_url, timeout=10) as ops:
        assert (await public.get("/healthz")).json() == {"status": "ok"}
        assert (await public.get("/metrics")).status_code == 404
        metrics = await ops.get("/metrics")
        assert metrics.status_code == 200 and "botilbud_http_requests_total" in metrics.text
        checks = ["broker:intake", "database:intake"]
        assert (await public.get("/readyz")).json() == {"status": "ready", "checks": checks}
        assert (await ops.get("/readyz")).json()["status"] == "ready"
        assert (await ops.get("/login")).status_code == 404  # nothing else on the operations port

        runtime.pools["intake"].terminate()  # the database goes away
        public_answer, ops_answer = await public.get("/readyz"), await ops.get("/readyz")
        assert public_answer.status_code == ops_answer.status_code == 503
        assert public_answer.json() == {"status": "not ready", "failing": ["database:intake"]}  # no reasons
        assert ops_answer.json()["failures"]["database:intake"].startswith("InterfaceError: ")


async def test_proxy_headers_from_an_untrusted_address_are_ignored(behind_another_front_door):
    async with httpx.AsyncClient(base_url=behind_another_front_door.url, timeout=10) as client:
        page = await client.get("/login", headers=HTTPS)
        assert "strict-transport-security" not in page.headers and "Secure" not in set_cookies(page)[CSRF_COOKIE]
        logged_in = await form_login(client, HTTPS)
        assert logged_in.status_code == 303 and "secure" not in set_cookies(logged_in)[SESSION_COOKIE].lower()
        # Nor can it choose the address its failed logins count against: 30 failures, each "from" another address.
        for i in range(30):
            r = await client.post("/api/token", data={"username": f"gjett-{i}", "password": "x"},
                                  headers={"x-forwarded-for": f"198.51.100.{i}"})
            assert r.status_code == 401
        refused = await client.post("/api/token", data={"username": "admin", "password": DEMO_PASSWORD},
                                    headers={"x-forwarded-for": "198.51.100.200"})
        assert refused.status_code == 429 and refused.headers["retry-after"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def caddy_binary() -> str:
    path = shutil.which("caddy")
    if not path:
        pytest.fail("The front-door test needs Debian's Caddy: apt-get install caddy (.ci/run installs it)")
    return path


@pytest.fixture
async def front_door(stack, caddy_binary, tmp_path):
    """deploy/caddy/Caddyfile served by a real Caddy over https (its own local CA) in front of the stack, which
    serves every service in one process; the Caddy admin API is off and nothing is installed in a trust store."""
    https_port, http_port = free_port(), free_port()
    config = tmp_path / "Caddyfile"
    config.write_text(f"{{\n\tadmin off\n\tskip_install_trust\n\tlocal_certs\n\thttp_port {http_port}\n"
                      f"\thttps_port {https_port}\n\tstorage file_system {tmp_path / 'data'}\n}}\n"
                      f"import {ROOT / 'deploy' / 'caddy' / 'Caddyfile'}\n")
    upstream = f"127.0.0.1:{stack.port}"
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "BOTILBUD_SITE": f"https://localhost:{https_port}",
           **{f"BOTILBUD_{service.upper()}": upstream for service in SERVICES}}
    log = (tmp_path / "caddy.log").open("w")
    process = await asyncio.create_subprocess_exec(
        caddy_binary, "run", "--config", str(config), "--adapter", "caddyfile", env=env, stdout=log,
        stderr=subprocess.STDOUT, cwd=tmp_path)
    root_ca = tmp_path / "data" / "pki" / "authorities" / "local" / "root.crt"
    try:
        async def up():
            if process.returncode is not None:
                raise AssertionError(f"caddy exited: {(tmp_path / 'caddy.log').read_text()[-2000:]}")
            return root_ca.exists()
        await eventually(up, within=30)
        client = httpx.AsyncClient(base_url=f"https://localhost:{https_port}", verify=str(root_ca), timeout=10)

        async def serving():
            try:
                return (await client.get("/healthz")).status_code == 200
            except httpx.HTTPError:
                return False
        await eventually(serving, within=30)
        yield client
        await client.aclose()
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 20)
        log.close()


async def test_through_a_real_caddy_front_door(front_door, stack):
    front_door.cookies.clear()
    page = await front_door.get("/login")
    assert page.status_code == 200 and "Logg inn" in page.text
    assert page.headers["strict-transport-security"].startswith("max-age=31536000")
    assert "; Secure" in set_cookies(page)[CSRF_COOKIE]
    logged_in = await form_login(front_door, {})
    assert logged_in.status_code == 303 and "; secure" in set_cookies(logged_in)[SESSION_COOKIE].lower()
    for path in ("/metrics", "/readyz", "/metrics/", "/METRICS"):
        assert (await front_door.get(path)).status_code == 404, path
    async with httpx.AsyncClient(base_url=stack.url) as inside:  # the service itself still answers operations
        assert (await inside.get("/readyz")).status_code == 200
    worker = (await front_door.post("/api/token", data={"username": "veileder-grunerlokka",
                                                         "password": DEMO_PASSWORD})).json()["access_token"]
    cases = await front_door.get("/intake/api/applications", headers={"authorization": f"Bearer {worker}"})
    assert cases.status_code == 200
    # A client's own X-Forwarded-For does not pass the front door: its failures count against its real address.
    for i in range(30):
        r = await front_door.post("/api/token", data={"username": f"gjett-{i}", "password": "x"},
                                  headers={"x-forwarded-for": f"198.51.100.{i}"})
        assert r.status_code == 401
    assert (await front_door.post("/api/token", data={"username": "admin", "password": DEMO_PASSWORD})
            ).status_code == 429


def test_compose_keeps_operations_off_the_front_door():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    subnet = compose["networks"]["front-door"]["ipam"]["config"][0]["subnet"]
    assert compose["services"]["front-door"]["networks"] == ["front-door"]
    for name in SERVICES:
        service = compose["services"][name]
        ops_port = service["environment"]["BOTILBUD_OPS_PORT"]
        assert ops_port != "8080" and service["environment"]["BOTILBUD_FORWARDED_ALLOW_IPS"] == subnet
        assert set(service["networks"]) == {"default", "front-door"}
        assert f"127.0.0.1:{ops_port}/readyz" in " ".join(service["healthcheck"]["test"])
        assert "ports" not in service  # reached through the front door only
    prometheus = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    ports = {job["job_name"]: job["dns_sd_configs"][0]["port"] for job in prometheus["scrape_configs"]
             if job["job_name"] in SERVICES}
    assert ports == {name: int(compose["services"][name]["environment"]["BOTILBUD_OPS_PORT"]) for name in SERVICES}
    caddyfile = (ROOT / "deploy" / "caddy" / "Caddyfile").read_text()
    assert ":9102" not in caddyfile and "@operations path /metrics /metrics/* /readyz /readyz/*" in caddyfile
