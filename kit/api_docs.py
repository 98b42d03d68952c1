"""Each service's API docs at `/<service>/docs`: Swagger UI from the kit's own static files (vendored from npm,
kit/static/vendored.json), started by a script file rather than an inline one, so that it runs under the
site's Content-Security-Policy (`script-src 'self'`). FastAPI's own docs page loads Swagger UI from a CDN and
starts it inline, which that policy blocks.

The OpenAPI document says how to authenticate: a bearer token on every operation that needs a user (kit/auth.py),
got from `POST /api/token` (the OAuth2 password flow, which the docs' "Authorize" button can run) or, with the
municipality's identity provider, its access token."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.routing import Route

from kit.templating import templates

STATIC_PATH = "/static"
SWAGGER_UI = f"{STATIC_PATH}/swagger-ui-dist"
PASSWORD_NB = "Brukernavn og passord gir et token fra `POST /api/token` (bare uten identitetsleverandør)."
_PAGES = templates()


def install_api_docs(app: FastAPI, *, token_url: str | None) -> None:
    """Swagger UI at the app's `/docs` in place of FastAPI's, and the security schemes in its OpenAPI document.
    `token_url`: where the password flow gets a token, None where passwords are off (an identity provider)."""
    if getattr(app, "_api_docs_installed", False):
        return
    app._api_docs_installed = True
    ours = {app.docs_url, app.swagger_ui_oauth2_redirect_url, app.redoc_url} - {None}
    app.router.routes[:] = [r for r in app.router.routes if not (isinstance(r, Route) and r.path in ours)]
    app.docs_url = app.redoc_url = None
    if app.openapi_url:
        # A plain route, as FastAPI's own docs page is: not an operation of the API.
        app.add_route("/docs", _docs_page, include_in_schema=False)
        _document_security(app, token_url)


async def _docs_page(request: Request) -> HTMLResponse:
    app: FastAPI = request.app
    openapi_url = request.scope.get("root_path", "") + (app.openapi_url or "")
    return _PAGES.TemplateResponse(request, "api_docs.html", {
        "title": app.title, "openapi_url": openapi_url, "assets": SWAGGER_UI, "static": STATIC_PATH})


def _document_security(app: FastAPI, token_url: str | None) -> None:
    """Beside the bearer token that FastAPI documents on each operation that needs a user (kit/auth.py), the
    password flow that gets one, where passwords are on: the docs' "Authorize" button then logs in."""
    if not token_url:
        return
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes["password"] = {"type": "oauth2", "description": PASSWORD_NB,
                               "flows": {"password": {"tokenUrl": token_url, "scopes": {}}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if {"bearer": []} in operation.get("security", ()):
                    operation["security"].append({"password": []})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi
