"""Shared steps for placement's integration and browser tests: households through intake's real API."""

from __future__ import annotations

import itertools
from datetime import date

import httpx
from stdnum.no import fodselsnummer

from tests.conftest import eventually, login

_serial = itertools.count(100)


def fnr(birth: date) -> str:
    """A valid synthetic fødselsnummer (individual numbers 000–499 for 1900–1999, 500–999 for 2000–2039)."""
    while True:
        individual = next(_serial) % 500 + (500 if birth.year >= 2000 else 0)
        base = f"{birth:%d%m%y}{individual:03d}"
        w1, w2 = (3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
        k1 = (11 - sum(int(d) * w for d, w in zip(base, w1, strict=True)) % 11) % 11
        if k1 == 10:
            continue
        k2 = (11 - sum(int(d) * w for d, w in zip(base + str(k1), w2, strict=True)) % 11) % 11
        if k2 < 10 and fodselsnummer.is_valid(base + f"{k1}{k2}"):
            return base + f"{k1}{k2}"


async def grant(client: httpx.AsyncClient, headers: dict, *, period_from: date, period_to: date,
                birth: date = date(1985, 3, 4), children: tuple[date, ...] = (), adults: int = 1,
                needs: dict | None = None, office_id: str = "nav-grunerlokka", identity: str | None = None,
                wait: bool = True) -> dict:
    """Apply and grant through intake; wait until placement has the decision. Returns ids and the fnr."""
    identity = identity or fnr(birth)
    applied = await client.post("/intake/api/applications", headers=headers, json={
        "identity_number": identity, "name": "Test Testesen", "office_id": office_id, "urgent": True,
        "children_birth_dates": [str(c) for c in children], "adults": adults, "needs": needs or {}})
    assert applied.status_code == 201, applied.text
    decided = await client.post(f"/intake/api/applications/{applied.json()['application_id']}/decision",
                                headers=headers, json={"outcome": "granted", "period_from": str(period_from),
                                                       "period_to": str(period_to)})
    assert decided.status_code == 201, decided.text
    if decided.json().get("status") == "awaiting_approval":  # e.g. Grünerløkka: a leader approves
        leader = await login(client, "leder-" + office_id.removeprefix("nav-"))
        approved = await client.post(f"/intake/api/decisions/{decided.json()['decision_id']}/approval",
                                     headers=leader)
        assert approved.status_code == 200, approved.text
    out = {"decision_id": decided.json()["decision_id"], "household_id": applied.json()["household_id"],
           "identity": identity}
    if wait:
        async def arrived():
            r = await client.get(f"/placement/api/decisions/{out['decision_id']}", headers=headers)
            return r.status_code == 200
        await eventually(arrived)
    return out


async def extend_in_intake(client: httpx.AsyncClient, headers: dict, decision_id: str, period_to: date,
                           office_id: str = "nav-grunerlokka") -> str:
    """Intake's extension of a decision (a new decision with extends_decision_id), approved where required."""
    r = await client.post(f"/intake/api/decisions/{decision_id}/extension", headers=headers,
                          json={"period_to": str(period_to)})
    assert r.status_code == 201, r.text
    if r.json().get("status") == "awaiting_approval":
        leader = await login(client, "leder-" + office_id.removeprefix("nav-"))
        approved = await client.post(f"/intake/api/decisions/{r.json()['decision_id']}/approval", headers=leader)
        assert approved.status_code == 200, approved.text
    return r.json()["decision_id"]


async def capacity(client: httpx.AsyncClient, headers: dict, municipality: str = "0301") -> list[dict]:
    r = await client.get(f"/placement/api/capacity?municipality={municipality}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def orgnr() -> str:
    """A fresh valid organisation number (mod-11), starting with 8 so it never meets the demo data's."""
    import random

    while True:
        base = "8" + "".join(random.choices("0123456789", k=7))  # noqa: S311 - test data
        check = (11 - sum(int(d) * w for d, w in zip(base, (3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11) % 11
        if check < 10:
            return base + str(check)


GOOD_FACILITIES = {"own_bath": True, "kitchen": "own", "laundry": True, "visits_allowed": True}


async def new_place(client: httpx.AsyncClient, admin: dict, *, municipality: str = "0301", district: str | None = None,
                    beds: int = 3, target_groups: tuple[str, ...] = ("families", "singles_couples"),
                    name: str = "Familiehuset") -> dict:
    """A provider under a framework agreement with one free, adequate unit (`units`: [the unit])."""
    import uuid

    r = await client.post("/placement/api/providers", headers=admin, json={
        "name": f"{name} {uuid.uuid4().hex[:6]}", "orgnr": orgnr(), "kind": "private",
        "municipality": municipality, "district": district, "address": f"{name}veien {uuid.uuid4().int % 999}",
        "accommodation": "temporary", "agreement": {"kind": "framework", "price_per_night": 900,
                                                    "valid_from": "2024-01-01", "target_groups": list(target_groups)}})
    assert r.status_code == 201, r.text
    provider = r.json()
    u = await client.post(f"/placement/api/providers/{provider['provider_id']}/units", headers=admin,
                          json={"name": "Leilighet 1", "beds": beds, "facilities": GOOD_FACILITIES})
    assert u.status_code == 201, u.text
    provider["units"] = [u.json()]
    return provider
