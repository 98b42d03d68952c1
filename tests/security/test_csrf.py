"""CSRF: every form that changes state carries the session's token, and a cookie-authenticated post without
it (a page of another site posting our form) is refused with 403 and a Norwegian message."""

import re
from pathlib import Path

import httpx
import pytest

from botilbud.stack import DEMO_PASSWORD
from kit.auth import CSRF_COOKIE, SESSION_COOKIE
from tests.conftest import login

pytestmark = [pytest.mark.integration, pytest.mark.http_only]
ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted([*ROOT.glob("services/*/entrypoints/templates/*.html"), *ROOT.glob("kit/templates/*.html")])
FORM = re.compile(r"<form\b[^>]*>", re.IGNORECASE)
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_every_post_form_in_every_template_carries_the_token():
    post_forms = 0
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for match in FORM.finditer(text):
            if 'method="post"' not in match.group(0).lower():
                continue
            post_forms += 1
            following = text[match.end():match.end() + 40]
            assert following.startswith("{{ csrf_field() }}"), f"{path.relative_to(ROOT)}: {match.group(0)}"
    assert post_forms >= 18  # intake, placement, billing, login and logout


async def browser_session(client: httpx.AsyncClient, username: str) -> str:
    """Log in through the login form as a browser does; returns the token of the session's forms."""
    page = await client.get("/login")
    assert CSRF_COOKIE in client.cookies
    token = TOKEN.search(page.text).group(1)
    r = await client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "next": "/",
                                          "csrf_token": token})
    assert r.status_code == 303, r.text
    assert SESSION_COOKIE in client.cookies
    return TOKEN.search((await client.get("/")).text).group(1)


async def test_a_login_without_the_forms_token_is_refused(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        await client.get("/login")
        r = await client.post("/login", data={"username": "admin", "password": DEMO_PASSWORD, "next": "/"},
                              headers={"accept": "text/html"})
        assert r.status_code == 403
        assert "sikkerhetsnøkkelen" in r.text and "Last inn siden på nytt" in r.text
        assert SESSION_COOKIE not in client.cookies


async def test_cookie_posts_need_the_sessions_token_and_bearer_calls_do_not(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        token = await browser_session(client, "leder-grunerlokka")
        form = {"name": "Trygg Havn AS", "organisation_number": "", "kind": "hospits", "municipality": "0301",
                "contact": ""}
        forged = await client.post("/placement/providers/new", data=form)
        assert forged.status_code == 403
        assert "sikkerhetsnøkkelen" in forged.json()["detail"]
        wrong = await client.post("/placement/providers/new", data={**form, "csrf_token": token[:-2] + "xx"})
        assert wrong.status_code == 403
        # The same page in a JSON body from a script without the header is refused as well.
        assert (await client.post("/intake/api/applications", json={})).status_code == 403

        # Another person's session has another token: a token is bound to the session it was made for.
        async with httpx.AsyncClient(base_url=stack.url, timeout=10) as other:
            other_token = await browser_session(other, "leder-grunerlokka")
        assert other_token != token
        assert (await client.post("/placement/providers/new", data={**form, "csrf_token": other_token})
                ).status_code == 403

        # With the page's token the post reaches the service (which judges the fields as before).
        sent = await client.post("/placement/providers/new", data={**form, "csrf_token": token})
        assert sent.status_code != 403, sent.text
        # The header works for scripts.
        via_header = await client.post("/intake/api/applications", json={}, headers={"x-csrf-token": token})
        assert via_header.status_code != 403

    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as api:
        headers = await login(api, "veileder-grunerlokka")
        r = await api.post("/intake/api/applications", headers=headers, json={})
        assert r.status_code == 422  # judged by the service, not refused for CSRF


async def test_logout_needs_the_token_and_ends_the_session_in_the_browser(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        token = await browser_session(client, "admin")
        assert (await client.post("/logout")).status_code == 403
        assert SESSION_COOKIE in client.cookies
        r = await client.post("/logout", data={"csrf_token": token})
        assert r.status_code == 303
        assert SESSION_COOKIE not in client.cookies
        assert (await client.get("/intake/")).status_code == 303
