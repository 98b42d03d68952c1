"""The demo's later stages, done as a case worker would do them: through the public APIs, after the stack is up.

Intake loads its demo households (new, granted, refused, extended, awaiting approval) itself. This places some
of the granted ones, follows an extension decision with the stay, and moves one household out, at every demo
office, so that capacity, requisitions and statistics have something to show. It runs once: an office that
already has stays is left alone."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import httpx

from kit import clock
from kit.logging import get_logger

log = get_logger(__name__)
JUSTIFICATION = "Demo: beste ledige plass i kveld."


async def place_demo_households(url: str, offices: list[str], password: str, wait_seconds: float = 60) -> int:
    placed = 0
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for office in offices:
            try:
                placed += await _office(client, office, password, wait_seconds)
            except (httpx.HTTPError, KeyError, IndexError) as exc:  # a demo must never stop the system
                log.warning("demo_placement_failed", office=office, error=repr(exc)[:300])
    log.info("demo_placements_done", stays=placed)
    return placed


async def _office(client: httpx.AsyncClient, office: str, password: str, wait_seconds: float) -> int:
    token = await client.post("/api/token", data={"username": f"veileder-{office.removeprefix('nav-')}",
                                                  "password": password})
    token.raise_for_status()
    auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
    if (await client.get("/placement/api/stays", headers=auth, params={"page_size": 1})).json()["total"]:
        return 0
    waiting = await _awaiting(client, auth, wait_seconds)
    decisions = [(await client.get(f"/placement/api/decisions/{d['decision_id']}", headers=auth)).json()
                 for d in waiting]
    extensions = {d["extends_decision_id"]: d for d in decisions if d["extends_decision_id"]}
    originals = [d for d in decisions if not d["extends_decision_id"]]
    originals += [(await client.get(f"/placement/api/decisions/{e}", headers=auth)).json()
                  for e in extensions if e not in {d["decision_id"] for d in originals}]
    today = clock.today()
    placed, moved_out = 0, False
    for decision in sorted(originals, key=lambda d: d["period_from"]):
        check_in = date.fromisoformat(decision["period_from"])
        stay = await _place(client, auth, decision["decision_id"], check_in)
        if stay is None:
            continue
        placed += 1
        extension = extensions.get(decision["decision_id"])
        if extension:
            (await client.post(f"/placement/api/stays/{stay}/extend", headers=auth,
                               json={"decision_id": extension["decision_id"]})).raise_for_status()
        elif not moved_out and check_in + timedelta(days=14) <= today:
            (await client.post(f"/placement/api/stays/{stay}/move-out", headers=auth, json={
                "check_out": str(check_in + timedelta(days=14)), "destination": "private_rental"})).raise_for_status()
            moved_out = True
    return placed


async def _awaiting(client: httpx.AsyncClient, auth: dict, wait_seconds: float) -> list[dict]:
    """Intake's decisions reach placement through Kafka: wait (bounded) until they have come and the list has
    stopped growing for a couple of seconds."""
    deadline = asyncio.get_running_loop().time() + wait_seconds
    waiting: list[dict] = []
    settled = 0
    while asyncio.get_running_loop().time() < deadline and settled < 2:
        latest = (await client.get("/placement/api/decisions/awaiting-place", headers=auth)).json()
        settled = settled + 1 if latest and len(latest) == len(waiting) else 0
        waiting = latest
        await asyncio.sleep(1)
    return waiting


async def _place(client: httpx.AsyncClient, auth: dict, decision_id: str, check_in: date) -> str | None:
    matches = (await client.get(f"/placement/api/decisions/{decision_id}/matches", headers=auth,
                                params={"check_in": str(check_in)})).json()
    if not matches["fits"]:
        return None
    best = matches["fits"][0]
    response = await client.post("/placement/api/stays", headers=auth, json={
        "decision_id": decision_id, "unit_id": best["unit_id"], "check_in": str(check_in),
        "justification": JUSTIFICATION if best["needs_justification"] else None})
    if response.status_code != 201:
        log.warning("demo_placement_refused", status=response.status_code, detail=response.text[:300])
        return None
    return response.json()["stay_id"]
