"""A toy service mounted in the kit's real root app, called in process: for the kit's own HTTP behaviour (the
input guard, error logging, login throttling) without PostgreSQL or a broker."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from uuid import UUID

import asyncpg
import httpx
from fastapi import Depends, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from kit.auth import CurrentUser, LoginThrottle, Role, TokenSigner, User, UserDirectory, requires
from kit.web import create_root_app

PASSWORD = "riktig passord"
WORKER = User("veileder", Role.CASE_WORKER, "nav-asker", "Veileder")
SIGNER = TokenSigner("kit-tests-only", 3600)


class Person(BaseModel):
    name: str = Field(max_length=200)
    identity_number: str = Field(max_length=11)
    children: list[str] = Field(default_factory=list, max_length=10)


class Number(BaseModel):
    value: int


def toy_service() -> FastAPI:
    app = FastAPI()

    @app.post("/api/people")
    async def register(person: Person, user: CurrentUser):
        person.name.encode("utf-8")  # as any database driver does: a lone surrogate cannot be encoded
        return {"ok": True}

    @app.post("/api/people/parse")
    async def parse(person: Person, user: CurrentUser):
        return {"n": int(person.name)}  # a bug: ValueError quoting the name

    @app.post("/api/people/inner")
    async def inner(person: Person, user: CurrentUser):
        return Number.model_validate({"value": person.identity_number + person.name})  # a bug: ValidationError

    @app.post("/api/people/store")
    async def store(person: Person, user: CurrentUser):
        # What asyncpg raises for a value PostgreSQL cannot take: the message quotes it.
        raise asyncpg.DataError(f"invalid input for query argument $1: {person.name!r} (bad)")

    @app.get("/api/search")
    async def search(user: CurrentUser, district: str = Query("", max_length=50)):
        return {"district": district}

    @app.get("/api/items/{item_id}")
    async def item(item_id: UUID, user: CurrentUser):
        return {"id": str(item_id)}

    @app.get("/api/finance")
    async def finance_only(user: Annotated[User, Depends(requires(Role.FINANCE))]):
        return {}

    @app.get("/api/boom")
    async def api_boom(user: CurrentUser):
        raise RuntimeError("a bug")

    @app.get("/items/{item_id}", response_class=HTMLResponse)
    async def item_page(item_id: UUID, user: CurrentUser):
        return HTMLResponse(f"<p>{item_id}</p>")

    @app.get("/finance", response_class=HTMLResponse)
    async def finance_page(user: Annotated[User, Depends(requires(Role.FINANCE))]):
        return HTMLResponse("<p>Økonomi</p>")

    @app.get("/boom", response_class=HTMLResponse)
    async def boom_page(user: CurrentUser):
        raise RuntimeError("a bug")

    @app.post("/people", response_class=HTMLResponse)
    async def register_form(request: Request, user: CurrentUser, name: str = Form("")):
        return HTMLResponse(f"<p>{len(name)}</p>")

    return app


def root_app(tmp_path: Path, throttle: LoginThrottle | None = None, operations_here: bool = True) -> FastAPI:
    path = tmp_path / "users.json"
    UserDirectory.write(path, [(WORKER, PASSWORD)])
    return create_root_app(signer=SIGNER, users=UserDirectory.load(path), mounts={"toy": toy_service()},
                           titles={"toy": "Leketøy"}, readiness={}, operations_here=operations_here,
                           throttle=throttle)


def client(app: FastAPI, address: str = "127.0.0.1", *, logged_in: bool = True) -> httpx.AsyncClient:
    """As a browser or API client at `address` would call it; errors answered as the server would (500)."""
    headers = {"Authorization": f"Bearer {SIGNER.issue(WORKER)}"} if logged_in else {}
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers, follow_redirects=False)
