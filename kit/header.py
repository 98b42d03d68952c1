"""What the shared page header shows beside the menu: the household search (for the roles that may search),
for office leaders the number of items in their queue, and who is logged in, with the names of their office and
municipality. The count is asked when the page is sent, by the service drawing it, of whatever
`app.state.header_count` the service bound (placement, billing and stats: an HTTP source at intake; intake:
itself). It is asked once per page, briefly, and a page never fails for it: no answer in time, or any error, and
the header shows the link without a number. The office's name comes the same way from
`app.state.header_office_name`, each service's own copy of the offices (`CachedOfficeNames`); without a name the
header shows the office's id."""

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
"""The most a page waits for its header's count, or for its office's name."""

OFFICE_NAMES_SECONDS = 30.0
"""How long a service keeps the office names it read for its headers: a page costs no query, and a renamed office
shows within half a minute."""
UNKNOWN_OFFICE_SECONDS = 3.0
"""How soon an office missing from the names read is asked for again: one whose event arrived just after the read
(the first pages after a start, a new office) is named within seconds, at a query per three seconds, not per
page."""
NAMES_READ_SECONDS = COUNT_SECONDS / 2
"""The most a read of the names may take: within the page's wait for the name, so that a slow read is the
lookup's own failure (the names read before are kept)."""

HeaderCount = Callable[[Request], Awaitable[int | None]]
HeaderOfficeName = Callable[[str], Awaitable[str | None]]
"""An office's name by its id, as the service drawing the page knows its offices (None: not known)."""
OfficeNames = Callable[[], Awaitable[Mapping[str, str]]]
"""Every office's name by its id, read from the service's own database."""


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
    office's event has not reached this service) or cannot be read; None for a user of no office."""
    if user is None or not user.office_id:
        return None
    source: HeaderOfficeName | None = getattr(request.app.state, "header_office_name", None)
    if source is None:
        return user.office_id
    try:
        return await asyncio.wait_for(source(user.office_id), COUNT_SECONDS) or user.office_id
    except Exception as exc:  # noqa: BLE001 - the office's name is never worth a failed page
        log.info("header_office_name_unavailable", reason=type(exc).__name__)
        return user.office_id


def municipality_name(user: User | None) -> str | None:
    """The municipality of the municipality's staff as the header names it, "Oslo kommune" (SSB's name), or
    "kommune 0301" for a number the reference data does not know."""
    if user is None or not user.municipality:
        return None
    name = reference.municipalities().get(user.municipality)
    return f"{name} kommune" if name else f"kommune {user.municipality}"


class CachedOfficeNames:
    """An office's name from the names a service reads from its own database (`read`), kept for `seconds`, or
    `unknown_seconds` when the office asked for is not among them. A read that fails or is slow keeps the names
    read before (none at first, so the header shows ids) and is not tried again before those periods: a database
    in trouble is not asked on every page."""

    def __init__(self, read: OfficeNames, *, seconds: float = OFFICE_NAMES_SECONDS,
                 unknown_seconds: float = UNKNOWN_OFFICE_SECONDS, timeout: float = NAMES_READ_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self._read, self._timeout, self._clock = read, timeout, clock
        self._seconds, self._unknown_seconds = seconds, unknown_seconds
        self._names: Mapping[str, str] = {}
        self._read_at: float | None = None

    async def __call__(self, office_id: str) -> str | None:
        age = None if self._read_at is None else self._clock() - self._read_at
        if age is None or age >= self._seconds or (office_id not in self._names and age >= self._unknown_seconds):
            await self._refresh()
        return self._names.get(office_id)

    async def _refresh(self) -> None:
        self._read_at = self._clock()
        try:
            self._names = dict(await asyncio.wait_for(self._read(), self._timeout))
        except Exception as exc:  # noqa: BLE001 - stale names, or ids, rather than a failed page
            log.info("office_names_unread", reason=type(exc).__name__)


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
