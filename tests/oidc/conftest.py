"""A stack that logs people in through the real Keycloak (tests/oidc/keycloak.py), and a browser's way
through Keycloak's own login page."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from botilbud.settings import Settings
from botilbud.stack import definitions
from kit.runtime import Runtime
from kit.settings import OidcSettings
from tests.oidc.keycloak import DEMO_ROLES, DEMO_SCRIPT_SECRET, DEMO_WEB_SECRET, Keycloak

DEMO_PASSWORD = "demo"  # realm.json's users


@pytest.fixture
def oidc_settings(settings, keycloak: Keycloak) -> Settings:
    return settings.model_copy(update={"http_port": keycloak.site_port, "users_file": None, "oidc": OidcSettings(
        _env_file=None, issuer=keycloak.issuer, client_secret=SecretStr(DEMO_WEB_SECRET), site_url=keycloak.site_url,
        roles=DEMO_ROLES)})


@pytest.fixture
async def oidc_stack(oidc_settings) -> AsyncIterator[Runtime]:
    runtime = Runtime(oidc_settings, definitions("all"), bootstrap=oidc_settings.kafka_bootstrap, users=None,
                      secret=oidc_settings.secret_key.get_secret_value())
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


async def keycloak_login(page, username: str) -> None:
    """Keycloak's login form, filled in as a person would."""
    await page.locator("#username").fill(username)
    await page.locator("#password").fill(DEMO_PASSWORD)
    await page.locator("#kc-login").click()


async def browser_login(browser, stack: Runtime, username: str, path: str = "/"):
    """A new browser that opens `path` of the stack, is sent to Keycloak, logs in and comes back to it."""
    context = await browser.new_context(base_url=stack.url, locale="nb-NO")
    page = await context.new_page()
    await page.goto(path)
    await page.locator("#kc-login").wait_for()
    await keycloak_login(page, username)
    await page.wait_for_url(f"{stack.url}{path}")
    return page


async def client_credentials_token(keycloak: Keycloak, client_id: str = "botilbud-script",
                                   secret: str = DEMO_SCRIPT_SECRET) -> str:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(f"{keycloak.issuer}/protocol/openid-connect/token", data={
            "grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})
        response.raise_for_status()
        return response.json()["access_token"]
