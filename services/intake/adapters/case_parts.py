"""Placement's and billing's parts of a household's case, asked of their APIs when the case page is drawn, on
behalf of the logged-in user (their token: each service checks the user's office itself). Nothing is kept.
A service that cannot answer leaves its part out with a Norwegian note for the page; intake's part is shown
regardless. The same shape as `kit/people.py` (placement and billing asking intake), the other way round."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from uuid import UUID

import httpx

from kit.logging import current_correlation_id, get_logger
from services.intake.domain.timeline import (
    BilledLinePart,
    MailingPart,
    RequisitionPart,
    SettlementPart,
    StayActionPart,
    StayPart,
)

log = get_logger(__name__)  # ids and outcomes only
PARTS_NB = {"placement": ("Oppholdene", "plasseringstjenesten (placement)", "BOTILBUD_PLACEMENT_URL"),
            "billing": ("Rekvisisjonene og fakturalinjene", "økonomitjenesten (billing)", "BOTILBUD_BILLING_URL")}


def unreachable_nb(service: str) -> str:
    what, who, _ = PARTS_NB[service]
    return (f"{what} kan ikke vises nå: {who} svarer ikke. Søknader og vedtak vises likevel; last siden på nytt "
            "om litt.")


def not_configured_nb(service: str) -> str:
    what, who, setting = PARTS_NB[service]
    return f"{what} kan ikke vises: adressen til {who} er ikke satt ({setting})."


def refused_nb(service: str) -> str:
    what, _, _ = PARTS_NB[service]
    return f"{what} ved andre Nav-kontor vises ikke: du har bare tilgang til ditt eget kontors."


@dataclass(frozen=True)
class CaseParts:
    """One page's answer: the stays and requisitions the user may see, and a note for each part missing."""

    stays: list[StayPart] = field(default_factory=list)
    requisitions: list[RequisitionPart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _at(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _money(text: str | None) -> Decimal | None:
    return Decimal(text) if text is not None else None


def stays_of(body: dict) -> list[StayPart]:
    return [StayPart(
        UUID(s["stay_id"]), s["provider_name"], s["unit_name"], date.fromisoformat(s["check_in"]),
        date.fromisoformat(s["authorised_to"]), _day(s.get("check_out")), _day(s.get("planned_check_out")),
        s.get("planned_destination"),
        tuple(StayActionPart(a["action"], _at(a.get("at")), _day(a.get("on_date")), a.get("destination"),
                             a.get("by"), a.get("by_name")) for a in s["actions"]))
        for s in body["stays"]]


def requisitions_of(body: dict) -> list[RequisitionPart]:
    return [RequisitionPart(
        r["number"], UUID(r["stay_id"]), r["provider_name"], date.fromisoformat(r["period_from"]),
        date.fromisoformat(r["period_to"]), Decimal(r["price_per_night"]), Decimal(r["max_amount"]), r["status"],
        datetime.fromisoformat(r["issued_at"]), r.get("contact_username"), r.get("contact_name"),
        tuple(MailingPart(m["reason"], datetime.fromisoformat(m["requested_at"]), m.get("requested_by"),
                          _at(m.get("sent_at"))) for m in r["mailings"]),
        tuple(BilledLinePart(
            UUID(x["invoice_id"]), x["invoice_number"], x["supplier_name"], x["position"], _day(x.get("first_night")),
            _day(x.get("last_night")), Decimal(x["claimed_amount"]), Decimal(x["payable_amount"]), x["status"],
            x.get("invoice_decision"), _money(x.get("paid_amount")), datetime.fromisoformat(x["received_at"]),
            x["received_by"], x.get("received_by_name"),
            tuple(SettlementPart(s["action"], _money(s.get("amount")), s["by"], s.get("by_name"),
                                 datetime.fromisoformat(s["at"])) for s in x["settlements"]))
            for x in r["lines"]))
        for r in body["requisitions"]]


class CasePartsLookup:
    """`base_url(service)` gives placement's or billing's address when asked (the runtime's `service_url`)."""

    def __init__(self, base_url: Callable[[str], str], *, timeout: float = 3.0,
                 transport: httpx.AsyncBaseTransport | None = None):
        self._base_url = base_url
        self._timeout = timeout
        self._transport = transport

    async def of(self, household_id: UUID, *, token: str | None) -> CaseParts:
        if not token:
            return CaseParts()
        async with httpx.AsyncClient(timeout=self._timeout, verify=_tls(), transport=self._transport) as client:
            (stays, stays_note), (requisitions, requisitions_note) = await asyncio.gather(
                self._ask(client, "placement", f"/api/households/{household_id}/stays", token, stays_of),
                self._ask(client, "billing", f"/api/households/{household_id}/requisitions", token,
                          requisitions_of))
        return CaseParts(stays or [], requisitions or [], [n for n in (stays_note, requisitions_note) if n])

    async def _ask(self, client: httpx.AsyncClient, service: str, path: str, token: str, read) -> tuple:
        """(the part, None) — or (None, a note) when the service cannot answer. 404: it knows nothing of the
        household (no stay or requisition yet), an empty part."""
        try:
            url = self._base_url(service).rstrip("/") + path
        except LookupError:
            return None, not_configured_nb(service)
        headers = {"Authorization": f"Bearer {token}", "X-Correlation-Id": current_correlation_id()}
        try:
            r = await client.get(url, headers=headers)
            if r.status_code == 404 and r.headers.get("content-type", "").startswith("application/problem+json"):
                return [], None
            if r.status_code == 403:
                return [], refused_nb(service)
            r.raise_for_status()
            return read(r.json()), None
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            log.warning("case_part_failed", service=service, reason=type(exc).__name__)
            return None, unreachable_nb(service)
