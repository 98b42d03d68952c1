"""Login for the web pages, bearer tokens for the APIs, roles and office scoping, enforced on the server.

A token (and the session cookie, which holds the same token) is signed with the shared secret key and
carries the username, role, office and municipality, so every service can check it without a shared user
database. People are known either by the municipality's identity provider (OpenID Connect, kit/oidc.py: its
login ends in this same session, and its access tokens are accepted by every API beside ours) or, for the
embedded demo, by a JSON file of argon2 hashes (BOTILBUD_USERS_FILE)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPBearer
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SESSION_COOKIE = "botilbud_session"
# Before login there is no session to bind a form to: the login form is bound to this random cookie instead.
CSRF_COOKIE = "botilbud_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class Role(StrEnum):
    CASE_WORKER = "case_worker"
    OFFICE_LEADER = "office_leader"
    FINANCE = "finance"
    OPERATIONS = "operations"
    ADMIN = "admin"
    MUNICIPALITY_STAFF = "municipality_staff"
    """The municipality's own staff (Oslo's Velferdsetaten): statistics of its municipality only, no personal
    data and no case work."""
    SERVICE = "service"
    """A service acting for an office without a logged-in user (billing sending a requisition): never a person,
    never logged in with a password; its token is made by `service_token`."""


OFFICE_SCOPED = frozenset({Role.CASE_WORKER, Role.OFFICE_LEADER, Role.SERVICE})
MUNICIPALITY_SCOPED = frozenset({Role.MUNICIPALITY_STAFF})
ROLE_NAMES_NB = {
    Role.CASE_WORKER: "Bostedsløsekonsulent",
    Role.OFFICE_LEADER: "Leder",
    Role.FINANCE: "Økonomi",
    Role.OPERATIONS: "Drift",
    Role.ADMIN: "Administrator",
    Role.MUNICIPALITY_STAFF: "Kommunens stab",
    Role.SERVICE: "Tjeneste (automatisk)",
}


MENUS = (("intake", "Søknader"), ("placement", "Plassering"), ("billing", "Økonomi"), ("stats", "Statistikk"))
"""The pages' main menu: each service's part of the site and its name."""
MENU_ROLES = {
    "intake": frozenset({Role.CASE_WORKER, Role.OFFICE_LEADER, Role.ADMIN}),  # admin: the office registry
    "placement": frozenset(Role) - {Role.MUNICIPALITY_STAFF},
    "billing": frozenset({Role.CASE_WORKER, Role.OFFICE_LEADER, Role.FINANCE, Role.ADMIN}),
    "stats": frozenset(Role),
}
"""Who each part's pages are for: the roles its front page lets in (each service's `deps`). The front page and
the menu offer a part only to these; tests/e2e/test_kit_pages_browser.py holds the table to what the pages do."""


def offered(role: Role, service: str) -> bool:
    return role in MENU_ROLES.get(service, frozenset(Role))


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    office_id: str | None = None
    name: str = ""
    municipality: str | None = None
    """The municipality (number) of the municipality's staff."""

    def may_see_office(self, office_id: str) -> bool:
        return self.role not in OFFICE_SCOPED or self.office_id == office_id


_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


class UserDirectory:
    def __init__(self, entries: dict[str, tuple[str, User]]):
        self._entries = entries

    @classmethod
    def load(cls, path: Path) -> UserDirectory:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if any(u["role"] == Role.SERVICE for u in raw["users"]):
            raise ValueError(f"{path}: the role «service» is for service credentials, not for a person's login")
        return cls({
            u["username"]: (u["password_hash"], User(u["username"], Role(u["role"]), u.get("office_id"),
                                                     u.get("name", ""), u.get("municipality")))
            for u in raw["users"]
        })

    @staticmethod
    def write(path: Path, users: list[tuple[User, str]]) -> None:
        body = {"users": [{**asdict(u), "role": u.role.value, "password_hash": hash_password(pw)}
                          for u, pw in users]}
        path.write_text(json.dumps(body, indent=2, ensure_ascii=False), encoding="utf-8")
        path.chmod(0o600)

    def authenticate(self, username: str, password: str) -> User | None:
        entry = self._entries.get(username)
        if entry is None:
            _hasher_dummy_verify()
            return None
        try:
            _hasher.verify(entry[0], password)
        except (VerificationError, InvalidHashError):
            return None
        return entry[1]


