"""What the shared page header shows beside the menu: the household search (for the roles that may search) and,
for office leaders, the number of items in their queue. The count is asked when the page is sent, by the
service drawing it, of whatever `app.state.header_count` the service bound (placement, billing and stats: an
HTTP source at intake; intake: itself). It is asked once per page, briefly, and a page never fails for it: no
answer in time, or any error, and the header shows the link without a number."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from functools import cache

import httpx
from fastapi import Request

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

HeaderCount = Callable[[Request], Awaitable[int | None]]


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
