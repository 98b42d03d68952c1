"""Billing follows placement's events through the broker: an extension (StayExtended) moves the requisition's
last night under the same number and re-issues it; a provider's framework agreement with fixed places
(ProviderChanged) makes its fixed-place invoice lines payable whether used or not. The events are published on
the broker as placement publishes them (placement has no extension endpoint yet), redelivery included."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

import contracts
from contracts import Envelope
from contracts.placement import Agreement
from kit import clock
from tests.billing.factory import Line, ehf
from tests.billing.test_invoices_through_the_stack import place_household
from tests.conftest import eventually, login

pytestmark = [pytest.mark.integration]


async def publish(stack, event: contracts.IntegrationEvent, *, times: int = 1) -> None:
    envelope = Envelope.wrap(event, source="/botilbud/placement", correlation_id=str(uuid4()))
    for _ in range(times):  # the same event id again is a redelivery: the inbox makes it harmless
        await stack.producer.send_and_wait(stack.settings.topic(event.topic.value), envelope.body(),
                                           key=envelope.key.encode(),
                                           headers=[(k, v.encode()) for k, v in envelope.headers().items()])


async def test_extension_and_fixed_places(stack):
    today = clock.today()
    check_in = today - timedelta(days=3)
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        _, stay, unit = await place_household(client, check_in, today)
        finance = await login(client, "okonomi")

        async def requisition():
            r = await client.get("/billing/api/requisitions", headers=finance, params={"page_size": 200})
            return [q for q in r.json()["items"] if q["stay_id"] == stay["stay_id"]]
        [req] = await eventually(requisition)

        new_last = today + timedelta(days=60)
        await publish(stack, contracts.StayExtended(
            stay_id=UUID(stay["stay_id"]), household_id=UUID(req["household_id"]), decision_id=uuid4(),
            authorised_to=new_last, extended_at=datetime.now(UTC)), times=2)

        async def extended():
            return [q for q in await requisition() if q["period_to"] == str(new_last)]
        [after] = await eventually(extended)
        assert after["number"] == req["number"] and after["id"] == req["id"]

        provider_id = UUID(req["provider_id"])
        await publish(stack, contracts.ProviderChanged(
            provider_id=provider_id, name="Tilbyder med faste plasser", orgnr=req["provider_orgnr"], kind="private",
            municipality="0301", accommodation="temporary",
            agreement=Agreement(kind="framework", price_per_night=Decimal("800"), fixed_places=2)))
        month = today.replace(day=1) - timedelta(days=1)
        first, last = month.replace(day=1), month
        nights = (last - first).days + 1
        fixed = ehf(number="FAST-1", supplier_orgnr=req["provider_orgnr"], lines=[
            Line(first, last, Decimal("800"), reference="FASTE-PLASSER", nights=2 * nights)])

        conn = await asyncpg.connect(stack.settings.service_database_url("billing"))
        try:
            async def agreement_known():
                return await conn.fetchval("SELECT fixed_places FROM providers WHERE provider_id = $1",
                                           provider_id) == 2
            await eventually(agreement_known)
        finally:
            await conn.close()
        r = await client.post("/billing/api/invoices", headers={**finance, "content-type": "application/xml"},
                              content=fixed)
        [paid] = r.json()["invoices"]
        assert paid["status"] == "matched", paid
        assert Decimal(paid["payable"]) == Decimal(800 * 2 * nights)
        assert paid["lines"][0]["payable_nights"] == 2 * nights

    conn = await asyncpg.connect(stack.settings.service_database_url("billing"))
    try:
        issued = await conn.fetchval("SELECT count(*) FROM outbox WHERE event_type = $1",
                                     "botilbud.billing.requisition-issued.v1")
    finally:
        await conn.close()
    assert issued == 2  # issued at placement, re-issued once at extension (the redelivery changed nothing)
