"""Server-rendered pages: the Jinja environment every service's templates live in (the service's own folder
first, then the kit's shared layout), with the CSRF field every form carries, and the error page. A page is
drawn when it is sent, not when the route returns it, so that its header can first ask for the leader's queue
count and the user's office's name (kit/header.py) without a route doing anything for them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, pass_context, select_autoescape
from markupsafe import Markup
from starlette.background import BackgroundTask
from starlette.requests import Request as StarletteRequest
from starlette.responses import HTMLResponse
from starlette.templating import _TemplateResponse
from starlette.types import Receive, Scope, Send

from kit import header
from kit.auth import CSRF_COOKIE, CSRF_FIELD, MENUS, ROLE_NAMES_NB, SESSION_COOKIE, offered, user_from_request
from kit.formatting import FILTERS

KIT_TEMPLATES = Path(__file__).parent / "templates"
_SEED_KEY = "botilbud.csrf_seed"


class PageResponse(_TemplateResponse):
    """A template response drawn when it is sent: first the header's queue count (for a leader) and office name,
    then the page. Starlette's draws in the constructor, where nothing can be awaited."""

    def __init__(self, template, context: dict, status_code: int = 200, headers: Mapping[str, str] | None = None,
                 media_type: str | None = None, background: BackgroundTask | None = None):
        self.template, self.context = template, context
        HTMLResponse.__init__(self, b"", status_code, headers, media_type, background)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = self.context.get("request")
        if request is not None and "leader_queue_count" not in self.context:
            self.context["leader_queue_count"] = await header.header_count(request, self.context.get("user"))
        if request is not None and "header_office" not in self.context:
            self.context["header_office"] = await header.office_name(request, self.context.get("user"))
        self.body = self.render(self.template.render(self.context))
        self.headers["content-length"] = str(len(self.body))
        await super().__call__(scope, receive, send)


class _Templates(Jinja2Templates):
    def TemplateResponse(self, request: Request, name: str, context: dict | None = None,  # noqa: N802 - Starlette's
                         status_code: int = 200, headers: Mapping[str, str] | None = None,
                         media_type: str | None = None, background: BackgroundTask | None = None) -> Response:
        context = context or {}
        context.setdefault("request", request)
        for processor in self.context_processors:
            context.update(processor(request))
        return PageResponse(self.get_template(name), context, status_code, headers, media_type, background)


def templates(*service_dirs: Path) -> Jinja2Templates:
    """Jinja templates: the service's own folder first, then the kit's shared layout."""
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in (*service_dirs, KIT_TEMPLATES)]),
        autoescape=select_autoescape(["html"]),
    )
    env.filters.update(FILTERS)
    env.globals["role_names"] = ROLE_NAMES_NB
    env.globals["menu"] = _menu
    env.globals["csrf_token"] = _csrf_token
    env.globals["csrf_field"] = _csrf_field
    env.globals.update(may_search=header.may_search, has_queue=header.has_queue, search_action=header.SEARCH_ACTION,
                       queue_page=header.QUEUE_PAGE, municipality_name=header.municipality_name)
    return _Templates(env=env)


def _menu(user) -> list[tuple[str, str]]:
    """The main menu's links that the user's role may use."""
    return [(f"/{service}/", title) for service, title in MENUS if offered(user.role, service)]


def csrf_seed(scope: Scope) -> str:
    """What a form token is bound to: the session cookie once logged in, before that the CSRF cookie."""
    if _SEED_KEY not in scope:
        cookies = StarletteRequest(scope).cookies
        scope[_SEED_KEY] = cookies.get(SESSION_COOKIE) or cookies.get(CSRF_COOKIE) or ""
    return scope[_SEED_KEY]


def set_csrf_seed(scope: Scope, seed: str) -> None:
    scope[_SEED_KEY] = seed


@pass_context
def _csrf_token(context) -> str:
    request: Request = context["request"]
    return request.app.state.signer.csrf_token(csrf_seed(request.scope))


@pass_context
def _csrf_field(context) -> Markup:
    """`{{ csrf_field() }}` in every form that posts: the session's CSRF token as a hidden field."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, _csrf_token(context))


_KIT_PAGES = templates()


def error_page(request: Request, status: int, title: str, message: str, details: list[str] = (),
               headers: Mapping[str, str] | None = None) -> Response:
    """A Norwegian page for an error on a page route, with the ways back: the page the user came from, the
    part of the site it happened in (where the role may use it), the front page, and for 401 the login."""
    user = user_from_request(request) if hasattr(request.app.state, "signer") else None
    return _KIT_PAGES.TemplateResponse(
        request, "error.html", {"user": user, "status": status, "title": title, "message": message,
                                "details": list(details), "back": _back_link(request),
                                "area": _area(request, user), "login": _login_link(request, status)},
        status_code=status, headers=dict(headers or {}))


def _area(request: Request, user) -> tuple[str, str] | None:
    """The front page of the service the error happened in, if the user may use it: (href, name)."""
    area = getattr(request.app.state, "area", None)  # (service, title), set where the root app mounts it
    if area is None or (user is not None and not offered(user.role, area[0])):
        return None
    return f"/{area[0]}/", area[1]


def _login_link(request: Request, status: int) -> str | None:
    if status != 401:
        return None
    login_path = getattr(request.app.state, "login_path", "/login")
    return f"{login_path}?{urlencode({'next': _back_link(request)})}"


def _back_link(request: Request) -> str:
    """Where "Tilbake" goes: the page the user came from on this site, else the front page."""
    referer = request.headers.get("referer", "")
    host = request.headers.get("host", "")
    for scheme in ("http://", "https://"):
        prefix = f"{scheme}{host}/"
        if host and referer.startswith(prefix):
            return "/" + referer[len(prefix):]
    return "/"
