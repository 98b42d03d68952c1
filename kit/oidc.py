"""Login with the municipality's identity provider (OpenID Connect), and its access tokens on every API.

The web pages use the authorization code flow with PKCE (S256), state and nonce, through Authlib's Starlette
client: Authlib keeps state, nonce and the code verifier in a short-lived signed cookie for the round trip,
exchanges the code and checks the ID token (signature from the provider's JWKS, issuer, audience, expiry,
nonce). The login then ends as a password login does, in our own signed session (kit/auth.py), which lasts no
longer than the ID token: a page asked for after that goes back through the provider, silently while its
session lives. Logout ends the provider's session too (RP-initiated logout with `id_token_hint`).

Scripts and the `botilbud` command present the provider's access tokens (device authorization grant,
client credentials): `IdpAccessTokens` checks them against the provider's JWKS (signature, issuer, audience,
expiry). Role, office and municipality come from claims the settings name (`user_from_claims`)."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contracts import reference
from kit.auth import MUNICIPALITY_SCOPED, OFFICE_SCOPED, SESSION_COOKIE, AccessTokens, Role, TokenSigner, User
from kit.logging import get_logger
from kit.settings import OidcSettings
from kit.templating import templates

log = get_logger(__name__)

ID_TOKEN_COOKIE = "botilbud_id_token"
"""The ID token of the session, for `id_token_hint` at logout: sent to /logout only."""
LOGIN_STATE_COOKIE = "botilbud_login"
"""Authlib's state, nonce and code verifier during the round trip to the provider (signed, 10 minutes)."""
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
JWKS_REFRESH_SECONDS = 60  # an unknown key id fetches the provider's keys again, at most this often
_OFFICE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_MUNICIPALITY = re.compile(r"\d{4}")
_PRINTABLE = re.compile(r"[^\x00-\x1f\x7f-\x9f]{1,200}")


class NoAccess(Exception):
    """The provider vouches for the person, but its claims give them no way into Botilbud."""

    def __init__(self, message_nb: str):
        super().__init__(message_nb)
        self.message_nb = message_nb


def _values(claims: Mapping[str, Any], name: str) -> list[str]:
    value = claims.get(name)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def _one(values: list[str], mapping: Mapping[str, str], what_nb: str, claim: str) -> str | None:
    """The single value these claim values name (through the mapping where one is set); None for none,
    NoAccess for more than one."""
    found = sorted({mapping[v] for v in values if v in mapping} if mapping else set(values))
    if len(found) > 1:
        raise NoAccess(f"Brukeren din har flere {what_nb} i Botilbud ({', '.join(found)} i «{claim}»). Be "
                       "kommunens administrator om å gi deg bare én.")
    return found[0] if found else None


def user_from_claims(claims: Mapping[str, Any], settings: OidcSettings) -> User:
    """The user an ID token or access token speaks for: role from `role_claim` (through `roles`), office for an
    office's staff, municipality for the municipality's staff. A token without one known role, or an office's
    role without an office, is refused (NoAccess, with a Norwegian message)."""
    mapping = settings.roles or {r.value: r.value for r in Role}
    role_name = _one(_values(claims, settings.role_claim), mapping, "roller", settings.role_claim)
    if role_name is None:
        raise NoAccess("Du har ingen rolle i Botilbud. Be kommunens administrator om tilgang: du må være med i en "
                       "av Botilbuds grupper (eller ha en av rollene) i kommunens innlogging.")
    try:
        role = Role(role_name)
    except ValueError:
        raise NoAccess(f"Rollen «{role_name}» finnes ikke i Botilbud (se BOTILBUD_OIDC_ROLES).") from None
    office = municipality = None
    if role in OFFICE_SCOPED:
        office = _one(_values(claims, settings.office_claim), settings.offices, "Nav-kontorer", settings.office_claim)
        if office is None or not _OFFICE_ID.fullmatch(office):
            raise NoAccess("Brukeren din mangler Nav-kontor (eller har et ugyldig) i kommunens innlogging, og "
                           "rollen din gjelder ett kontor. Be kommunens administrator om å legge det inn.")
    if role in MUNICIPALITY_SCOPED:
        municipality = _one(_values(claims, settings.municipality_claim), {}, "kommuner",
                            settings.municipality_claim)
        if municipality is None or not _MUNICIPALITY.fullmatch(municipality):
            raise NoAccess("Brukeren din mangler kommunenummer (fire sifre) i kommunens innlogging, og rollen din "
                           "gjelder én kommune. Be kommunens administrator om å legge det inn.")
        if municipality not in reference.municipalities():  # SSB's classification: a typo is no new municipality
            raise NoAccess(f"Kommunenummeret «{municipality}» i kommunens innlogging finnes ikke i SSBs "
                           "kommuneliste. Be kommunens administrator om å rette det.")
    username = next(iter(_values(claims, settings.username_claim) + _values(claims, "sub")), "")
    if not _PRINTABLE.fullmatch(username):
        raise NoAccess("Innloggingen mangler et brukernavn Botilbud kan bruke.")
    name = next(iter(_values(claims, settings.name_claim)), "")
    return User(username, role, office, name if _PRINTABLE.fullmatch(name) else "", municipality)


