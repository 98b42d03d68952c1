"""The HTTP side of the runtime: the root app every process serves (login, health, metrics, index) with
each service's own app mounted under /<service>. The same paths whether one service runs or all four."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pydantic_core
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request as StarletteRequest
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kit.api_docs import STATIC_PATH, install_api_docs
from kit.auth import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    LoginThrottle,
    NotLoggedIn,
    TokenSigner,
    UserDirectory,
    offered,
    user_from_request,
)
from kit.input_guard import MAX_BODY_BYTES, InputGuard, read_body, replay
from kit.logging import correlation_id_var, get_logger, safe_message
from kit.login import PasswordLogin
from kit.login import router as login_routes
from kit.metrics import HTTP_REQUEST_SECONDS, HTTP_REQUESTS
from kit.oidc import LOGIN_STATE_COOKIE, IdpAccessTokens, OidcProvider, WebLogin
from kit.oidc import router as oidc_routes
from kit.problems import PROBLEM_JSON, TITLES_NB, Problem, ProblemResponse, install_http_error_handlers
from kit.templating import csrf_seed, error_page, set_csrf_seed, templates

log = get_logger(__name__)

ReadinessCheck = Callable[[], Awaitable[None]]


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Paths that take credentials themselves rather than a cookie: not open to cross-site request forgery.
CSRF_EXEMPT_PATHS = frozenset({"/api/token"})
# A form post is held in memory while its token is checked; larger ones are refused before the service sees
# them (the largest upload a service accepts is far below this). The input guard holds bodies to the same cap.
CSRF_MAX_BODY_BYTES = MAX_BODY_BYTES
SESSION_ENDED_NB = "Du er ikke innlogget lenger, så skjemaet ble ikke sendt. Logg inn på nytt og send det igjen."
CSRF_REFUSED_NB = ("Skjemaet kunne ikke sendes fordi sikkerhetsnøkkelen mangler eller er utløpt. "
                   "Last inn siden på nytt og prøv igjen.")


def _cookies(scope: Scope) -> dict[str, str]:
    return StarletteRequest(scope).cookies


class CsrfMiddleware:
    """Signed double submit for cookie-authenticated requests. A browser sends the session cookie with a form
    another site posts, but that site cannot know the HMAC of the cookie that each of our forms carries in
    `csrf_token` (or a script in the `X-CSRF-Token` header). Bearer-token calls are exempt: a browser never
    adds an Authorization header cross-site. Refused requests get 403 with a Norwegian message."""

    def __init__(self, app: ASGIApp, signer: TokenSigner):
        self.app = app
        self.signer = signer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        send = self._with_pre_session_cookie(scope, cookies, send)
        request = StarletteRequest(scope)
        bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
        checked = (scope["method"] in UNSAFE_METHODS and not bearer and scope["path"] not in CSRF_EXEMPT_PATHS
                   and (SESSION_COOKIE in cookies or scope["path"] == "/login"))
        if not checked:
            await self.app(scope, receive, send)
            return
        body, too_large = await read_body(receive, CSRF_MAX_BODY_BYTES)
        if too_large:
            await _refuse(scope, send, 413, "Forespørselen er for stor.")
            return
        token = request.headers.get(CSRF_HEADER, "")
        content_type = request.headers.get("content-type", "")
        if not token and content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            try:
                async with StarletteRequest(scope, replay(body, receive)).form() as form:
                    value = form.get(CSRF_FIELD)
                    token = value if isinstance(value, str) else ""
            except Exception:  # an unparseable form carries no token  # noqa: BLE001
                token = ""
        if not self.signer.csrf_valid(csrf_seed(scope), token):
            log.info("csrf_refused", path=scope["path"])
            await _refuse(scope, send, 403, CSRF_REFUSED_NB)
            return
        await self.app(scope, replay(body, receive), send)

    @staticmethod
    def _with_pre_session_cookie(scope: Scope, cookies: dict[str, str], send: Send) -> Send:
        """Give a browser without any cookie a random CSRF cookie, so that the login form can be bound too."""
        if SESSION_COOKIE in cookies or CSRF_COOKIE in cookies:
            return send
        seed = secrets.token_urlsafe(32)
        set_csrf_seed(scope, seed)
        secure = "; Secure" if scope.get("scheme") == "https" else ""

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(
                    "set-cookie", f"{CSRF_COOKIE}={seed}; HttpOnly; Path=/; SameSite=Lax{secure}")
            await send(message)
        return send_with_cookie


class FastJSONResponse(JSONResponse):
    """JSON encoded by pydantic-core (Rust) from plain values, UUIDs and dates: for large answers that a route
    builds itself, where Starlette's json.dumps — and FastAPI's field-by-field encoder before it — cost more than
    the work behind the answer."""

    def render(self, content: Any) -> bytes:
        return pydantic_core.to_json(content)


SECURITY_HEADERS = (
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
    ("content-security-policy",
     "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'"),
    # Pages and answers may show personal data: no browser or proxy keeps a copy.
    ("cache-control", "no-store"),
)


class RequestContextMiddleware:
    """Every request: a correlation id (taken from `X-Correlation-Id` or made) for the logs and the response,
    the request counted and timed by route template, and the security headers. Plain ASGI rather than
    `@app.middleware("http")`, which costs a task and a stream per request."""

    def __init__(self, app: ASGIApp, services: frozenset[str]):
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cid = Headers(scope=scope).get("x-correlation-id") or str(uuid.uuid4())
        token = correlation_id_var.set(cid)
        started = time.perf_counter()
        service = scope["path"].strip("/").split("/", 1)[0]
        service = service if service in self.services else "root"
        status = 500  # a crash before the response started is an error too: counted before the server's 500
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                headers = MutableHeaders(scope=message)
                headers["x-correlation-id"] = cid
                for name, value in SECURITY_HEADERS:
                    headers.setdefault(name, value)
                if scope.get("scheme") == "https":
                    headers.setdefault("strict-transport-security", "max-age=31536000; includeSubDomains")
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                raise
            # The service's app answered the error (a 500) and logged it with its traceback; Starlette hands the
            # exception on anyway, and the server would only log it a second time.
        finally:
            correlation_id_var.reset(token)
            route = _route_template(scope)
            HTTP_REQUESTS.labels(service, scope["method"], route, str(status)).inc()
            HTTP_REQUEST_SECONDS.labels(service, scope["method"], route).observe(time.perf_counter() - started)


async def _refuse(scope: Scope, send: Send, status_code: int, message: str) -> None:
    accepts_html = "text/html" in StarletteRequest(scope).headers.get("accept", "")
    if accepts_html:
        response: Response = _REFUSAL_PAGES.TemplateResponse(
            StarletteRequest(scope), "refused.html", {"message": message, "user": None}, status_code=status_code)
    else:
        problem = Problem(title=TITLES_NB.get(status_code, "Feil"), status=status_code, detail=message,
                          instance=scope["path"])
        response = ProblemResponse(problem.model_dump(mode="json"), status_code=status_code)
    await response(scope, _empty_receive, send)


async def _empty_receive() -> Message:
    return {"type": "http.disconnect"}


def install_common(app: FastAPI, signer: TokenSigner, oidc: OidcProvider | None = None) -> None:
    """What every app (root and mounted) needs: the signer for auth dependencies, the identity provider's
    access tokens where one is configured, and a login redirect (with a provider: straight there, so an
    expired session is renewed silently while the provider's lasts)."""
    app.state.signer = signer
    app.state.access_tokens = IdpAccessTokens(oidc) if oidc else None
    install_http_error_handlers(app)
    _document_problem_answers(app)
    app.state.login_path = "/auth/login" if oidc else "/login"

    @app.exception_handler(NotLoggedIn)
    async def _to_login(request: Request, _exc: NotLoggedIn):
        # A page is fetched again after the login; a form sent after the session ended is not, so it gets a
        # page that says so, with the way to log in again (back to the form's page).
        if request.method in ("GET", "HEAD"):
            return RedirectResponse(f"{app.state.login_path}?{urlencode({'next': request.url.path})}",
                                    status_code=303)
        return error_page(request, 401, TITLES_NB[401], SESSION_ENDED_NB)


def _document_problem_answers(app: FastAPI) -> None:
    """The OpenAPI document says what a 422 is: FastAPI documents its own `HTTPValidationError` JSON, but the kit
    answers every refusal (validation, the input guard) with a problem (`application/problem+json`): it is
    documented beside what is there (a service may answer a 422 of its own in JSON)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(problem.pop("$defs", {}))
        components["Problem"] = problem
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                refused = operation.get("responses", {}).get("422") if isinstance(operation, dict) else None
                if refused is None:
                    continue
                refused.setdefault("content", {})[PROBLEM_JSON] = {"schema": {"$ref": "#/components/schemas/Problem"}}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi


async def _failing(readiness: dict[str, ReadinessCheck]) -> dict[str, str]:
    """The checks that fail, each with its exception's type and safe message (no repr: it may hold anything)."""
    failures = {}
    for name, check in readiness.items():
        try:
            await check()
        except Exception as exc:
            failures[name] = f"{type(exc).__name__}: {safe_message(exc)}"[:200]
    return failures


def _add_operations_routes(app: FastAPI, readiness: dict[str, ReadinessCheck]) -> None:
    """/metrics and /readyz with the reason of each failing check: for operations' eyes."""

    @app.get("/readyz", include_in_schema=False)
    async def readyz():
        failures = await _failing(readiness)
        if failures:
            return JSONResponse({"status": "not ready", "failures": failures}, status_code=503)
        return {"status": "ready", "checks": sorted(readiness)}

    @app.get("/metrics", include_in_schema=False)
    async def metrics():
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def create_ops_app(readiness: dict[str, ReadinessCheck]) -> FastAPI:
    """The operations port's app (BOTILBUD_OPS_PORT): health, readiness with reasons, metrics. Nothing else, and
    nothing here is routed by the front door."""
    app = FastAPI(title="Botilbud operations", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/healthz", include_in_schema=False)
    async def healthz():
        return {"status": "ok"}

    _add_operations_routes(app, readiness)
    return app


def create_root_app(*, signer: TokenSigner, users: UserDirectory | None, mounts: dict[str, FastAPI],
                    titles: dict[str, str], readiness: dict[str, ReadinessCheck],
                    operations_here: bool = True, throttle: LoginThrottle | None = None,
                    oidc: OidcProvider | None = None) -> FastAPI:
    """The public app. `operations_here=False` when an operations port serves /metrics and the readiness
    reasons (`create_ops_app`): then this app's /readyz says only which checks fail, and /metrics is not found.
    With `oidc`, people log in at the municipality's identity provider and the password routes are off."""
    app = FastAPI(title="Botilbud", docs_url=None, redoc_url=None, openapi_url=None)
    install_common(app, signer, oidc)
    app.add_middleware(InputGuard)  # innermost: reads the body the CSRF check already read
    app.add_middleware(CsrfMiddleware, signer=signer)
    app.add_middleware(RequestContextMiddleware, services=frozenset(mounts))  # outermost: sees CSRF refusals too
    pages = templates()

    @app.get("/healthz", include_in_schema=False)
    async def healthz():
        return {"status": "ok"}

    if operations_here:
        _add_operations_routes(app, readiness)
    else:
        @app.get("/readyz", include_in_schema=False)
        async def readyz():
            failing = sorted(await _failing(readiness))
            if failing:
                return JSONResponse({"status": "not ready", "failing": failing}, status_code=503)
            return {"status": "ready", "checks": sorted(readiness)}

    app.state.password_login = PasswordLogin(users, throttle or LoginThrottle()) if users and not oidc else None
    app.include_router(login_routes)
    if oidc is not None:
        app.state.web_login = WebLogin(oidc, signer)
        app.include_router(oidc_routes)
        # Authlib keeps state, nonce and the PKCE verifier here for the round trip to the provider.
        app.add_middleware(SessionMiddleware, secret_key=signer.session_key, session_cookie=LOGIN_STATE_COOKIE,
                           max_age=600, same_site="lax",
                           https_only=(oidc.settings.site_url or "").startswith("https://"))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index(request: Request):
        user = user_from_request(request)
        if user is None:
            return RedirectResponse("/auth/login" if oidc else "/login", status_code=303)
        links = [(titles[name], f"/{name}/") for name in mounts if offered(user.role, name)]
        return pages.TemplateResponse(request, "index.html", {"user": user, "links": links})

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon():
        return Response(status_code=204)

    app.mount(STATIC_PATH, StaticAssets(directory=STATIC_DIR), name="static")
    token_url = "/api/token" if app.state.password_login else None
    for name, sub in mounts.items():
        install_common(sub, signer, oidc)
        install_api_docs(sub, token_url=token_url)
        sub.state.area = (name, titles[name])
        app.router.routes.append(Mount(f"/{name}", app=sub, name=name))
    return app


STATIC_DIR = Path(__file__).parent / "static"


class StaticAssets(StaticFiles):
    """The kit's browser assets (kit/static): the same for everyone and free of personal data, so a browser may
    keep them for an hour (every other answer is `no-store`)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.setdefault("cache-control", "public, max-age=3600")
        return response


def _route_template(scope: Scope) -> str:
    """The route template, never the raw path: paths may hold ids, and labels must stay few."""
    return getattr(scope.get("route"), "path", "unmatched")


_REFUSAL_PAGES = templates()