def _hasher_dummy_verify() -> None:
    """Spend the same time on an unknown user as on a wrong password (no user enumeration by timing)."""
    try:
        _hasher.verify(_DUMMY_HASH, "x")
    except VerificationError:
        pass


_DUMMY_HASH = _hasher.hash("not-a-password")


@dataclass(frozen=True)
class Throttled:
    reason: str
    """`user` or `address`: which count is full."""
    retry_after: int
    """Seconds until the oldest failure that fills it leaves the window."""

    @property
    def message_nb(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        return f"For mange mislykkede innlogginger. Vent {minutes} minutt{'er' if minutes > 1 else ''} og prøv igjen."


class LoginThrottle:
    """Failed logins counted per username and per client address over a sliding window. While either count is
    full, an attempt is refused before its password is checked (the right one too), until the oldest failure
    that fills it is `window_seconds` old: at most `per_user` guesses at one account and `per_address` from one
    address in any window. A successful login clears that user's count only: never an address's (an attacker
    with an account of their own could otherwise reset their address between guesses), and never another
    user's. Kept in this process's memory (see docs/operations.md on several processes)."""

    MAX_KEYS = 100_000  # past this, counts whose newest failure has left the window are dropped

    def __init__(self, *, per_user: int = 5, per_address: int = 30, window_seconds: float = 15 * 60,
                 clock: Callable[[], float] = time.monotonic):
        self.limits = {"user": per_user, "address": per_address}
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}

    def refused(self, username: str, address: str) -> Throttled | None:
        now = self.clock()
        for reason, key in (("user", username), ("address", address)):
            limit = self.limits[reason]
            times = self._failures.get((reason, key[:200]))
            if times is not None and len(times) >= limit and now - times[-limit] < self.window:
                return Throttled(reason, math.ceil(times[-limit] + self.window - now))
        return None

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        if len(self._failures) >= self.MAX_KEYS:
            self._failures = {k: t for k, t in self._failures.items() if now - t[-1] < self.window}
        for reason, key in (("user", username), ("address", address)):
            self._failures.setdefault((reason, key[:200]), deque(maxlen=self.limits[reason])).append(now)

    def succeeded(self, username: str) -> None:
        self._failures.pop(("user", username[:200]), None)


