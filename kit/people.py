"""Who households are, asked of intake when a page is drawn, on behalf of the logged-in user (their token):
intake checks the user's access and audits what it names. Nothing is kept — the answer lives for one page,
never in the asking service's tables, events, logs or URLs (the ids travel in the POST body). One client for
every service that shows households (placement's and billing's pages, billing's mailer); intake's side is
`POST /intake/api/people`."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from uuid import UUID

import httpx

from kit.logging import current_correlation_id, get_logger

log = get_logger(__name__)  # never a name: the outcome and the number of households only
BATCH = 500  # intake's most per request
UNREACHABLE_NB = ("Navnene kan ikke vises nå: søknadstjenesten (intake) svarer ikke. Husstandene vises uten navn; "
                  "last siden på nytt om litt.")
NOT_CONFIGURED_NB = "Navnene kan ikke vises: adressen til søknadstjenesten er ikke satt (BOTILBUD_INTAKE_URL)."


@dataclass(frozen=True)
class Person:
    household_id: UUID
    name: str = field(repr=False)
    birth_date: date
    reference: str | None


@dataclass(frozen=True)
class People:
    """One page's answer: who each household is (those the user may see), or a note why no one is named."""

    found: dict[UUID, Person] = field(default_factory=dict)
    note: str | None = None

    def get(self, household_id: UUID) -> Person | None:
        return self.found.get(household_id)


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()  # made once: an https intake is verified as usual


class PeopleLookup:
    """`base_url()` gives intake's address when asked (the runtime's `service_url("intake")`)."""

    def __init__(self, base_url: Callable[[], str], *, timeout: float = 3.0,
                 transport: httpx.AsyncBaseTransport | None = None):
        self._base_url = base_url
        self._timeout = timeout
        self._transport = transport

    async def of(self, household_ids: Iterable[UUID], *, token: str | None, purpose: str,
                 on_behalf_of: str | None = None) -> People:
        """Who these households are, for the user of `token`. A user intake refuses (another role) gets no
        names and no note; an intake that cannot answer gives no names and a note for the page."""
        ids = list(dict.fromkeys(household_ids))
        if not ids or not token:
            return People()
        try:
            url = self._base_url().rstrip("/") + "/api/people"
        except LookupError:
            return People(note=NOT_CONFIGURED_NB)
        found: dict[UUID, Person] = {}
        headers = {"Authorization": f"Bearer {token}", "X-Correlation-Id": current_correlation_id()}
        try:
            async with httpx.AsyncClient(timeout=self._timeout, verify=_tls(), transport=self._transport) as client:
                for start in range(0, len(ids), BATCH):
                    body = {"household_ids": [str(i) for i in ids[start:start + BATCH]], "purpose": purpose}
                    if on_behalf_of:
                        body["on_behalf_of"] = on_behalf_of
                    r = await client.post(url, json=body, headers=headers)
                    if r.status_code in (401, 403):
                        return People()
                    r.raise_for_status()
                    for p in r.json()["people"]:
                        person = Person(UUID(p["household_id"]), p["name"], date.fromisoformat(p["birth_date"]),
                                        p.get("reference"))
                        found[person.household_id] = person
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            log.warning("people_lookup_failed", reason=type(exc).__name__, households=len(ids))
            return People(note=UNREACHABLE_NB)
        return People(found)
