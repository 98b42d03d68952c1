"""Role × office matrix: every intake endpoint tried by every role, by users of another office and without
login. Only the allowed ones succeed; the rest get 401/403 (or, for a lookup, find nothing)."""

from datetime import timedelta

import httpx
import pytest

from tests.conftest import login
from tests.intake.helpers import TODAY, application, granted, number

pytestmark = [pytest.mark.integration, pytest.mark.http_only]

OFFICE = "nav-grunerlokka"
USERS = ["veileder-grunerlokka", "leder-grunerlokka", "veileder-bodo", "leder-bodo", "okonomi", "drift", "admin",
         None]
WORKERS = {"veileder-grunerlokka", "leder-grunerlokka"}
LEADER = {"leder-grunerlokka"}
ALL_WORKERS = WORKERS | {"veileder-bodo", "leder-bodo"}
LATER = str(TODAY + timedelta(days=45))


async def test_every_endpoint_by_every_role_and_office(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as client:
        tokens = {u: (await login(client, u) if u else {}) for u in USERS if u}
        tokens[None] = {}
        owner, boss = tokens["veileder-grunerlokka"], tokens["leder-grunerlokka"]
        serial = iter(range(100, 400))

        async def new_case() -> dict:
            r = await client.post("/intake/api/applications", headers=owner,
                                  json=application(number(next(serial)), office=OFFICE))
            assert r.status_code == 201, r.text
            return r.json()

        async def pending_decision() -> dict:
            case = await new_case()
            r = await client.post(f"/intake/api/applications/{case['application_id']}/decision", headers=owner,
                                  json=granted())
            assert r.status_code == 201, r.text
            return r.json()

        async def decision_in_effect() -> dict:
            d = await pending_decision()
            r = await client.post(f"/intake/api/decisions/{d['decision_id']}/approval", headers=boss)
            assert r.status_code == 200, r.text
            return r.json()

        async def lookup_target() -> dict:
            n = next(serial)
            r = await client.post("/intake/api/applications", headers=owner, json=application(number(n), office=OFFICE))
            assert r.status_code == 201, r.text
            return {**r.json(), "number": number(n)}

        # endpoint name -> (set-up, request maker, who may, status on success)
        endpoints = {
            "create application": (None, lambda _: ("POST", "/intake/api/applications",
                                                    {"json": application(number(next(serial)), office=OFFICE)}),
                                   WORKERS, 201),
            "list applications": (None, lambda _: ("GET", "/intake/api/applications", {}),
                                  WORKERS | {"veileder-bodo", "leder-bodo"}, 200),
            "view case": (new_case, lambda c: ("GET", f"/intake/api/applications/{c['application_id']}?purpose=t",
                                               {}), WORKERS, 200),
            "decide": (new_case, lambda c: ("POST", f"/intake/api/applications/{c['application_id']}/decision",
                                            {"json": granted()}), WORKERS, 201),
            "extend": (decision_in_effect, lambda d: ("POST", f"/intake/api/decisions/{d['decision_id']}/extension",
                                                      {"json": {"period_to": LATER}}), WORKERS, 201),
            "approve": (pending_decision, lambda d: ("POST", f"/intake/api/decisions/{d['decision_id']}/approval",
                                                     {}), LEADER, 200),
            "return": (pending_decision, lambda d: ("POST", f"/intake/api/decisions/{d['decision_id']}/return",
                                                    {"json": {"reason": "Se på perioden."}}), LEADER, 200),
            "lookup": (lookup_target, lambda c: ("POST", "/intake/api/households/lookup",
                                                 {"json": {"identity_number": c["number"], "purpose": "t"}}),
                       WORKERS, 200),
            "household history": (new_case, lambda c: ("GET", f"/intake/api/households/{c['household_id']}?purpose=t",
                                                       {}), WORKERS, 200),
            "audit log": (None, lambda _: ("GET", "/intake/api/audit", {}), {"leder-grunerlokka", "leder-bodo",
                                                                            "admin"}, 200),
            "cases page": (None, lambda _: ("GET", "/intake/", {}), WORKERS | {"veileder-bodo", "leder-bodo"}, 200),
            "new application page": (None, lambda _: ("GET", "/intake/applications/new", {}),
                                     WORKERS | {"veileder-bodo", "leder-bodo"}, 200),
            "case page": (new_case, lambda c: ("GET", f"/intake/applications/{c['application_id']}", {}), WORKERS,
                          200),
            "household page": (new_case, lambda c: ("GET", f"/intake/households/{c['household_id']}", {}), WORKERS,
                               200),
            "audit page": (None, lambda _: ("GET", "/intake/audit", {}), {"leder-grunerlokka", "leder-bodo", "admin"},
                           200),
            "decide form": (new_case, lambda c: ("POST", f"/intake/applications/{c['application_id']}/decision",
                                                 {"data": {"outcome": "refused", "refusal_reason": "Nei.",
                                                           "legal_basis": "§ 27"}}), WORKERS, 303),
            "approve form": (pending_decision, lambda d: ("POST", f"/intake/decisions/{d['decision_id']}/approve",
                                                          {}), LEADER, 303),
            "return form": (pending_decision, lambda d: ("POST", f"/intake/decisions/{d['decision_id']}/return",
                                                         {"data": {"reason": "Se på perioden."}}), LEADER, 303),
            "extend form": (decision_in_effect, lambda d: ("POST", f"/intake/decisions/{d['decision_id']}/extend",
                                                           {"data": {"ext_period_to": LATER}}), WORKERS, 303),
            # Any office's worker may use these; each works on the user's own office only.
            "lookup form": (lookup_target, lambda c: ("POST", "/intake/lookup", {"data": {
                "lookup_identity_number": c["number"], "lookup_purpose": "t"}}), ALL_WORKERS, 200),
            "new application form": (None, lambda _: ("POST", "/intake/applications/new", {"data": {
                "identity_number": number(next(serial)), "name": "Matrise Person", "adults": "1"}}),
                ALL_WORKERS, 303),
        }
        failures = []
        for name, (setup, make, allowed, success) in endpoints.items():
            for user in USERS:
                target = await setup() if setup else None
                method, url, kwargs = make(target)
                r = await client.request(method, url, headers=tokens[user], follow_redirects=False, **kwargs)
                if user in allowed:
                    ok = r.status_code == success
                elif user is None:
                    ok = r.status_code in (401, 303) and (r.status_code == 401 or "/login" in r.headers["location"])
                elif name == "lookup" and user in ("veileder-bodo", "leder-bodo"):
                    ok = r.status_code == 404  # another office's household is not found
                elif name == "cases page" and user == "admin":  # an administrator's intake: the office registry
                    ok = r.status_code == 303 and r.headers["location"] == "/intake/offices"
                else:
                    ok = r.status_code == 403
                if not ok:
                    failures.append(f"{name} as {user}: {r.status_code} {r.text[:120]}")
        assert not failures, "\n".join(failures)

        # Lists are scoped: another office sees none of Grünerløkka's cases or audit entries.
        for user in ("veileder-bodo", "leder-bodo"):
            cases = (await client.get("/intake/api/applications", headers=tokens[user])).json()["items"]
            assert cases and all(c["office_id"] == "nav-bodo" for c in cases)
        entries = (await client.get("/intake/api/audit", headers=tokens["leder-bodo"])).json()["items"]
        assert all(e["office_id"] == "nav-bodo" for e in entries)
        entries = (await client.get("/intake/api/audit", headers=tokens["leder-grunerlokka"])).json()["items"]
        assert entries and all(e["office_id"] == OFFICE for e in entries)
