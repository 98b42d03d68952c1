"""HTTP clients for route tests without a server: a service's FastAPI app called in process (ASGI), logged in
as a given user with a bearer token (APIs) or a session cookie (pages), as the runtime would."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Request

from kit.auth import SESSION_COOKIE, TokenSigner, User, user_from_request
from kit.templating import templates
from kit.web import install_common

SIGNER = TokenSigner("route-tests-only", 3600)


def client(app: FastAPI, user: User | None = None, *, page: bool = False) -> httpx.AsyncClient:
    """A client of `app` as `user` (None: not logged in). `page=True` logs in with the session cookie, as a
    browser does; otherwise with a bearer token, as API clients do."""
    install_common(app, SIGNER)
    token = SIGNER.issue(user) if user else None
    headers = {"Authorization": f"Bearer {token}"} if token and not page else {}
    cookies = {SESSION_COOKIE: token} if token and page else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test", headers=headers,
                             cookies=cookies, follow_redirects=False)


def page_with_header(**state) -> FastAPI:
    """A service's page at `/page` drawn with the shared header, with `state` bound on the app as a service's
    composition root binds it (`header_count=…`, `header_office_name=…`)."""
    app = FastAPI()
    pages = templates()
    for name, value in state.items():
        setattr(app.state, name, value)

    @app.get("/page")
    async def page(request: Request):
        return pages.TemplateResponse(request, "index.html", {"user": user_from_request(request), "links": []})
    return app
