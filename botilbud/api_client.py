"""What every command that talks to a running system needs: find it, log in, and say what went wrong.

Logging in: where the system uses the municipality's identity provider (it says so at /auth/config), a script
with BOTILBUD_CLIENT_ID and BOTILBUD_CLIENT_SECRET gets a token with the client credentials grant (a service
account whose role the provider names), and a person at a terminal with the device authorization grant
(open the address shown, log in, approve). The embedded demo takes a user name and password instead."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import typer

from botilbud.settings import Settings


def running_system(address: str | None) -> str:
    """The address of a running system: the one given, or the embedded stack's from its run file."""
    if address:
        return address.rstrip("/")
    run_file = Settings().home / "run.json"
    running = json.loads(run_file.read_text()) if run_file.exists() else None
    if running is None or not _alive(running["pid"]):
        raise typer.BadParameter("No running system found: start one with `botilbud run`, or give --address.")
    return running["url"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def api_session(address: str | None, user: str | None, password: str | None,
                timeout: float = 120) -> Iterator[httpx.Client]:
    """An HTTP client on the running system, logged in with a bearer token (exit code 2 if login fails)."""
    user = user or os.environ.get("BOTILBUD_USER")
    password = password or os.environ.get("BOTILBUD_PASSWORD")
    with httpx.Client(base_url=running_system(address), timeout=timeout) as client:
        provider = client.get("/auth/config")
        if provider.status_code == 200:
            token = provider_token(provider.json())
        else:
            token = password_token(client, user, password)
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def password_token(client: httpx.Client, user: str | None, password: str | None) -> str:
    if not user or not password:
        raise typer.BadParameter("Give --user and --password (or set BOTILBUD_USER and BOTILBUD_PASSWORD).")
    token = client.post("/api/token", data={"username": user, "password": password})
    if token.status_code != 200:
        typer.echo(f"Innlogging feilet ({token.status_code}): feil brukernavn eller passord.", err=True)
        raise typer.Exit(2)
    return token.json()["access_token"]


DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def provider_token(config: dict) -> str:
    """An access token from the identity provider: client credentials for a script, else the device grant."""
    import httpx2  # Authlib's HTTP client
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.httpx_client import OAuth2Client

    metadata = httpx.get(f"{config['issuer'].rstrip('/')}/.well-known/openid-configuration", timeout=30).json()
    client_id, secret = os.environ.get("BOTILBUD_CLIENT_ID"), os.environ.get("BOTILBUD_CLIENT_SECRET")
    try:
        if client_id and secret:
            with OAuth2Client(client_id, secret, timeout=30) as oauth:
                return oauth.fetch_token(metadata["token_endpoint"], grant_type="client_credentials")["access_token"]
        with OAuth2Client(config["cli_client_id"], scope="openid", timeout=30) as oauth:
            return _device_login(oauth, metadata)
    except (AuthlibBaseError, httpx.HTTPError, httpx2.HTTPError, KeyError, ValueError) as exc:
        typer.echo(f"Innlogging feilet: {getattr(exc, 'description', None) or exc}", err=True)
        raise typer.Exit(2) from exc


def _device_login(oauth, metadata: dict) -> str:
    """The device authorization grant (RFC 8628): show where to log in, then ask for the token until the person
    has approved (or the code has expired)."""
    from authlib.common.errors import AuthlibBaseError

    endpoint = metadata.get("device_authorization_endpoint")
    if not endpoint:
        raise KeyError("the identity provider offers no device login (device_authorization_endpoint)")
    response = oauth.request("POST", endpoint, withhold_token=True,
                             data={"client_id": oauth.client_id, "scope": "openid"})
    response.raise_for_status()
    device = response.json()
    address = device.get("verification_uri_complete") or device["verification_uri"]
    typer.echo(f"Logg inn: åpne {address} i en nettleser og godkjenn koden {device['user_code']}.", err=True)
    interval, deadline = device.get("interval", 5), time.monotonic() + device.get("expires_in", 600)
    while time.monotonic() < deadline:
        time.sleep(interval)
        try:
            return oauth.fetch_token(metadata["token_endpoint"], grant_type=DEVICE_GRANT,
                                     device_code=device["device_code"])["access_token"]
        except AuthlibBaseError as exc:
            if exc.error == "slow_down":
                interval += 5
            elif exc.error != "authorization_pending":
                raise
    raise KeyError("the login code expired before it was approved")


def error_text(response: httpx.Response) -> str:
    """The API's error (a problem, RFC 9457), with the fields it names: `field: message; …`."""
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} {response.text[:500]}"
    errors = body.get("errors") or (body["detail"] if isinstance(body.get("detail"), list) else None)
    if errors:
        detail = "; ".join(f"{'.'.join(str(p) for p in d.get('loc', [])[1:])}: {d.get('msg')}" for d in errors)
    else:
        detail = body.get("detail")
    return f"{response.status_code} {detail}"
