"""Requisitions sent to the provider over SMTP, on the real stack with a real SMTP server process (aiosmtpd):
issuing delivers one message with the PDF attached to the provider's address, an extension delivers the
updated one, a redelivery of the events sends nothing more, and the requisition page shows what was sent when.
The guest's name is in the PDF (intake's, asked with billing's service credential and audited there for the
case worker who placed) and nowhere in billing."""

import io
from datetime import timedelta

import httpx
import pypdf
import pytest

from kit import clock
from kit.outbox import request_republish
from tests.conftest import eventually, login
from tests.placement.helpers import extend_in_intake, grant, orgnr

pytestmark = pytest.mark.integration
TODAY = clock.today()
NAME = "Ingrid Sendestad"


def pdf_text(message) -> str:
    [attachment] = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    return " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(attachment.get_content())).pages)


async def a_provider_with_a_mailbox(client: httpx.AsyncClient) -> tuple[str, str]:
    leader = await login(client, "leder-grunerlokka")
    provider = await client.post("/placement/api/providers", headers=leader, json={
        "name": "Sendestad pensjonat", "orgnr": orgnr(), "kind": "private", "municipality": "0301",
        "district": "Grünerløkka", "address": "Sendegata 3, 0555 Oslo", "email": "booking@sendestad.example",
        "agreement": {"kind": "framework", "price_per_night": "750", "target_groups": ["singles_couples"]}})
    assert provider.status_code == 201, provider.text
    unit = await client.post(f"/placement/api/providers/{provider.json()['provider_id']}/units", headers=leader,
                             json={"name": "Rom 7", "beds": 1, "facilities": {
                                 "own_bath": True, "kitchen": "own", "laundry": True, "visits_allowed": True}})
    assert unit.status_code == 201, unit.text
    return provider.json()["provider_id"], unit.json()["unit_id"]


async def sent(client, headers, number: str, count: int) -> list[dict]:
    async def done():
        r = await client.get(f"/billing/api/requisitions/{number}/mailings", headers=headers)
        mailings = r.json()
        return mailings if len(mailings) == count and all(m["status"] == "sent" for m in mailings) else None
    return await eventually(done, within=60)


async def test_issuing_and_extending_each_deliver_the_requisition_once_to_the_provider(mail_stack, mail_server):
    async with httpx.AsyncClient(base_url=mail_stack.url, timeout=30) as client:
        worker = await login(client, "veileder-grunerlokka")
        _, unit_id = await a_provider_with_a_mailbox(client)
        case = await grant(client, worker, period_from=TODAY - timedelta(days=1), period_to=TODAY + timedelta(days=13))
        # grant() registers the household as «Test Testesen», born 04.03.1985
        placed = await client.post("/placement/api/stays", headers=worker, json={
            "decision_id": case["decision_id"], "unit_id": unit_id, "check_in": str(TODAY - timedelta(days=1))})
        assert placed.status_code == 201, placed.text
        stay_id = placed.json()["stay_id"]

        async def requisition():
            r = await client.get("/billing/api/requisitions", headers=worker, params={"stay_id": stay_id})
            return r.json()["items"][0] if r.json()["items"] else None
        number = (await eventually(requisition))["number"]
        [first] = await sent(client, worker, number, 1)
        [message] = mail_server.messages()
        assert (message["To"], message["X-RcptTo"]) == ("booking@sendestad.example", "booking@sendestad.example")
        assert message["Subject"] == f"Rekvisisjon {number} – midlertidig botilbud" and "Test Testesen" not in \
            message["Subject"] + message.get_body(("plain",)).get_content()
        text = pdf_text(message)
        for expected in ("Test Testesen", "04.03.1985", number, "Sendestad pensjonat", "Rom 7",
                         "Sendegata 3, 0555 Oslo", "Nav Grünerløkka", "55 55 33 33", "Veileder, Nav Grünerløkka",
                         (TODAY + timedelta(days=13)).strftime("%d.%m.%Y"), "0192:"):
            assert expected in text, expected
        assert (first["reason"], first["recipient"], first["attachment"]) == (
            "issued", "booking@sendestad.example", f"rekvisisjon-{number}.pdf")

        new_end = TODAY + timedelta(days=40)
        await extend_in_intake(client, worker, case["decision_id"], new_end)
        mailings = await sent(client, worker, number, 2)
        assert [m["reason"] for m in mailings] == ["issued", "extended"]
        messages = mail_server.messages()
        assert len(messages) == 2
        [update] = [m for m in messages if m["Subject"].startswith("Forlenget")]
        assert new_end.strftime("%d.%m.%Y") in pdf_text(update) and "Test Testesen" in pdf_text(update)

        # Placement's events come again (a republish, as after a broker lost them): nothing is sent twice. The
        # move-out after them, on the same household's partition, shows when billing has read past them.
        async with mail_stack.pools["placement"].acquire() as conn:
            assert await request_republish(conn, "placement", "test: redelivery") > 0
        out = await client.post(f"/placement/api/stays/{stay_id}/move-out", headers=worker,
                                json={"check_out": str(TODAY), "destination": "private_rental"})
        assert out.status_code == 200, out.text

        async def closed():
            r = (await client.get("/billing/api/requisitions", headers=worker,
                                  params={"stay_id": stay_id})).json()["items"]
            return r[0]["status"] == "closed"
        await eventually(closed, within=60)
        assert len((await client.get(f"/billing/api/requisitions/{number}/mailings", headers=worker)).json()) == 2
        assert len(mail_server.messages()) == 2

        # The page: what was sent when, and a way to send it again.
        page = await client.get(f"/billing/requisitions/{number}", headers=worker)
        assert page.status_code == 200 and "Test Testesen" in page.text
        assert page.text.count('data-testid="mailing"') == 2
        again = await client.post(f"/billing/api/requisitions/{number}/mailings", headers=worker)
        assert again.status_code == 202 and again.json()["reason"] == "reissued"
        await sent(client, worker, number, 3)
        assert len(mail_server.messages()) == 3

        # Intake's audit log has the service's look-ups as the placing case worker's.
        leader = await login(client, "leder-grunerlokka")
        audit = (await client.get("/intake/api/audit", headers=leader, params={"page_size": 200})).json()["items"]
        service = [e for e in audit if e["role"] == "service" and e["household_id"] == case["household_id"]]
        assert len(service) == 3 and {e["username"] for e in service} == {"veileder-grunerlokka"}