class OidcProvider:
    """The municipality's provider: its discovery document and keys (loaded when first needed, kept), the web
    client, and the check of access tokens. Authlib and joserfc are imported here, not with the module: a
    process without a provider (the demo) never loads them."""

    def __init__(self, settings: OidcSettings):
        from authlib.integrations.starlette_client import OAuth

        if not settings.issuer:
            raise ValueError("OidcProvider needs BOTILBUD_OIDC_ISSUER")
        self.settings = settings
        self.issuer = settings.issuer.rstrip("/")
        self._oauth = OAuth()
        self.client = self._oauth.register(
            "idp", client_id=settings.client_id,
            client_secret=settings.client_secret.get_secret_value() if settings.client_secret else None,
            server_metadata_url=settings.metadata_url or f"{self.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": settings.scopes, "code_challenge_method": "S256", "timeout": 10})
        self._key_set = None
        self._keys_fetched = 0.0

    async def metadata(self) -> dict[str, Any]:
        metadata = await self.client.load_server_metadata()
        if metadata.get("issuer", "").rstrip("/") != self.issuer:
            raise RuntimeError(f"the provider's discovery document names issuer {metadata.get('issuer')!r}, "
                               f"not BOTILBUD_OIDC_ISSUER {self.issuer!r}")
        return metadata

    async def load(self) -> None:
        """The discovery document and the keys, now rather than at the first login or token."""
        await self._keys()

    async def _keys(self, *, refresh: bool = False):
        """The provider's keys, fetched once and again when a token names a key they lack (rotation), at most
        once a minute."""
        from joserfc.jwk import KeySet

        await self.metadata()
        if self._key_set is None or refresh and time.monotonic() - self._keys_fetched > JWKS_REFRESH_SECONDS:
            self._key_set = KeySet.import_key_set(await self.client.fetch_jwk_set(force=True))
            self._keys_fetched = time.monotonic()
        return self._key_set

    async def access_token_claims(self, token: str) -> dict[str, Any] | None:
        """The claims of an access token the provider issued for Botilbud, or None for any other (a bad
        signature, another issuer or audience, expired, an ID token)."""
        from joserfc import jwt
        from joserfc.errors import InvalidKeyIdError, JoseError
        from joserfc.jws import JWSRegistry

        registry = JWSRegistry(algorithms=ALGORITHMS)  # asymmetric only: never "none", never HS256 with a public key
        keys = await self._keys()  # the provider unreachable raises: the caller answers 503
        try:
            try:
                decoded = jwt.decode(token, keys, registry=registry)
            except InvalidKeyIdError:  # the provider may have rotated its keys
                decoded = jwt.decode(token, await self._keys(refresh=True), registry=registry)
            jwt.JWTClaimsRegistry(
                leeway=30, iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.settings.audience}, exp={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            log.info("access_token_refused", reason=type(exc).__name__)
            return None
        if decoded.claims.get("typ") == "ID":  # Keycloak marks ID tokens; they are no access tokens
            return None
        return decoded.claims


class IdpAccessTokens(AccessTokens):
    def __init__(self, provider: OidcProvider):
        self.provider = provider

    async def user(self, token: str) -> User | None:
        if token.count(".") != 2:
            return None
        try:
            claims = await self.provider.access_token_claims(token)
        except Exception as exc:  # the provider unreachable: this token cannot be checked now  # noqa: BLE001
            log.warning("access_token_unchecked", error=type(exc).__name__)
            raise HTTPException(503, "Innloggingstjenesten svarer ikke; prøv igjen om litt.") from exc
        if claims is None:
            return None
        try:
            return user_from_claims(claims, self.provider.settings)
        except NoAccess as exc:
            raise HTTPException(403, exc.message_nb) from exc


# --- the web login: /auth/login, /auth/callback, and where logout sends the browser ----------------------

router = APIRouter(include_in_schema=False)
_PAGES = templates()


@dataclass(frozen=True)
class WebLogin:
    """What the login routes need, on the root app's state as `web_login`."""

    provider: OidcProvider
    signer: TokenSigner

    def site(self, request: Request) -> str:
        return (self.provider.settings.site_url or str(request.base_url)).rstrip("/")


def _web_login(request: Request) -> WebLogin:
    return request.app.state.web_login


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def safe_next(target: str) -> str:
    """Only local paths: a login must not redirect to another site (nor carry a path too long for a cookie)."""
    local = target.startswith("/") and not target.startswith(("//", "/\\")) and len(target) <= 1000
    return target if local else "/"


@router.get("/auth/config")
async def login_config(request: Request) -> dict[str, str]:
    """What the `botilbud` command needs to get a token from the provider (nothing secret)."""
    settings = _web_login(request).provider.settings
    return {"issuer": _web_login(request).provider.issuer, "cli_client_id": settings.cli_client_id,
            "audience": settings.audience}


@router.get("/auth/login")
async def start_login(request: Request, next: str = "/"):
    """To the provider's login, with state, nonce and a PKCE challenge (Authlib)."""
    login = _web_login(request)
    request.session["next"] = safe_next(next)
    try:
        return await login.provider.client.authorize_redirect(request, f"{login.site(request)}/auth/callback")
    except Exception as exc:  # discovery failed: the provider is down or misnamed  # noqa: BLE001
        log.warning("oidc_provider_unreachable", error=type(exc).__name__)
        return login_page(request, error="Kommunens innlogging svarer ikke. Prøv igjen om litt; skjer det igjen, "
                          "si fra til drift.", status_code=503)


@router.get("/auth/callback")
async def finish_login(request: Request):
    """Back from the provider: the code for tokens, the ID token checked, then our own session."""
    from authlib.integrations.starlette_client import OAuthError
    from joserfc.errors import JoseError

    login = _web_login(request)
    try:
        tokens = await login.provider.client.authorize_access_token(request)
    except (OAuthError, JoseError, ValueError) as exc:
        log.info("oidc_login_failed", reason=type(exc).__name__, error=getattr(exc, "error", None))
        return login_page(request, error="Innloggingen ble avbrutt eller er utløpt. Prøv igjen.", status_code=400)
    claims = tokens.get("userinfo") or {}
    next_page = safe_next(request.session.pop("next", "/"))
    try:
        user = user_from_claims(claims, login.provider.settings)
    except NoAccess as exc:
        log.info("oidc_login_refused")
        response = login_page(request, error=exc.message_nb, status_code=403, signed_in_elsewhere=True)
        _keep_id_token(request, response, tokens.get("id_token"))
        return response
    session = login.signer.issue(user, until=claims.get("exp"))
    response = RedirectResponse(next_page, status_code=303)
    response.set_cookie(SESSION_COOKIE, session, max_age=login.signer.seconds_left(session), httponly=True,
                        samesite="lax", secure=_secure(request))
    _keep_id_token(request, response, tokens.get("id_token"))
    log.info("oidc_login", role=user.role.value)
    return response


def _keep_id_token(request: Request, response: Response, id_token: str | None) -> None:
    # A cookie holds about 4 kB: a larger ID token is not kept, and logout names the client instead.
    if id_token and len(id_token) < 3800:
        response.set_cookie(ID_TOKEN_COOKIE, id_token, httponly=True, samesite="lax", path="/logout",
                            secure=_secure(request))


async def end_session_redirect(request: Request) -> Response | None:
    """Where logout sends the browser: the provider's end-session endpoint, which comes back to /login."""
    login: WebLogin | None = getattr(request.app.state, "web_login", None)
    if login is None:
        return None
    try:
        endpoint = (await login.provider.metadata()).get("end_session_endpoint")
    except Exception as exc:  # noqa: BLE001 - the provider down: log out here at least
        log.warning("oidc_provider_unreachable", error=type(exc).__name__)
        endpoint = None
    if not endpoint:
        return None
    params = {"post_logout_redirect_uri": f"{login.site(request)}/login",
              "client_id": login.provider.settings.client_id}
    if id_token := request.cookies.get(ID_TOKEN_COOKIE):
        params["id_token_hint"] = id_token
    response = RedirectResponse(f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}", status_code=303)
    response.delete_cookie(ID_TOKEN_COOKIE, path="/logout", httponly=True, samesite="lax", secure=_secure(request))
    return response


def login_page(request: Request, *, error: str | None = None, status_code: int = 200, next: str = "/",
               username: str = "", signed_in_elsewhere: bool = False,
               headers: dict[str, str] | None = None) -> HTMLResponse:
    """The login page: the password form (the demo), or the way to the municipality's login."""
    return _PAGES.TemplateResponse(
        request, "login.html",
        {"next": safe_next(next), "error": error, "username": username, "user": None,
         "oidc": getattr(request.app.state, "web_login", None) is not None,
         "signed_in_elsewhere": signed_in_elsewhere},
        status_code=status_code, headers=headers)
