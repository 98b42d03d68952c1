"""The command line against the running system: `botilbud requisitions list --format json` and
`botilbud invoices import FILE --format json` (status per invoice; requisition, nights, amounts and finding
codes per line); the same file twice is a duplicate; a hostile file is refused with exit code 1."""

import asyncio
import json
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from typer.testing import CliRunner

from botilbud.cli import app
from kit import clock
from tests.billing.factory import Line, ehf
from tests.billing.test_documents import XXE
from tests.billing.test_invoices_through_the_stack import place_household
from tests.conftest import eventually, login

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def botilbud(stack, *args: str, user: str = "okonomi"):
    """Run the command in a thread: the system under test serves on this test's event loop."""
    env = {"BOTILBUD_USER": user, "BOTILBUD_PASSWORD": "demo"}
    return await asyncio.to_thread(CliRunner().invoke, app, [*args, "--address", stack.url], env=env)


async def test_requisitions_list_and_invoices_import(stack, tmp_path):
    today = clock.today()
    check_in = today - timedelta(days=4)
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        _, stay, _ = await place_household(client, check_in, today)
        finance = await login(client, "okonomi")

        async def requisition():
            r = await client.get("/billing/api/requisitions", headers=finance, params={"page_size": 200})
            return [q for q in r.json()["items"] if q["stay_id"] == stay["stay_id"]]
        [req] = await eventually(requisition)

    listed = await botilbud(stack, "requisitions", "list", "--format", "json", user="veileder-grunerlokka")
    assert listed.exit_code == 0, listed.output
    assert req["number"] in [r["number"] for r in json.loads(listed.stdout)]

    price = Decimal(str(req["price_per_night"]))
    path = tmp_path / "faktura.xml"
    path.write_bytes(ehf(number="CLI-1", supplier_orgnr=req["provider_orgnr"], order_reference=req["number"],
                         lines=[Line(check_in, check_in + timedelta(days=2), price + 50)]))
    imported = await botilbud(stack, "invoices", "import", str(path), "--format", "json")
    assert imported.exit_code == 0, imported.output
    [invoice] = json.loads(imported.stdout)
    assert (invoice["status"], invoice["findings"]) == ("adjusted", ["price_above_agreement"])
    [line] = invoice["lines"]
    assert line == {"line_id": "1", "requisition": req["number"], "claimed_nights": 3, "payable_nights": 3,
                    "claimed_amount": f"{(price + 50) * 3:.2f}", "payable_amount": f"{price * 3:.2f}",
                    "status": "adjusted", "findings": ["price_above_agreement"]}

    again = await botilbud(stack, "invoices", "import", str(path), "--format", "json")
    [duplicate] = json.loads(again.stdout)
    assert duplicate["findings"] == ["duplicate_invoice"] and duplicate["payable"] == "0.00"

    hostile = tmp_path / "hostile.xml"
    hostile.write_bytes(XXE)
    refused = await botilbud(stack, "invoices", "import", str(hostile), "--format", "json")
    assert refused.exit_code == 1 and "DTD" in refused.stderr and json.loads(refused.stdout) == []

    wrong = await asyncio.to_thread(CliRunner().invoke, app, ["requisitions", "list", "--address", stack.url,
                                                              "--user", "okonomi", "--password", "feil"])
    assert wrong.exit_code == 2 and "Innlogging feilet" in wrong.stderr
