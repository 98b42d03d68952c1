"""What every command that talks to a running system needs: find it, log in, and say what went wrong."""

from __future__ import annotations

import json
import os
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
    if not user or not password:
        raise typer.BadParameter("Give --user and --password (or set BOTILBUD_USER and BOTILBUD_PASSWORD).")
    with httpx.Client(base_url=running_system(address), timeout=timeout) as client:
        token = client.post("/api/token", data={"username": user, "password": password})
        if token.status_code != 200:
            typer.echo(f"Innlogging feilet ({token.status_code}): feil brukernavn eller passord.", err=True)
            raise typer.Exit(2)
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        yield client


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
