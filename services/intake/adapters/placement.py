"""Placement's part of the leader's queue, asked of placement when intake's queue page (or a header's count) is
drawn, on behalf of the logged-in leader (their token): the placements and extensions a leader should see, and
marking one as seen. Placement checks the token like any request. The address is `BOTILBUD_PLACEMENT_URL` (in
the all-in-one process, its own address); the mirror of `kit/people.py`, with which placement and billing ask intake."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from uuid import UUID

import httpx

from kit.logging import current_correlation_id, get_logger

log = get_logger(__name__)  # ids and outcomes only
UNREACHABLE_NB = ("Plasseringene kan ikke vises nå: plasseringstjenesten svarer ikke. Vedtakene som venter vises "
                  "likevel; last siden på nytt om litt.")
NOT_CONFIGURED_NB = ("Plasseringene kan ikke vises: adressen til plasseringstjenesten er ikke satt "
                     "(BOTILBUD_PLACEMENT_URL).")
NOT_IN_QUEUE_NB = "Fant ikke plasseringen i køen til ditt kontor."
SEEN_FAILED_NB = "Plasseringen kunne ikke merkes som sett: plasseringstjenesten svarte ikke. Prøv igjen om litt."


@dataclass(frozen=True)
class PlacementItem:
    item_id: UUID
    kind: str  # placement | extension
    stay_id: UUID
    household_id: UUID
    at: date
    provider: str
    unit: str
    authorised_to: date
    reasons: list[str]
    justification: str | None = field(repr=False)
    by: str | None


@dataclass(frozen=True)
class PlacementQueue:
    items: list[PlacementItem] = field(default_factory=list)
    note: str | None = None  # why the items are missing, for the page


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


class PlacementQueueClient:
    """`base_url()` gives placement's address when asked (the runtime's `service_url("placement")`)."""

    def __init__(self, base_url: Callable[[], str], *, timeout: float = 3.0,
                 transport: httpx.AsyncBaseTransport | None = None):
        self._base_url = base_url
        self._timeout = timeout
        self._transport = transport

    async def _call(self, method: str, path: str, token: str, seconds: float | None = None) -> httpx.Response:
        url = self._base_url().rstrip("/") + "/api/leader-queue" + path
        headers = {"Authorization": f"Bearer {token}", "X-Correlation-Id": current_correlation_id()}
        async with httpx.AsyncClient(timeout=seconds or self._timeout, verify=_tls(),
                                     transport=self._transport) as client:
            r = await client.request(method, url, headers=headers)
        r.raise_for_status()
        return r

    async def queue(self, token: str | None) -> PlacementQueue:
        if not token:
            return PlacementQueue()
        try:
            body = (await self._call("GET", "", token)).json()
            items = [PlacementItem(
                UUID(i["item_id"]), i["kind"], UUID(i["stay_id"]), UUID(i["household_id"]),
                date.fromisoformat(i["at"]), i["provider"], i["unit"], date.fromisoformat(i["authorised_to"]),
                list(i["reasons"]), i.get("justification"), i.get("by")) for i in body["items"]]
        except LookupError:
            return PlacementQueue(note=NOT_CONFIGURED_NB)
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.warning("placement_queue_failed", reason=type(exc).__name__)
            return PlacementQueue(note=UNREACHABLE_NB)
        return PlacementQueue(items)

    async def count(self, token: str | None, *, seconds: float) -> int | None:
        """Placement's part of the header's count; None when it cannot be had in time."""
        if not token:
            return None
        try:
            return int((await self._call("GET", "", token, seconds)).json()["count"])
        except (LookupError, httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.info("placement_queue_count_failed", reason=type(exc).__name__)
            return None

    async def mark_seen(self, token: str | None, item_id: UUID) -> str | None:
        """Mark the item as seen for the leader; None when done, else a Norwegian message for the page."""
        if not token:
            return SEEN_FAILED_NB
        try:
            await self._call("POST", f"/{item_id}/seen", token)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code in (403, 404):
                return NOT_IN_QUEUE_NB
            return SEEN_FAILED_NB
        except (LookupError, httpx.HTTPError) as exc:
            log.warning("placement_seen_failed", reason=type(exc).__name__)
            return SEEN_FAILED_NB
        return None
