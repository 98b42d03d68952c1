"""Steady traffic through the public APIs, as the offices make it: a household applies, is granted (with the
leader's approval where the office needs it), placed in the first place that fits, sometimes extended, and
mostly moved out again (so places free up), and now and then finance imports an invoice for a stay.

It tolerates the faults the suite injects: a call that fails (connection refused, 5xx, timeout) ends that
household's journey and the worker starts another one after a short pause. Nothing here asserts: the
invariants are checked afterwards with `botilbud verify`. Used by tests/faults/ and bench/load.py."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx

from botilbud.stack import DEMO_PASSWORD, demo_offices
from kit import clock
from services.intake.domain.identity import synthetic_identity_number

OFFICES = demo_offices()


class JourneyFailed(Exception):
    pass


def synthetic_number(n: int) -> str:
    """The n-th synthetic (Tenor, month + 80) identity number: a distinct household for every n."""
    days, serial = n % 16000, n // 16000
    return synthetic_identity_number(date(1960, 1, 1) + timedelta(days=days), serial)


@dataclass
class Traffic:
    client: httpx.AsyncClient
    concurrency: int = 4
    seed: int = 1
    move_out_share: float = 0.8
    extend_share: float = 0.3
    invoice_share: float = 0.1
    before_journey: Callable[[], Awaitable[None]] | None = None  # the bench's rate limiter
    counts: Counter = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    placed_at: dict[str, float] = field(default_factory=dict)  # stay id → time of placement's 201
    last_error: dict[str, str] = field(default_factory=dict)  # kind of call → its last refusal
    _tokens: dict[str, dict] = field(default_factory=dict)
    _serial: itertools.count = field(default_factory=lambda: itertools.count(random.randrange(10**6)))

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(*(self._worker(i, stop) for i in range(self.concurrency)))

    async def _worker(self, i: int, stop: asyncio.Event) -> None:
        rng = random.Random(self.seed * 1000 + i)
        while not stop.is_set():
            if self.before_journey:
                await self.before_journey()
                if stop.is_set():
                    return
            try:
                await self.journey(rng, rng.choice(OFFICES))
                self.counts["journeys_completed"] += 1
            except (JourneyFailed, httpx.HTTPError) as exc:
                self.counts["journeys_interrupted"] += 1
                self.counts[f"error:{type(exc).__name__}"] += 1
                await asyncio.sleep(0.3)

    @property
    def state_changes(self) -> int:
        return sum(v for k, v in self.counts.items() if k.startswith("changed:"))

    async def _token(self, username: str) -> dict:
        if username not in self._tokens:
            r = await self.client.post("/api/token", data={"username": username, "password": DEMO_PASSWORD})
            if r.status_code != 200:
                raise JourneyFailed(f"login {username}: {r.status_code}")
            self._tokens[username] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return self._tokens[username]

    async def _call(self, kind: str, method: str, path: str, headers: dict, expect: int, **kwargs) -> httpx.Response:
        started = time.perf_counter()
        r = await self.client.request(method, path, headers=headers, **kwargs)
        if r.status_code != expect:
            self.counts[f"status:{kind}:{r.status_code}"] += 1
            self.last_error[kind] = f"{r.status_code} {r.text[:300]}"
            raise JourneyFailed(f"{kind}: {r.status_code} {r.text[:200]}")
        self.latencies.setdefault(kind, []).append(time.perf_counter() - started)
        if method != "GET":
            self.counts[f"changed:{kind}"] += 1
        return r

    async def journey(self, rng: random.Random, office: dict) -> None:
        today = clock.today()
        # Each household's stay lies somewhere in the last months of this year and lasts a few nights, so the
        # units' calendars fill slowly and a unit is seldom wanted by two workers for the same nights.
        check_in = today - timedelta(days=rng.randrange(4, max(5, min(300, (today - date(today.year, 1, 1)).days))))
        short = office["id"].removeprefix("nav-")
        worker = await self._token(f"veileder-{short}")
        applied = await self._call("application", "POST", "/intake/api/applications", worker, 201, json={
            "identity_number": synthetic_number(next(self._serial)), "name": "Test Testesen",
            "office_id": office["id"], "urgent": True})
        decided = await self._call(
            "decision", "POST", f"/intake/api/applications/{applied.json()['application_id']}/decision", worker,
            201, json={"outcome": "granted", "period_from": str(check_in - timedelta(days=1)),
                       "period_to": str(check_in + timedelta(days=30)), "conditions": []})
        decision_id = decided.json()["decision_id"]
        if office["second_approval"]:
            await self._call("approval", "POST", f"/intake/api/decisions/{decision_id}/approval",
                             await self._token(f"leder-{short}"), 200)
        fits = await self._wait_for_matches(worker, decision_id, check_in)
        if not fits:
            self.counts["no_place_free"] += 1
            return
        unit = fits[rng.randrange(len(fits))]  # any that fits: workers seldom race for the same unit
        justification = "Ingen annen plass passet." if unit.get("needs_justification") else None
        placed = await self._call("placement", "POST", "/placement/api/stays", worker, 201, json={
            "decision_id": decision_id, "unit_id": unit["unit_id"], "check_in": str(check_in),
            "justification": justification})
        stay_id = placed.json()["stay_id"]
        self.placed_at[stay_id] = time.time()
        if rng.random() < self.extend_share:
            extended = await self._call("extension", "POST", f"/intake/api/decisions/{decision_id}/extension",
                                        worker, 201, json={"period_to": str(check_in + timedelta(days=60))})
            if extended.json().get("status") == "awaiting_approval":
                await self._call("approval", "POST",
                                 f"/intake/api/decisions/{extended.json()['decision_id']}/approval",
                                 await self._token(f"leder-{short}"), 200)
        if rng.random() < self.invoice_share:
            await self._invoice(stay_id, check_in, today)
        if rng.random() < self.move_out_share:
            await self._call("move_out", "POST", f"/placement/api/stays/{stay_id}/move-out", worker, 200,
                             json={"check_out": str(min(today, check_in + timedelta(days=rng.randrange(1, 4)))),
                                   "destination": "municipal_rental"})

    async def _wait_for_matches(self, worker: dict, decision_id: str, check_in: date, within: float = 30.0) -> list:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            r = await self.client.get(f"/placement/api/decisions/{decision_id}/matches", headers=worker,
                                      params={"check_in": str(check_in)})
            if r.status_code == 200:
                return r.json()["fits"]
            if r.status_code >= 500:
                raise JourneyFailed(f"matches: {r.status_code}")
            await asyncio.sleep(0.1)
        raise JourneyFailed("the decision did not reach placement in time")

    async def _invoice(self, stay_id: str, first: date, today: date, within: float = 20.0) -> None:
        """Finance imports a CSV invoice of the stay's first two nights, quoting its requisition."""
        finance = await self._token("okonomi")
        deadline = time.monotonic() + within
        while True:
            r = await self.client.get("/billing/api/requisitions", headers=finance, params={"stay_id": stay_id})
            found = r.json()["items"] if r.status_code == 200 else []  # the list is filtered by the stay
            if found:
                break
            if time.monotonic() > deadline:
                raise JourneyFailed("no requisition for the stay in time")
            await asyncio.sleep(0.2)
        q = found[0]
        price = q["price_per_night"]
        body = "\n".join([
            "supplier_orgnr;supplier_name;invoice_number;issue_date;kind;requisition;first_night;last_night;"
            "nights;price_per_night;amount;description",
            f"{q['provider_orgnr']};{q['provider_name']};F-{q['number']};{today};invoice;{q['number']};{first};"
            f"{first + timedelta(days=1)};2;{price};{float(price) * 2:.2f};Opphold"]) + "\n"
        await self._call("invoice", "POST", "/billing/api/invoices", {**finance, "content-type": "text/csv"}, 201,
                         content=body.encode())
