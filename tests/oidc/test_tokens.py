"""The identity provider's access tokens on the APIs — a real Keycloak: the `botilbud` command logs a person in
with the device authorization grant (the test opens the address it shows in a browser, logs in and approves,
as a person would), a script with client credentials; tokens of another issuer, for another audience or
expired are refused with 401 problem details; and the password routes are off."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.conftest import eventually
from tests.oidc.conftest import DEMO_SCRIPT_SECRET, client_credentials_token, keycloak_login

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.http_only]
BOTILBUD = [sys.executable, "-m", "botilbud.cli"]


def kostra_path(stack) -> str:
    return f"/stats/api/kostra?year={stack.parts['stats'].app.state.views.today().year}&municipality=0301"


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOTILBUD_")}
    return {**env, "BOTILBUD_LOG_LEVEL": "WARNING", **extra}


async def test_a_person_at_a_terminal_logs_in_with_the_device_grant_and_the_command_works(oidc_stack, browser):
    year = oidc_stack.parts["stats"].app.state.views.today().year
    command = await asyncio.create_subprocess_exec(
        *BOTILBUD, "kostra", "--address", oidc_stack.url, "--year", str(year), "--municipality", "0301",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=cli_env())
    try:
        prompt = (await asyncio.wait_for(command.stderr.readline(), 120)).decode()
        address = re.search(r"åpne (\S+) i en nettleser og godkjenn koden (\S+)\.", prompt)
        assert address, prompt
        context = await browser.new_context(locale="nb-NO")
        page = await context.new_page()
        await page.goto(address.group(1))
        await keycloak_login(page, "leder-grunerlokka")
        await page.get_by_role("button", name="Ja").click()  # "Gi tilgang": let the command act as me
        out, err = await asyncio.wait_for(command.communicate(), 120)
    finally:
        if command.returncode is None:
            command.kill()
            await command.wait()
    assert command.returncode == 0, err.decode()
    answer = out.decode()
    assert f'"year": {year}' in answer and '"municipality": "0301"' in answer and '"households": ' in answer


async def test_a_script_gets_a_token_with_client_credentials(oidc_stack, keycloak):
    command = await asyncio.create_subprocess_exec(
        *BOTILBUD, "stats", "kostra", "--address", oidc_stack.url, "--year", "2025", "--municipality", "0301",
        "--format", "table", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=cli_env(BOTILBUD_CLIENT_ID="botilbud-script", BOTILBUD_CLIENT_SECRET=DEMO_SCRIPT_SECRET))
    out, err = await asyncio.wait_for(command.communicate(), 120)
    assert command.returncode == 0, err.decode()
    assert out.decode().startswith("KOSTRA 2025, kommune 0301")

    token = await client_credentials_token(keycloak)  # the service account is in the operations group
    async with httpx.AsyncClient(base_url=oidc_stack.url, timeout=30,
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        assert (await client.get(kostra_path(oidc_stack))).status_code == 200
        assert (await client.get("/stats/gjenoppbygging")).status_code == 200  # operations may rebuild
        refused = await client.get("/billing/api/invoices")  # … and may not read invoices
        assert refused.status_code == 403 and "Rollen din har ikke tilgang" in refused.json()["detail"]


def forged(issuer: str, **claims) -> str:
    """A token signed with a key of our own: what another issuer (or a forger) would send."""
    key = RSAKey.generate_key(2048, parameters={"kid": "not-the-provider-s"})
    now = int(time.time())
    return jwt.encode({"alg": "RS256", "kid": "not-the-provider-s"}, {
        "iss": issuer, "aud": "botilbud", "sub": "x", "preferred_username": "drift", "groups": ["botilbud-drift"],
        "iat": now, "exp": now + 300, **claims}, key)


async def refused(stack, token: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        return await client.get(kostra_path(stack), headers={"Authorization": f"Bearer {token}"})


def assert_401_problem(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 401 and response.json()["detail"] == "Ikke innlogget eller utløpt token."
    assert response.headers["www-authenticate"] == "Bearer"


async def test_tokens_of_another_issuer_or_audience_and_expired_ones_are_refused_with_401(oidc_stack, keycloak):
    assert_401_problem(await refused(oidc_stack, forged("https://idp.example/realms/botilbud")))
    assert_401_problem(await refused(oidc_stack, forged(keycloak.issuer)))  # the right issuer, not its key
    # Keycloak's own token, but for another service: its audience is not Botilbud's.
    assert_401_problem(await refused(oidc_stack, await client_credentials_token(
        keycloak, "annen-tjeneste", "demo-annen-secret")))
    # A token that expires a second after it is issued: accepted, then refused (past the clock-skew leeway).
    short = await client_credentials_token(keycloak, "botilbud-kortlevd", "demo-kortlevd-secret")
    assert (await refused(oidc_stack, short)).status_code == 200

    async def expired():
        return (await refused(oidc_stack, short)).status_code == 401
    await eventually(expired, within=60, interval=1)
    assert_401_problem(await refused(oidc_stack, short))
    assert_401_problem(await refused(oidc_stack, "not.a.token"))


async def test_with_an_identity_provider_the_password_routes_are_off(oidc_stack):
    async with httpx.AsyncClient(base_url=oidc_stack.url, timeout=30) as client:
        token = await client.post("/api/token", data={"username": "drift", "password": "demo"})
        assert token.status_code == 400
        assert "Innlogging med passord er slått av" in token.json()["detail"]
        page = await client.get("/login")
        assert "Logg inn med kommunens innlogging" in page.text and 'name="password"' not in page.text
        assert "Innlogging med brukernavn og passord i Botilbud er slått av" in page.text
        to_provider = await client.get("/intake/")
        assert to_provider.status_code == 303 and to_provider.headers["location"] == "/auth/login?next=%2Fintake%2F"
