"""The HTTP side of the runtime: the root app every process serves (login, health, metrics, index) with
each service's own app mounted under /<service>. The same paths whether one service runs or all four."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.routing import Mount

from botilbud.kit.auth import (
    ROLE_NAMES_NB,
    SESSION_COOKIE,
    NotLoggedIn,
    TokenSigner,
    UserDirectory,
    user_from_request,
)
from botilbud.kit.logging import correlation_id_var, get_logger
from botilbud.kit.metrics import HTTP_REQUEST_SECONDS, HTTP_REQUESTS

log = get_logger(__name__)
KIT_TEMPLATES = Path(__file__).parent / "templates"

SERVICE_TITLES_NB = {
    "intake": ("Søknader og vedtak", "/intake/"),
    "placement": ("Plassering og kapasitet", "/placement/"),
    "billing": ("Rekvisisjoner og fakturaer", "/billing/"),
    "stats": ("Statistikk og KOSTRA", "/stats/"),
}

ReadinessCheck = Callable[[], Awaitable[None]]


def templates(*service_dirs: Path) -> Jinja2Templates:
    """Jinja templates: the service's own folder first, then the kit's shared layout."""
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in (*service_dirs, KIT_TEMPLATES)]),
        autoescape=select_autoescape(["html"]),
    )
    env.globals["role_names"] = ROLE_NAMES_NB
    return Jinja2Templates(env=env)


def install_common(app: FastAPI, signer: TokenSigner) -> None:
    """What every app (root and mounted) needs: the signer for auth dependencies and a login redirect."""
    app.state.signer = signer

    @app.exception_handler(NotLoggedIn)
    async def _to_login(request: Request, _exc: NotLoggedIn):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


def create_root_app(*, signer: TokenSigner, users: UserDirectory, mounts: dict[str, FastAPI],
                    readiness: dict[str, ReadinessCheck]) -> FastAPI:
    app = FastAPI(title="Botilbud", docs_url=None, redoc_url=None, openapi_url=None)
    install_common(app, signer)
    pages = templates()

    @app.middleware("http")
    async def correlation_and_metrics(request: Request, call_next):
        cid = request.headers.get("x-correlation-id") or str(uuid.uuid4())
        token = correlation_id_var.set(cid)
        started = time.perf_counter()
        service = request.url.path.strip("/").split("/", 1)[0]
        service = service if service in mounts else "root"
        try:
            response = await call_next(request)
        except Exception:
            # A crash is an error too: count it before the server turns it into a 500.
            HTTP_REQUESTS.labels(service, request.method, _route_template(request), "500").inc()
            raise
        finally:
            correlation_id_var.reset(token)
        route_name = _route_template(request)
        HTTP_REQUESTS.labels(service, request.method, route_name, str(response.status_code)).inc()
        HTTP_REQUEST_SECONDS.labels(service, request.method, route_name).observe(time.perf_counter() - started)
        response.headers["x-correlation-id"] = cid
        response.headers.setdefault("x-content-type-options", "nosniff")
        response.headers.setdefault("x-frame-options", "DENY")
        response.headers.setdefault("referrer-policy", "same-origin")
        response.headers.setdefault(
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
        return response

    @app.get("/healthz", include_in_schema=False)
    async def healthz():
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz():
        failures = {}
        for name, check in readiness.items():
            try:
                await check()
            except Exception as exc:
                failures[name] = repr(exc)[:200]
        if failures:
            return JSONResponse({"status": "not ready", "failures": failures}, status_code=503)
        return {"status": "ready", "checks": sorted(readiness)}

    @app.get("/metrics", include_in_schema=False)
    async def metrics():
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    async def login_form(request: Request, next: str = "/"):
        return pages.TemplateResponse(request, "login.html", {"next": _safe_next(next), "error": None,
                                                              "username": ""})

    @app.post("/login", include_in_schema=False)
    async def login(request: Request, username: str = Form(""), password: str = Form(""),
                    next: str = Form("/")):
        user = users.authenticate(username, password)
        if user is None:
            log.info("login_failed")
            return pages.TemplateResponse(
                request, "login.html",
                {"next": _safe_next(next), "error": "Feil brukernavn eller passord.", "username": username},
                status_code=401)
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(SESSION_COOKIE, signer.issue(user), max_age=signer.ttl_seconds, httponly=True,
                            samesite="lax", secure=request.url.scheme == "https")
        return response

    @app.post("/logout", include_in_schema=False)
    async def logout():
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.post("/api/token", tags=["auth"])
    async def token(username: str = Form(...), password: str = Form(...)):
        """OAuth2 password flow: a bearer token for the APIs."""
        user = users.authenticate(username, password)
        if user is None:
            raise HTTPException(401, "Feil brukernavn eller passord.")
        return {"access_token": signer.issue(user), "token_type": "bearer", "expires_in": signer.ttl_seconds,
                "role": user.role.value, "office_id": user.office_id}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index(request: Request):
        user = user_from_request(request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        links = [SERVICE_TITLES_NB[name] for name in mounts]
        return pages.TemplateResponse(request, "index.html", {"user": user, "links": links})

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon():
        return Response(status_code=204)

    for name, sub in mounts.items():
        install_common(sub, signer)
        app.router.routes.append(Mount(f"/{name}", app=sub, name=name))
    return app


def _route_template(request: Request) -> str:
    """The route template, never the raw path: paths may hold ids, and labels must stay few."""
    return getattr(request.scope.get("route"), "path", "unmatched")


def _safe_next(target: str) -> str:
    """Only local paths: a login must not redirect to another site."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def register_domain_error(app: FastAPI, exc_type: type[Exception], status_code: int = 422) -> None:
    """Answer a domain rule's refusal like FastAPI answers bad input: 4xx naming the field at fault."""

    @app.exception_handler(exc_type)
    async def _domain_error(_request: Request, exc: Exception):
        field = getattr(exc, "field", None)
        loc = ["body", field] if field else ["body"]
        return JSONResponse({"detail": [{"loc": loc, "msg": str(exc), "type": "domain_rule"}]},
                            status_code=getattr(exc, "status_code", status_code))