class TokenSigner:
    def __init__(self, secret: str, ttl_seconds: int):
        self._serializer = URLSafeTimedSerializer(secret, salt="botilbud-auth-v1")
        self._csrf_key = hashlib.sha256(b"botilbud-csrf-v1:" + secret.encode()).digest()
        self.session_key = hashlib.sha256(b"botilbud-login-state-v1:" + secret.encode()).hexdigest()
        """Signs the short-lived cookie of a login's round trip to the identity provider (kit/oidc.py)."""
        self.ttl_seconds = ttl_seconds
        self._revoked: dict[str, float] = {}

    def csrf_token(self, seed: str) -> str:
        """The form token of a session (signed double submit): an HMAC of the session cookie, so a page of
        another site, which can neither read the cookie nor the secret, cannot forge it; a new login (a new
        cookie) gives a new token."""
        digest = hmac.new(self._csrf_key, seed.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def csrf_valid(self, seed: str, token: str) -> bool:
        return bool(seed) and hmac.compare_digest(self.csrf_token(seed), token)

    def issue(self, user: User, *, until: float | None = None) -> str:
        """A session or API token for `user`, valid for the TTL or until `until` (epoch seconds) if sooner: a
        login through the identity provider lasts no longer than its ID token."""
        # A random session id: two logins of one person in the same second are still two sessions (each with
        # its own CSRF token).
        data = {"u": user.username, "r": user.role.value, "o": user.office_id, "n": user.name,
                "s": secrets.token_urlsafe(12)}
        if user.municipality:
            data["m"] = user.municipality
        if until is not None:
            data["x"] = int(until)
        return self._serializer.dumps(data)

    def seconds_left(self, token: str) -> int:
        """How long a token just issued is valid: the cookie's max-age."""
        data = self._serializer.loads(token)
        return max(0, min(self.ttl_seconds, int(data.get("x", time.time() + self.ttl_seconds) - time.time())))

    def read(self, token: str) -> User | None:
        try:
            data = self._serializer.loads(token, max_age=self.ttl_seconds)
        except (SignatureExpired, BadSignature):
            return None
        if data.get("s") in self._revoked or data.get("x", math.inf) <= time.time():
            return None
        return User(data["u"], Role(data["r"]), data.get("o"), data.get("n", ""), data.get("m"))

    def revoke(self, token: str) -> None:
        """End a session at logout: its token is refused from now on, even if someone kept a copy. The list
        lives in this process (the whole system in `botilbud run`); entries go when the token would have
        expired anyway."""
        try:
            data, issued = self._serializer.loads(token, max_age=self.ttl_seconds, return_timestamp=True)
        except (SignatureExpired, BadSignature):
            return
        now = time.time()
        self._revoked = {s: until for s, until in self._revoked.items() if until > now}
        if data.get("s"):
            self._revoked[data["s"]] = issued.timestamp() + self.ttl_seconds


class NotLoggedIn(Exception):
    """Raised for a page request without a valid session; the app redirects to the login page."""


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def request_token(request: Request) -> str | None:
    """The token the request came with: its bearer token, else the session cookie (which holds the same kind).
    A page passes it on when it asks another service something on the user's behalf."""
    return bearer_token(request) or request.cookies.get(SESSION_COOKIE) or None


def user_from_request(request: Request) -> User | None:
    """The user of our own session cookie or bearer token (a page's header, an error page)."""
    signer: TokenSigner = request.app.state.signer
    token = request_token(request)
    return signer.read(token) if token else None


def service_token(signer: TokenSigner, service: str, office_id: str) -> str:
    """A credential for `service` acting for one office without a logged-in user (a service's background job):
    the role SERVICE, scoped to that office like a case worker. Signed like every token, with the shared key;
    with the municipality's identity provider this is where a client-credentials token would be fetched."""
    return signer.issue(User(service, Role.SERVICE, office_id, service))


class AccessTokens:
    """What reads the identity provider's access tokens (kit/oidc.py): a user, or None for a token it does
    not accept. A valid token whose claims give no role raises HTTPException 403."""

    async def user(self, token: str) -> User | None:
        raise NotImplementedError


async def authenticated_user(request: Request) -> User | None:
    """Our own session or token, else the identity provider's access token where one is configured."""
    user = user_from_request(request)
    token = bearer_token(request)
    provider: AccessTokens | None = getattr(request.app.state, "access_tokens", None)
    if user is None and token and provider is not None:
        user = await provider.user(token)
    return user


async def api_user(request: Request) -> User:
    """FastAPI dependency for API routes: 401 without a valid token."""
    user = await authenticated_user(request)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Ikke innlogget eller utløpt token.",
                            headers={"WWW-Authenticate": "Bearer"})
    return user


async def page_user(request: Request) -> User:
    """FastAPI dependency for web pages: redirect to the login page without a valid session."""
    user = await authenticated_user(request)
    if user is None:
        raise NotLoggedIn()
    return user


def is_api_request(request: Request) -> bool:
    """API routes live under `/api/` (and the OpenAPI document); everything else is a page."""
    path = request.scope.get("path", "")
    return "/api/" in path or path.endswith("/openapi.json")


BEARER = HTTPBearer(scheme_name="bearer", auto_error=False, description=(
    "Et tilgangstoken i `Authorization: Bearer <token>`: fra `POST /api/token` (skjemafeltene `username` og "
    "`password`, bare uten identitetsleverandør) eller kommunens identitetsleverandør (OpenID Connect)."))
"""Only documents the bearer token in the OpenAPI (FastAPI marks every operation that needs a user); the token
itself is read by `authenticated_user`."""


async def current_user(request: Request, _documented: Annotated[object, Depends(BEARER)]) -> User:
    """The logged-in user: an API route without a valid token answers 401, a page redirects to the login."""
    return await (api_user(request) if is_api_request(request) else page_user(request))


CurrentUser = Annotated[User, Depends(current_user)]
FORBIDDEN_ROLE_NB = "Rollen din har ikke tilgang til dette."


def requires(*roles: Role):
    """A dependency for the user of one of these roles (403 for any other): `Annotated[User, Depends(requires(
    Role.FINANCE))]`, named once per service in its `deps` module."""
    allowed = frozenset(roles)

    def user_with_role(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN, FORBIDDEN_ROLE_NB)
        return user

    return user_with_role


def require_role(user: User, *roles: Role) -> None:
    if user.role not in roles:
        raise HTTPException(status.HTTP_403_FORBIDDEN, FORBIDDEN_ROLE_NB)


def require_office(user: User, office_id: str) -> None:
    if not user.may_see_office(office_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Du har bare tilgang til ditt eget Nav-kontor.")
