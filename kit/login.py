"""The root app's login, logout and token routes. With an identity provider configured (kit/oidc.py) the
login page leads there and the password form and password tokens are off; without one (the embedded demo)
the users file's passwords log in, through the login throttle."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from kit.auth import SESSION_COOKIE, LoginThrottle, Throttled, TokenSigner, User, UserDirectory
from kit.logging import get_logger
from kit.metrics import LOGIN_THROTTLED
from kit.oidc import end_session_redirect, login_page, safe_next

log = get_logger(__name__)
router = APIRouter()
PASSWORDS_OFF_NB = ("Innlogging med passord er slått av: Botilbud bruker kommunens innlogging. Et program henter "
                    "token der (`botilbud` gjør det selv; skript bruker klientlegitimasjon).")


@dataclass
class PasswordLogin:
    """What the password routes need, on the root app's state as `password_login` (None: they are off)."""

    users: UserDirectory
    throttle: LoginThrottle

    def attempt(self, request: Request, username: str, password: str) -> tuple[User | None, Throttled | None]:
        """A login attempt through the throttle: refused without checking the password while a count is full."""
        address = request.client.host if request.client else ""
        refused = self.throttle.refused(username, address)
        if refused is not None:
            LOGIN_THROTTLED.labels(refused.reason).inc()
            log.info("login_throttled", reason=refused.reason, retry_after=refused.retry_after)
            return None, refused
        user = self.users.authenticate(username, password)
        if user is None:
            self.throttle.failed(username, address)
        else:
            self.throttle.succeeded(username)
        return user, None


def _passwords(request: Request) -> PasswordLogin | None:
    return request.app.state.password_login


def _signer(request: Request) -> TokenSigner:
    return request.app.state.signer


@router.get("/login", include_in_schema=False)
async def login_form(request: Request, next: str = "/"):
    return login_page(request, next=next)


@router.post("/login", include_in_schema=False)
async def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/")):
    passwords = _passwords(request)
    if passwords is None:
        return login_page(request, next=next, error=PASSWORDS_OFF_NB, status_code=403)
    user, refused = passwords.attempt(request, username, password)
    if user is None:
        if refused is None:
            log.info("login_failed")
        return login_page(request, next=next, username=username, status_code=429 if refused else 401,
                          error=refused.message_nb if refused else "Feil brukernavn eller passord.",
                          headers={"Retry-After": str(refused.retry_after)} if refused else None)
    signer = _signer(request)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, signer.issue(user), max_age=signer.ttl_seconds, httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request):
    """End our session (its token is refused from now on) and, with an identity provider, the provider's."""
    if session := request.cookies.get(SESSION_COOKIE):
        _signer(request).revoke(session)
    response = await end_session_redirect(request) or RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


@router.post("/api/token", tags=["auth"])
async def token(request: Request, username: str = Form(...), password: str = Form(...)):
    """OAuth2 password flow: a bearer token for the APIs (off with an identity provider: use its tokens)."""
    passwords = _passwords(request)
    if passwords is None:
        raise HTTPException(400, PASSWORDS_OFF_NB)
    user, refused = passwords.attempt(request, username, password)
    if refused is not None:
        raise HTTPException(429, refused.message_nb, headers={"Retry-After": str(refused.retry_after)})
    if user is None:
        raise HTTPException(401, "Feil brukernavn eller passord.")
    signer = _signer(request)
    return {"access_token": signer.issue(user), "token_type": "bearer", "expires_in": signer.ttl_seconds,
            "role": user.role.value, "office_id": user.office_id}
