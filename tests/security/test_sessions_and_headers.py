"""Sessions and tokens expire; logout ends the session for good; every response carries the security headers,
HSTS when served over https, and nothing is cached."""

import asyncio
import time

import httpx
import pytest

from kit.auth import SESSION_COOKIE
from tests.conftest import login, running
from tests.security.test_csrf import browser_session

pytestmark = [pytest.mark.integration, pytest.mark.http_only]

HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


async def test_every_kind_of_response_carries_the_security_headers(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        worker = await login(client, "leder-grunerlokka")
        responses = [await client.get(p) for p in ("/login", "/healthz", "/metrics", "/finnes-ikke",
                                                    "/intake/api/applications", "/intake/")]
        responses += [await client.get(p, headers=worker) for p in (
            "/", "/intake/", "/placement/", "/billing/", "/stats/", "/intake/api/applications",
            "/placement/api/providers", "/billing/api/requisitions", "/stats/api/reports", "/intake/openapi.json",
            "/billing/api/invoices")]
        responses.append(await client.post("/intake/api/applications", headers=worker, json={}))  # 422
        await browser_session(client, "admin")
        responses.append(await client.post("/logout"))  # refused: no CSRF token
        statuses = set()
        for r in responses:
            statuses.add(r.status_code)
            for name, value in HEADERS.items():
                assert r.headers.get(name) == value, (r.request.url, name, r.headers.get(name))
            csp = r.headers["content-security-policy"]
            assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
            assert "strict-transport-security" not in r.headers  # plain http: HSTS would be ignored anyway
        assert {200, 303, 401, 403, 404, 422} <= statuses

        # Behind a TLS-terminating proxy (X-Forwarded-Proto from a trusted address) HSTS is sent.
        tls = await client.get("/login", headers={"x-forwarded-proto": "https"})
        assert tls.headers["strict-transport-security"].startswith("max-age=31536000")


async def test_logout_ends_the_session_even_for_a_kept_copy_of_the_cookie(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        token = await browser_session(client, "veileder-grunerlokka")
        kept = client.cookies[SESSION_COOKIE]
        assert (await client.get("/intake/")).status_code == 200
        r = await client.post("/logout", data={"csrf_token": token})
        assert r.status_code == 303 and SESSION_COOKIE not in client.cookies
        set_cookie = r.headers["set-cookie"]
        assert f"{SESSION_COOKIE}=" in set_cookie and "Max-Age=0" in set_cookie
    async with httpx.AsyncClient(base_url=stack.url, timeout=10, cookies={SESSION_COOKIE: kept}) as replay:
        r = await replay.get("/intake/")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert (await replay.get("/intake/api/applications")).status_code == 401
        assert (await replay.get("/intake/api/applications", headers={"authorization": f"Bearer {kept}"})
                ).status_code == 401
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as other:
        # Another session of the same person is not touched by that logout.
        assert (await other.get("/intake/api/applications",
                                headers=await login(other, "veileder-grunerlokka"))).status_code == 200


# Long enough that a busy machine logs in and asks twice within it; short enough to wait for.
TTL = 8


@pytest.fixture
async def short_lived(settings):
    settings = settings.model_copy(update={"token_ttl_seconds": TTL})
    async with running(settings, "intake") as runtime:
        yield runtime


async def test_tokens_and_sessions_expire_after_the_ttl(short_lived):
    async with httpx.AsyncClient(base_url=short_lived.url, timeout=10) as client:
        token = await client.post("/api/token", data={"username": "veileder-grunerlokka", "password": "demo"})
        assert token.json()["expires_in"] == TTL
        bearer = {"authorization": f"Bearer {token.json()['access_token']}"}
        page_token = await browser_session(client, "veileder-grunerlokka")
        again = await client.post("/login", data={"username": "veileder-grunerlokka", "password": "demo",
                                                  "next": "/", "csrf_token": page_token})
        issued = time.monotonic()  # the token and the session cookie were both signed before this
        assert f"Max-Age={TTL}" in again.headers["set-cookie"]  # the browser drops it after the same TTL
        cookie = client.cookies[SESSION_COOKIE]
        assert (await client.get("/intake/api/applications", headers=bearer)).status_code == 200
        assert (await client.get("/intake/")).status_code == 200
        await asyncio.sleep(TTL + 1.2 - (time.monotonic() - issued))  # past it (the signature counts whole seconds)
        assert (await client.get("/intake/api/applications", headers=bearer)).status_code == 401
    # The browser drops the cookie itself (Max-Age is the TTL); a kept copy is refused by the server too.
    async with httpx.AsyncClient(base_url=short_lived.url, timeout=10, cookies={SESSION_COOKIE: cookie}) as kept:
        r = await kept.get("/intake/")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
