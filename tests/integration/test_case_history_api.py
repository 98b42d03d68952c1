"""The parts of a household's case that placement and billing answer for intake's case page, on the real stack:
each stay with who placed it and planned, cancelled and re-planned its move-out; each requisition with the
invoice line billed against it, what was paid and who received and approved it — for the household's own
office only (another office's case worker is refused, an unknown household is not found), and without the
household's personal data or a case worker's free text."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import httpx
import pytest

from kit.clock import today
from tests.billing.factory import csv_invoice
from tests.conftest import eventually, login
from tests.placement.helpers import grant

pytestmark = [pytest.mark.integration]
NAME = "Test Testesen"  # as grant() registers the household


async def test_a_households_stays_and_requisitions_say_who_did_what_for_its_office_only(stack):
    day = today()
    check_in = day - timedelta(days=10)
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        worker = await login(client, "veileder-grunerlokka")
        case = await grant(client, worker, period_from=check_in, period_to=day + timedelta(days=30))
        household = case["household_id"]
        fits = (await client.get(f"/placement/api/decisions/{case['decision_id']}/matches", headers=worker)).json()
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": case["decision_id"], "unit_id": fits["fits"][0]["unit_id"], "check_in": str(check_in),
            "justification": "Fritekst som blir i plasseringstjenesten."})
        assert placed.status_code == 201, placed.text
        stay_id = placed.json()["stay_id"]
        for step in (client.post(f"/placement/api/stays/{stay_id}/move-out", headers=worker, json={
                         "check_out": str(day + timedelta(days=20)), "destination": "private_rental"}),
                     client.delete(f"/placement/api/stays/{stay_id}/planned-move-out", headers=worker),
                     client.post(f"/placement/api/stays/{stay_id}/move-out", headers=worker, json={
                         "check_out": str(day + timedelta(days=25)), "destination": "municipal_rental"})):
            assert (await step).status_code == 200

        stays = await client.get(f"/placement/api/households/{household}/stays", headers=worker)
        assert stays.status_code == 200, stays.text
        [stay] = stays.json()["stays"]
        assert (stay["stay_id"], stay["planned_check_out"]) == (stay_id, str(day + timedelta(days=25)))
        steps = [(a["action"], a["on_date"], a["destination"], a["by"]) for a in stay["actions"]]
        assert steps == [
            ("placed", str(check_in), None, "veileder-grunerlokka"),
            ("move_out_planned", str(day + timedelta(days=20)), "private_rental", "veileder-grunerlokka"),
            ("planned_move_out_cancelled", str(day + timedelta(days=20)), "private_rental", "veileder-grunerlokka"),
            ("move_out_planned", str(day + timedelta(days=25)), "municipal_rental", "veileder-grunerlokka")]
        assert {a["by_name"] for a in stay["actions"]} == {"Veileder, Nav Grünerløkka"}
        assert all(a["at"] for a in stay["actions"])
        for private in (NAME, case["identity"], "Fritekst", "justification"):
            assert private not in stays.text

        finance = await login(client, "okonomi")

        async def requisition():
            r = await client.get("/billing/api/requisitions", headers=finance, params={"stay_id": stay_id})
            return r.json()["items"]
        [req] = await eventually(requisition)
        price = Decimal(str(req["price_per_night"]))
        imported = await client.post("/billing/api/invoices", headers={**finance, "content-type": "text/csv"},
                                     content=csv_invoice([{
                                         "supplier_orgnr": req["provider_orgnr"], "supplier_name": "Tilbyder",
                                         "invoice_number": f"S-{uuid4().hex[:6]}", "issue_date": str(day),
                                         "requisition": req["number"], "first_night": str(check_in),
                                         "last_night": str(check_in + timedelta(days=2)), "nights": 3,
                                         "price_per_night": str(price), "amount": str(price * 3)}]))
        assert imported.status_code == 201, imported.text
        [invoice] = imported.json()["invoices"]
        approved = await client.post(f"/billing/api/invoices/{invoice['invoice_id']}/approve", headers=finance,
                                     json={"comment": "Fritekst fra økonomi."})
        assert approved.status_code == 200, approved.text

        billed = await client.get(f"/billing/api/households/{household}/requisitions", headers=worker)
        assert billed.status_code == 200, billed.text
        [r] = billed.json()["requisitions"]
        assert (r["number"], r["stay_id"], r["contact_username"]) == (req["number"], stay_id, "veileder-grunerlokka")
        [line] = r["lines"]
        assert (line["invoice_id"], line["position"], line["status"], line["invoice_decision"]) == (
            invoice["invoice_id"], 1, "matched", "approved")
        assert Decimal(line["paid_amount"]) == price * 3
        assert (line["received_by"], line["received_by_name"]) == ("okonomi", "Økonomi")
        assert [(s["action"], s["by"], s["by_name"]) for s in line["settlements"]] == [
            ("approve", "okonomi", "Økonomi")]
        for private in (NAME, case["identity"], "Fritekst"):
            assert private not in billed.text

        # Another office's case worker is refused both; a household neither knows is not found.
        bodo = await login(client, "veileder-bodo")
        for path in (f"/placement/api/households/{household}/stays",
                     f"/billing/api/households/{household}/requisitions"):
            refused = await client.get(path, headers=bodo)
            assert refused.status_code == 403, (path, refused.text)
            unknown = await client.get(path.replace(household, str(uuid4())), headers=worker)
            assert unknown.status_code == 404
            assert unknown.json()["errors"][0]["loc"][-1] == "household_id"
