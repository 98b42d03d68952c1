"""The role × office matrix of EVERY endpoint of every service, in one table.

Rows are collected from the mounted FastAPI apps' routes: an endpoint added without a row here fails the
test, and so does a row whose endpoint is gone. Each row says, for the users

    case worker · office leader · finance · operations · admin   (of Grünerløkka where scoped)
    case worker of another office · office leader of another office · the municipality's staff (of Oslo)

Y = allowed (the service answers the request itself: anything but 401/403 and never 5xx),
N = refused for the role (403), O = refused for the office (403, or 404 where the service hides what it
has). Without login every endpoint answers 401 (API) or sends the browser to the login page (pages).
Refused requests are sent first with a valid body, so a refusal is the role check and not a validation."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from tests.billing.factory import csv_invoice
from tests.conftest import eventually, granted_decision, login
from tests.intake.helpers import TODAY, application, granted, number

pytestmark = [pytest.mark.integration, pytest.mark.http_only]

USERS = ["veileder-grunerlokka", "leder-grunerlokka", "okonomi", "drift", "admin", "veileder-bodo", "leder-bodo",
         "stab-oslo"]
COLUMNS = ["case_worker", "office_leader", "finance", "operations", "admin", "case_worker/other office",
           "office_leader/other office", "municipality_staff"]
LATER = TODAY + timedelta(days=60)


HISTORY_CSV = (
    "household_ref,municipality,district,office,applicant_birth_date,children_birth_dates,provider,provider_orgnr,"
    "accommodation,agreement,check_in,check_out,move_out_reason,nightly_price_nok\n"
    "GL-2025-0001,0301,Grünerløkka,Nav Grünerløkka,1990-04-02,,Blå Kors bosenter,,temporary,framework,"
    "2025-01-03,2025-02-14,private_rental,690\n")
PROVIDERS_CSV = (
    "provider,provider_orgnr,provider_kind,municipality,district,provider_address,accommodation,agreement,unit,beds\n"
    "Matrise bosenter,971514043,non_profit,0301,Grünerløkka,Eksempelgata 1,temporary,framework,Rom 1,1\n")


def table(ids: dict) -> dict[tuple[str, str], tuple[str, str, dict]]:
    """(method, route) -> (who may, concrete path, request keywords)."""
    a, h, d, p = ids["application"], ids["household"], ids["decision"], ids["pending"]
    pr, u, s, inv, req = ids["provider"], ids["unit"], ids["stay"], ids["invoice"], ids["requisition"]
    provider = {"name": "Matrise AS", "orgnr": "923609016", "kind": "private", "municipality": "0301",
                "address": "Testveien 1"}
    inspection = {"inspected_on": str(TODAY), "result": "approved", "next_due": str(LATER)}
    q = "year=2026&municipality=0301"
    office = {"name": "Nav Matrise", "municipality": "1103", "phone": "55553333"}
    offices_csv = b"office,municipality\nNav Matrise fra fil,1103\n"
    return {
        # intake: case workers and leaders of the office; the audit log for leaders (own office) and admin. The
        # municipality's staff (last column) sees no case, household, stay, requisition or invoice anywhere
        ("POST", "/intake/api/applications"): ("YYNNNOON", "/intake/api/applications", {
            "json": application(number(ids["serial"]()), office="nav-grunerlokka")}),
        ("GET", "/intake/api/applications"): ("YYNNNYYN", "/intake/api/applications", {}),
        ("GET", "/intake/api/applications/{application_id}"): (
            "YYNNNOON", f"/intake/api/applications/{a}?purpose=Tilgangstest", {}),
        ("POST", "/intake/api/applications/{application_id}/decision"): (
            "YYNNNOON", f"/intake/api/applications/{a}/decision", {"json": granted()}),
        ("POST", "/intake/api/decisions/{decision_id}/extension"): (
            "YYNNNOON", f"/intake/api/decisions/{d}/extension", {"json": {"period_to": str(LATER)}}),
        ("POST", "/intake/api/decisions/{decision_id}/approval"): (
            "NYNNNNON", f"/intake/api/decisions/{p}/approval", {}),
        ("POST", "/intake/api/decisions/{decision_id}/return"): (
            "NYNNNNON", f"/intake/api/decisions/{p}/return", {"json": {"reason": "Mangler vurdering."}}),
        ("GET", "/intake/api/households"): ("YYNNNYYN", "/intake/api/households", {}),
        ("GET", "/intake/households"): ("YYNNNYYN", "/intake/households", {}),
        ("POST", "/intake/api/households/lookup"): ("YYNNNYYN", "/intake/api/households/lookup", {
            "json": {"identity_number": ids["identity"], "purpose": "Tilgangstest"}}),
        # a leader moves a household to their own office, an admin to one named (here: 409 or 422, nothing moves)
        ("POST", "/intake/api/households/transfer"): ("NYNNYNYN", "/intake/api/households/transfer", {
            "json": {"identity_number": ids["identity"], "reason": "Tilgangstest"}}),
        ("POST", "/intake/households/transfer"): ("NYNNNNYN", "/intake/households/transfer", {"data": {}}),
        ("GET", "/intake/api/households/{household_id}"): (
            "YYNNNOON", f"/intake/api/households/{h}?purpose=Tilgangstest", {}),
        # who households are, for the other services' pages: another office's worker is answered (without the
        # names of households not theirs); a service credential is tested in tests/integration/test_people.py
        ("POST", "/intake/api/people"): ("YYNNNYYN", "/intake/api/people", {
            "json": {"household_ids": [h], "purpose": "Tilgangstest"}}),
        ("GET", "/intake/api/decisions/{decision_id}/letter.pdf"): (
            "YYNNNOON", f"/intake/api/decisions/{d}/letter.pdf", {}),
        # finding households (their own office's only: another office's worker is answered, finding nothing)
        ("POST", "/intake/api/households/search"): ("YYNNNYYN", "/intake/api/households/search", {
            "json": {"q": "Tilgangstest"}}),
        ("POST", "/intake/search"): ("YYNNNYYN", "/intake/search", {"data": {"q": "Tilgangstest"}}),
        # the leader's queue: leaders, their own office's (the stay was placed with a justification: an item)
        ("GET", "/intake/api/queue"): ("NYNNNNYN", "/intake/api/queue", {}),
        ("GET", "/intake/api/queue/count"): ("NYNNNNYN", "/intake/api/queue/count", {}),
        ("GET", "/intake/queue"): ("NYNNNNYN", "/intake/queue", {}),
        ("POST", "/intake/queue/placements/{item_id}/seen"): ("NYNNNNON", f"/intake/queue/placements/{s}/seen",
                                                               {"data": {}}),
        ("GET", "/intake/api/audit"): ("NYNNYNYN", "/intake/api/audit", {}),
        ("GET", "/intake/"): ("YYNNYYYN", "/intake/", {}),  # admin: sent on to the office registry
        ("GET", "/intake/applications/new"): ("YYNNNYYN", "/intake/applications/new", {}),
        ("POST", "/intake/lookup"): ("YYNNNYYN", "/intake/lookup", {
            "data": {"identity_number": ids["identity"], "purpose": "Tilgangstest"}}),
        ("POST", "/intake/applications/new"): ("YYNNNYYN", "/intake/applications/new", {"data": {}}),
        ("GET", "/intake/applications/{application_id}"): ("YYNNNOON", f"/intake/applications/{a}", {}),
        ("POST", "/intake/applications/{application_id}/decision"): (
            "YYNNNOON", f"/intake/applications/{a}/decision", {"data": {}}),
        ("POST", "/intake/decisions/{decision_id}/approve"): ("NYNNNNON", f"/intake/decisions/{p}/approve", {}),
        ("POST", "/intake/decisions/{decision_id}/return"): ("NYNNNNON", f"/intake/decisions/{p}/return",
                                                              {"data": {"reason": ""}}),
        ("POST", "/intake/decisions/{decision_id}/extend"): ("YYNNNOON", f"/intake/decisions/{d}/extend",
                                                              {"data": {}}),
        ("GET", "/intake/households/{household_id}"): ("YYNNNOON", f"/intake/households/{h}?purpose=Tilgangstest",
                                                        {}),
        ("GET", "/intake/audit"): ("NYNNYNYN", "/intake/audit", {}),
        # the office registry: everyone reads it (no personal data, so the municipality's staff too); an
        # administrator registers, changes, closes and imports
        ("GET", "/intake/api/offices"): ("YYYYYYYY", "/intake/api/offices", {}),
        ("POST", "/intake/api/offices"): ("NNNNYNNN", "/intake/api/offices", {"json": office}),
        ("POST", "/intake/api/offices/import"): ("NNNNYNNN", "/intake/api/offices/import?dry_run=true", {
            "content": offices_csv, "headers": {"content-type": "text/csv"}}),
        ("GET", "/intake/api/offices/{office_id}"): ("YYYYYYYY", f"/intake/api/offices/{ids['office']}", {}),
        ("PUT", "/intake/api/offices/{office_id}"): ("NNNNYNNN", f"/intake/api/offices/{ids['office']}", {
            "json": {**office, "name": "Nav Matrise endres"}}),
        ("POST", "/intake/api/offices/{office_id}/close"): (
            "NNNNYNNN", f"/intake/api/offices/{ids['closing']}/close", {}),
        ("GET", "/intake/offices"): ("NNNNYNNN", "/intake/offices", {}),
        ("GET", "/intake/offices/new"): ("NNNNYNNN", "/intake/offices/new", {}),
        ("POST", "/intake/offices/import"): ("NNNNYNNN", "/intake/offices/import", {
            "files": {"file": ("kontorer.csv", offices_csv, "text/csv")}, "data": {"dry_run": "true"}}),
        ("POST", "/intake/offices/new"): ("NNNNYNNN", "/intake/offices/new", {"data": {}}),
        ("GET", "/intake/offices/{office_id}"): ("NNNNYNNN", f"/intake/offices/{ids['office']}", {}),
        ("POST", "/intake/offices/{office_id}"): ("NNNNYNNN", f"/intake/offices/{ids['office']}", {"data": {}}),
        ("POST", "/intake/offices/{office_id}/close"): ("NNNNYNNN", f"/intake/offices/{ids['closing']}/close",
                                                         {"data": {}}),
        # placement: providers for everyone to read, leaders and admin to change; stays for the office
        ("GET", "/placement/api/providers"): ("YYYYYYYN", "/placement/api/providers", {}),
        ("POST", "/placement/api/providers"): ("NYNNYNYN", "/placement/api/providers", {"json": provider}),
        # the history import: leaders (their own office's rows; another office's rows are bad rows, 422) and
        # admin; a dry run, so the table changes nothing
        ("POST", "/placement/api/imports/stays"): ("NYNNYNYN", "/placement/api/imports/stays?dry_run=true", {
            "content": HISTORY_CSV.encode(), "headers": {"content-type": "text/csv"}}),
        # a run of a file with a bad row is refused whole (422), so the table starts no run; no such run is a 404
        ("POST", "/placement/api/imports/stays/runs"): ("NYNNYNYN", "/placement/api/imports/stays/runs", {
            "content": (HISTORY_CSV + HISTORY_CSV.splitlines()[1].replace("Blå Kors bosenter", "Ukjent Hotell")
                        + "\n").encode(), "headers": {"content-type": "text/csv"}}),
        ("GET", "/placement/api/imports/stays/runs/{run_id}"): (
            "NYNNYNYN", "/placement/api/imports/stays/runs/00000000-0000-4000-8000-000000000000", {}),
        # the providers import: leaders and admin (providers are no office's), a dry run
        ("POST", "/placement/api/imports/providers"): ("NYNNYNYN", "/placement/api/imports/providers?dry_run=true", {
            "content": PROVIDERS_CSV.encode(), "headers": {"content-type": "text/csv"}}),
        ("PUT", "/placement/api/providers/{provider_id}"): ("NYNNYNYN", f"/placement/api/providers/{pr}",
                                                             {"json": provider}),
        ("POST", "/placement/api/providers/{provider_id}/units"): (
            "NYNNYNYN", f"/placement/api/providers/{pr}/units", {"json": {"name": "Rom 99", "beds": 1}}),
        ("PATCH", "/placement/api/units/{unit_id}"): ("NYNNYNYN", f"/placement/api/units/{u}", {"json": {}}),
        ("POST", "/placement/api/providers/{provider_id}/inspections"): (
            "YYNNYYYN", f"/placement/api/providers/{pr}/inspections", {"json": inspection}),
        ("GET", "/placement/api/decisions/awaiting-place"): ("YYNNNYYN", "/placement/api/decisions/awaiting-place",
                                                              {}),
        ("GET", "/placement/api/decisions/{decision_id}"): ("YYNNNOON", f"/placement/api/decisions/{d}", {}),
        ("GET", "/placement/api/decisions/{decision_id}/matches"): (
            "YYNNNOON", f"/placement/api/decisions/{d}/matches", {}),
        ("POST", "/placement/api/stays"): ("YYNNNOON", "/placement/api/stays", {
            "json": {"decision_id": d, "unit_id": u, "check_in": str(TODAY), "justification": "Test"}}),
        ("GET", "/placement/api/stays"): ("YYNNNYYN", "/placement/api/stays", {}),
        ("GET", "/placement/api/stays/{stay_id}"): ("YYNNNOON", f"/placement/api/stays/{s}", {}),
        # a household's stays with their history, for intake's case page
        ("GET", "/placement/api/households/{household_id}/stays"): (
            "YYNNNOON", f"/placement/api/households/{ids['placed_household']}/stays", {}),
        ("POST", "/placement/api/stays/{stay_id}/extend"): ("YYNNNOON", f"/placement/api/stays/{s}/extend",
                                                             {"json": {"decision_id": d}}),
        ("POST", "/placement/api/stays/{stay_id}/move"): ("YYNNNOON", f"/placement/api/stays/{s}/move", {
            "json": {"unit_id": u, "moved_on": str(TODAY)}}),
        ("POST", "/placement/api/stays/{stay_id}/move-out"): ("YYNNNOON", f"/placement/api/stays/{s}/move-out", {
            "json": {"check_out": str(LATER + timedelta(days=400)), "destination": "unknown"}}),
        ("DELETE", "/placement/api/stays/{stay_id}/planned-move-out"): (
            "YYNNNOON", f"/placement/api/stays/{s}/planned-move-out", {}),
        ("GET", "/placement/api/leader-queue"): ("NYNNNNYN", "/placement/api/leader-queue", {}),
        ("POST", "/placement/api/leader-queue/{item_id}/seen"): ("NYNNNNON", f"/placement/api/leader-queue/{s}/seen",
                                                                  {}),
        ("GET", "/placement/api/capacity"): ("YYYYYYYN", "/placement/api/capacity", {}),
        ("GET", "/placement/api/units"): ("YYYYYYYN", "/placement/api/units", {}),
        ("GET", "/placement/api/views"): ("YYYYYYYN", "/placement/api/views", {}),
        ("GET", "/placement/"): ("YYYYYYYN", "/placement/", {}),
        ("GET", "/placement/views"): ("YYYYYYYN", "/placement/views", {}),
        ("GET", "/placement/decisions"): ("YYNNNYYN", "/placement/decisions", {}),
        ("GET", "/placement/decisions/{decision_id}/places"): ("YYNNNOON", f"/placement/decisions/{d}/places", {}),
        ("POST", "/placement/decisions/{decision_id}/place"): ("YYNNNOON", f"/placement/decisions/{d}/place",
                                                                {"data": {}}),
        ("GET", "/placement/stays/{stay_id}"): ("YYNNNOON", f"/placement/stays/{s}", {}),
        ("POST", "/placement/stays/{stay_id}/extend"): ("YYNNNOON", f"/placement/stays/{s}/extend", {"data": {}}),
        ("POST", "/placement/stays/{stay_id}/move-out"): ("YYNNNOON", f"/placement/stays/{s}/move-out",
                                                           {"data": {}}),
        ("POST", "/placement/stays/{stay_id}/planned-move-out/cancel"): (
            "YYNNNOON", f"/placement/stays/{s}/planned-move-out/cancel", {"data": {}}),
        ("GET", "/placement/stays/{stay_id}/move"): ("YYNNNOON", f"/placement/stays/{s}/move", {}),
        ("POST", "/placement/stays/{stay_id}/move"): ("YYNNNOON", f"/placement/stays/{s}/move", {"data": {}}),
        ("GET", "/placement/providers/new"): ("NYNNYNYN", "/placement/providers/new", {}),
        ("POST", "/placement/providers/new"): ("NYNNYNYN", "/placement/providers/new", {"data": {}}),
        ("GET", "/placement/providers/{provider_id}"): ("YYYYYYYN", f"/placement/providers/{pr}", {}),
        ("POST", "/placement/providers/{provider_id}/units"): ("NYNNYNYN", f"/placement/providers/{pr}/units",
                                                                {"data": {}}),
        ("POST", "/placement/units/{unit_id}/beds"): ("NYNNYNYN", f"/placement/units/{u}/beds", {"data": {}}),
        ("POST", "/placement/providers/{provider_id}/inspections"): (
            "YYNNYYYN", f"/placement/providers/{pr}/inspections", {"data": {}}),
        ("GET", "/placement/providers"): ("YYYYYYYN", "/placement/providers", {}),
        ("GET", "/placement/units"): ("YYYYYYYN", "/placement/units", {}),
        ("POST", "/placement/providers/import"): ("NYNNYNYN", "/placement/providers/import", {"data": {}}),
        ("GET", "/placement/imports"): ("NYNNYNYN", "/placement/imports", {}),
        ("POST", "/placement/imports/stays"): ("NYNNYNYN", "/placement/imports/stays", {"data": {}}),
        ("GET", "/placement/imports/stays/{run_id}"): (
            "NYNNYNYN", "/placement/imports/stays/00000000-0000-4000-8000-000000000000", {}),
        # billing: requisitions for the office and finance; invoices for finance (and admin)
        ("GET", "/billing/api/requisitions"): ("YYYNYYYN", "/billing/api/requisitions", {}),
        ("GET", "/billing/api/requisitions/{number}.pdf"): ("YYYNYOON", f"/billing/api/requisitions/{req}.pdf", {}),
        ("GET", "/billing/api/requisitions/{number}/mailings"): (
            "YYYNYOON", f"/billing/api/requisitions/{req}/mailings", {}),
        ("POST", "/billing/api/requisitions/{number}/mailings"): (
            "YYYNYOON", f"/billing/api/requisitions/{req}/mailings", {}),
        ("GET", "/billing/requisitions/{number}"): ("YYYNYOON", f"/billing/requisitions/{req}", {}),
        ("GET", "/billing/api/households/{household_id}/requisitions"): (
            "YYYNYOON", f"/billing/api/households/{ids['placed_household']}/requisitions", {}),
        ("GET", "/billing/stays/{stay_id}"): ("YYYNYOON", f"/billing/stays/{s}", {}),
        ("POST", "/billing/requisitions/{number}/send"): ("YYYNYOON", f"/billing/requisitions/{req}/send",
                                                           {"data": {}}),
        ("POST", "/billing/api/invoices"): ("NNYNYNNN", "/billing/api/invoices", {
            "content": ids["csv"](), "headers": {"content-type": "text/csv", "x-filename": "f.csv"}}),
        ("GET", "/billing/api/invoices"): ("NNYNYNNN", "/billing/api/invoices", {}),
        ("GET", "/billing/api/invoices/{invoice_id}"): ("NNYNYNNN", f"/billing/api/invoices/{inv}", {}),
        ("POST", "/billing/api/invoices/{invoice_id}/lines/{position}/adjust"): (
            "NNYNYNNN", f"/billing/api/invoices/{inv}/lines/1/adjust",
            {"json": {"payable_amount": "1", "comment": "Test"}}),
        ("POST", "/billing/api/invoices/{invoice_id}/approve"): ("NNYNYNNN", f"/billing/api/invoices/{inv}/approve",
                                                                  {"json": {}}),
        ("POST", "/billing/api/invoices/{invoice_id}/dispute"): ("NNYNYNNN", f"/billing/api/invoices/{inv}/dispute",
                                                                  {"json": {}}),
        ("GET", "/billing/api/exports"): ("NNYNYNNN", "/billing/api/exports", {}),
        ("GET", "/billing/api/exports/due"): ("NNYNYNNN", "/billing/api/exports/due?period_from=2026-01-01&"
                                              "period_to=2026-01-31", {}),
        ("POST", "/billing/api/exports"): ("NNYNYNNN", "/billing/api/exports", {
            "json": {"period_from": "2026-01-01", "period_to": "2026-01-01"}}),
        ("GET", "/billing/api/exports/{export_id}.csv"): ("NNYNYNNN", f"/billing/api/exports/{inv}.csv", {}),
        ("GET", "/billing/api/spend"): ("NYYNYNYN", "/billing/api/spend", {}),
        ("GET", "/billing/"): ("YYYNYYYN", "/billing/", {}),
        ("GET", "/billing/invoices"): ("NNYNYNNN", "/billing/invoices", {}),
        ("POST", "/billing/invoices"): ("NNYNYNNN", "/billing/invoices", {
            "files": {"file": ("f.csv", ids["csv"](), "text/csv")}}),
        ("GET", "/billing/invoices/{invoice_id}"): ("NNYNYNNN", f"/billing/invoices/{inv}", {}),
        ("POST", "/billing/invoices/{invoice_id}/lines/{position}"): (
            "NNYNYNNN", f"/billing/invoices/{inv}/lines/1", {"data": {}}),
        ("POST", "/billing/invoices/{invoice_id}/decision"): ("NNYNYNNN", f"/billing/invoices/{inv}/decision",
                                                               {"data": {}}),
        ("GET", "/billing/export"): ("NNYNYNNN", "/billing/export", {}),
        ("POST", "/billing/export"): ("NNYNYNNN", "/billing/export", {"data": {}}),
        # stats: everyone reads (the municipality's staff: their own municipality's); operations and admin rebuild
        ("GET", "/stats/api/kostra"): ("YYYYYYYY", f"/stats/api/kostra?{q}", {}),
        ("GET", "/stats/api/reports"): ("YYYYYYYY", "/stats/api/reports", {}),
        ("GET", "/stats/api/reports/{key}"): ("YYYYYYYY", f"/stats/api/reports/{ids['report']}?{q}", {}),
        ("POST", "/stats/api/rebuild"): ("NNNYYNNN", "/stats/api/rebuild", {}),
        ("GET", "/stats/"): ("YYYYYYYY", "/stats/", {}),
        ("GET", "/stats/rapporter/{key}"): ("YYYYYYYY", f"/stats/rapporter/{ids['report']}?{q}", {}),
        ("GET", "/stats/api/reports/uke"): ("YYYYYYYY", f"/stats/api/reports/uke?{q}", {}),
        ("GET", "/stats/rapporter/uke"): ("YYYYYYYY", f"/stats/rapporter/uke?{q}", {}),
        ("GET", "/stats/gjenoppbygging"): ("NNNYYNNN", "/stats/gjenoppbygging", {}),
        ("POST", "/stats/gjenoppbygging"): ("NNNYYNNN", "/stats/gjenoppbygging", {}),
    }


def routes_of(stack) -> set[tuple[str, str]]:
    found = set()
    for name, parts in stack.parts.items():
        for route in iter_route_contexts(parts.app.routes):  # the routes of included routers too
            if isinstance(route.original_route, APIRoute):
                found |= {(m, f"/{name}{route.path}") for m in route.methods}
    return found


async def resources(client: httpx.AsyncClient) -> dict:
    """One of each thing at Grünerløkka: a granted decision with its stay and requisition, a decision awaiting
    the second approval, a provider and unit, an invoice and a report key."""
    serial = iter(range(500, 900))
    worker, decision = await granted_decision(client, period_from=TODAY, period_to=TODAY + timedelta(days=29),
                                              identity_number=number(next(serial)))
    identity = number(next(serial))
    r = await client.post("/intake/api/applications", headers=worker,
                          json=application(identity, office="nav-grunerlokka"))
    pending = (await client.post(f"/intake/api/applications/{r.json()['application_id']}/decision",
                                 headers=worker, json=granted())).json()["decision_id"]
    providers = (await client.get("/placement/api/providers", headers=worker,
                                  params={"page_size": 200})).json()["items"]
    oslo = [p for p in providers if p["municipality"] == "0301" and p.get("units")]
    provider, unit = oslo[0]["provider_id"], oslo[0]["units"][0]["unit_id"]
    matches = (await client.get(f"/placement/api/decisions/{decision}/matches", headers=worker)).json()
    first = matches["fits"][0]
    stay = await client.post("/placement/api/stays", headers=worker, json={
        "decision_id": decision, "unit_id": first["unit_id"], "check_in": str(TODAY), "justification": "Test"})
    assert stay.status_code == 201, stay.text
    finance = await login(client, "okonomi")

    async def requisition():
        rows = (await client.get("/billing/api/requisitions", headers=finance,
                                 params={"page_size": 200})).json()["items"]
        return rows[0]["number"] if rows else None
    number_ = await eventually(requisition)
    invoices = iter(range(1, 1000))

    def invoice_file() -> bytes:
        return csv_invoice([{"supplier_orgnr": "923609016", "invoice_number": f"M-{next(invoices)}",
                             "issue_date": str(TODAY), "requisition": number_, "first_night": str(TODAY),
                             "last_night": str(TODAY), "nights": 1, "price_per_night": "900", "amount": "900"}])
    imported = await client.post("/billing/api/invoices", headers={**finance, "content-type": "text/csv"},
                                 content=invoice_file())
    assert imported.status_code == 201, imported.text
    reports = (await client.get("/stats/api/reports", headers=worker)).json()
    admin = await login(client, "admin")
    offices = [await client.post("/intake/api/offices", headers=admin, json={"name": name, "municipality": "1103"})
               for name in ("Nav Matrise endres", "Nav Matrise nedlegges")]
    assert [r.status_code for r in offices] == [201, 201], [r.text for r in offices]
    return {"office": offices[0].json()["office_id"], "closing": offices[1].json()["office_id"],
            "application": r.json()["application_id"], "household": r.json()["household_id"],
            "decision": decision, "pending": pending, "provider": provider, "unit": unit,
            "stay": stay.json()["stay_id"], "placed_household": stay.json()["household_id"], "requisition": number_,
            "invoice": imported.json()["invoices"][0]["invoice_id"], "report": reports[0]["key"],
            "identity": identity, "serial": lambda: next(serial), "csv": invoice_file}


async def test_every_endpoint_by_every_role_office_and_without_login(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        ids = await resources(client)
        rows = table(ids)
        assert all(len(who) == len(USERS) for who, _, _ in rows.values()), f"a row needs {len(USERS)} columns"
        assert set(rows) == routes_of(stack), (
            f"endpoints without a row: {sorted(routes_of(stack) - set(rows))}; "
            f"rows without an endpoint: {sorted(set(rows) - routes_of(stack))}")
        headers = {u: await login(client, u) for u in USERS}
        wrong, cells = [], 0
        for (method, route), (who, path, kwargs) in sorted(rows.items()):
            kwargs = {**kwargs, "headers": {**kwargs.get("headers", {})}}
            anonymous = await client.request(method, path, **kwargs)
            cells += 1
            page = "/api/" not in route
            if not (anonymous.status_code == 401 or
                    page and anonymous.status_code == 303 and "/login" in anonymous.headers["location"]):
                wrong.append(f"{method} {route} without login: {anonymous.status_code}")
            # Refusals first, so that an allowed call cannot change what a refused one meets.
            order = sorted(range(len(USERS)), key=lambda i: who[i] == "Y")
            for i in order:
                r = await client.request(method, path, **{**kwargs, "headers": {**kwargs["headers"],
                                                                                 **headers[USERS[i]]}})
                cells += 1
                expected = who[i]
                ok = (r.status_code < 500 and r.status_code not in (401, 403) if expected == "Y" else
                      r.status_code == 403 if expected == "N" else r.status_code in (403, 404))
                if not ok:
                    wrong.append(f"{method} {route} as {COLUMNS[i]}: {r.status_code} (expected {expected}) "
                                 f"{r.text[:120]}")
        assert not wrong, "\n".join(wrong)
        assert cells == len(rows) * (len(USERS) + 1)
