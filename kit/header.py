"""What the shared page header shows beside the menu: the household search (for the roles that may search),
for office leaders the number of items in their queue, and who is logged in, with the names of their office and
municipality. The count is asked when the page is sent, by the service drawing it, of whatever
`app.state.header_count` the service bound (placement, billing and stats: an HTTP source at intake; intake:
itself). It is asked once per page, briefly, and a page never fails for it: no answer in time, or any error, and
the header shows the link without a number. The office's name comes the same way from `app.state.office_names`,
each service's own copy of the offices (`CachedOfficeNames`); without it the header shows the office's id."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from functools import cache

import httpx
from fastapi import Request

from contracts import reference
from kit.auth import Role, User, request_token
from kit.logging import current_correlation_id, get_logger

log = get_logger(__name__)

SEARCH_ROLES = frozenset({Role.CASE_WORKER, Role.OFFICE_LEADER})
"""Who may search households (within their office): the header's search form is theirs only."""
QUEUE_ROLES = frozenset({Role.OFFICE_LEADER})
"""Who has a leader's queue, with its count in the header."""
SEARCH_ACTION = "/intake/search"
"""Where the header's search form posts (a POST: a name or number never goes in a URL)."""
QUEUE_PAGE = "/intake/queue"
QUEUE_COUNT_PATH = "/api/queue/count"
"""The count's path under intake's base URL (`BOTILBUD_INTAKE_URL`), for the other services' headers."""
COUNT_SECONDS = 1.0
"""The most a page waits for its header's count."""

OFFICE_NAMES_SECONDS = 30.0
"""How long a service keeps the office names it read for its headers: a page costs no query, and a new or
renamed office shows within half a minute."""

HeaderCount = Callable[[Request], Awaitable[int | None]]
OfficeNames = Callable[[], Awaitable[Mapping[str, str]]]
"""Office id → name, as the service drawing the page knows its offices."""


def may_search(user: User | None) -> bool:
    return user is not None and user.role in SEARCH_ROLES


def has_queue(user: User | None) -> bool:
    return user is not None and user.role in QUEUE_ROLES


async def header_count(request: Request, user: User | None) -> int | None:
    """The leader's queue count for this page's header, or None (not a leader, no source, no answer in time)."""
    source: HeaderCount | None = getattr(request.app.state, "header_count", None)
    if source is None or not has_queue(user):
        return None
    try:
        return await asyncio.wait_for(source(request), COUNT_SECONDS)
    except Exception as exc:  # noqa: BLE001 - the header's number is never worth a failed page
        log.info("header_count_unavailable", reason=type(exc).__name__)
        return None


async def office_name(request: Request, user: User | None) -> str | None:
    """The user's office as the header names it: its name, or its id where the name is not known (yet: the
    office's event has not reached this service), or None for a user of no office."""
    if user is None or not user.office_id:
        return None
    source: OfficeNames | None = getattr(request.app.state, "office_names", None)
    if source is None:
        return user.office_id
    try:
        names = await asyncio.wait_for(source(), COUNT_SECONDS)
    except Exception as exc:  # noqa: BLE001 - the office's name is never worth a failed page
        log.info("header_office_names_unavailable", reason=type(exc).__name__)
        return user.office_id
    return names.get(user.office_id) or user.office_id


def municipality_name(user: User | None) -> str | None:
    """The municipality of the municipality's staff as the header names it, "Oslo kommune" (SSB's name), or
    "kommune 0301" for a number the reference data does not know."""
    if user is None or not user.municipality:
        return None
    name = reference.municipalities().get(user.municipality)
    return f"{name} kommune" if name else f"kommune {user.municipality}"


class CachedOfficeNames:
    """The office names a service reads from its own database (`read`), kept for `seconds`. A read that fails
    or is slow keeps the names read before (none at first, so the header shows ids) and is tried again only after
    `seconds`: a database in trouble is not asked again on every page."""

    def __init__(self, read: OfficeNames, *, seconds: float = OFFICE_NAMES_SECONDS, timeout: float = COUNT_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self._read, self._seconds, self._timeout, self._clock = read, seconds, timeout, clock
        self._names: Mapping[str, str] = {}
        self._read_at: float | None = None

    async def __call__(self) -> Mapping[str, str]:
        now = self._clock()
        if self._read_at is not None and now - self._read_at < self._seconds:
            return self._names
        self._read_at = now
        try:
            self._names = dict(await asyncio.wait_for(self._read(), self._timeout))
        except Exception as exc:  # noqa: BLE001 - stale names, or ids, rather than a failed page
            log.info("office_names_unread", reason=type(exc).__name__)
        return self._names


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


class RemoteCount:
    """A count from another service's API (`{"count": n}`), asked with the user's own token. `url()` gives the
    address when asked (LookupError: not configured, so no count)."""

    def __init__(self, url: Callable[[], str], *, timeout: float = COUNT_SECONDS,
                 transport: httpx.AsyncBaseTransport | None = None):
        self._url = url
        self._timeout = timeout
        self._transport = transport

    async def __call__(self, request: Request) -> int | None:
        token = request_token(request)
        if not token:
            return None
        try:
            url = self._url()
        except LookupError:
            return None
        headers = {"Authorization": f"Bearer {token}", "X-Correlation-Id": current_correlation_id()}
        async with httpx.AsyncClient(timeout=self._timeout, verify=_tls(), transport=self._transport) as client:
            r = await client.get(url, headers=headers)
        r.raise_for_status()
        return int(r.json()["count"])
