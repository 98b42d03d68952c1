"""Bad input on the running service never gives a 5xx: control characters, NUL bytes, bytes that are not
UTF-8 and 5,000-character values in every query parameter of every page and API route; and a provider name
with a control character still gives the municipality's occupancy spreadsheet."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import httpx
import pytest
from openpyxl import load_workbook

from contracts import CapacityChanged, Envelope, ProviderRegistered, UnitRegistered
from contracts.placement import Agreement
from tests.conftest import eventually, login
from tests.stats.conftest import inbox_count, publish

pytestmark = pytest.mark.integration
REFUSED = ["%00", "Sag%00ene", "%01%07%1b%7f", "%C2%85", "%ED%A0%80", "%FF%FE", "x" * 5000]
ODD = [*REFUSED, "%E2%80%AE" * 10, "%F0%9F%8F%A0", "1e3", "-1", "%20"]
ROUTES = ["/stats/", "/stats/rapporter/maned", "/stats/rapporter/belegg", "/stats/api/kostra",
          "/stats/api/reports/maned", "/stats/api/reports/belegg"]


async def test_odd_query_parameters_get_a_clear_4xx_never_a_5xx(stats_only):
    async with httpx.AsyncClient(base_url=stats_only.url, timeout=30) as client:
        leader = await login(client, "leder-grunerlokka")
        for route in ROUTES:
            for field in ("year", "municipality", "district", "format"):
                for value in ODD:
                    query = {"year": "2025", "municipality": "0301", field: value}
                    url = f"{route}?" + "&".join(f"{k}={v}" for k, v in query.items())
                    r = await client.get(url, headers=leader)
                    assert r.status_code in (200, 422), (url[:80], r.status_code)
                    if value in REFUSED and (field != "format" or "/api/" in route):  # pages have no format
                        assert r.status_code == 422, (url[:80], r.text[:200])


def provider_events(name: str) -> list[Envelope]:
    at = datetime(2025, 3, 1, tzinfo=UTC)
    provider, unit = UUID(int=71), UUID(int=72)
    events = [ProviderRegistered(provider_id=provider, name=name, orgnr="974760673", kind="private",
                                 municipality="0301", district="Sagene", accommodation="temporary",
                                 agreement=Agreement(kind="none", price_per_night=Decimal("900"))),
              UnitRegistered(unit_id=unit, provider_id=provider, name="Rom 1", beds=4, address="Gate 1"),
              CapacityChanged(provider_id=provider, unit_id=unit, beds=4, occupied=1, municipality="0301",
                              changed_at=at)]
    return [Envelope.wrap(e, source="/botilbud/placement", correlation_id="t") for e in events]


async def test_a_provider_name_with_a_control_character_still_gives_the_occupancy_spreadsheet(stats_only, settings):
    envelopes = provider_events("Hotell\x0b Nord\x01")
    await publish(settings, envelopes)

    async def projected():
        return await inbox_count(stats_only) == len(envelopes)
    await eventually(projected, within=30)
    async with httpx.AsyncClient(base_url=stats_only.url, timeout=30) as client:
        leader = await login(client, "leder-grunerlokka")
        r = await client.get("/stats/api/reports/belegg?year=2025&municipality=0301&format=xlsx", headers=leader)
        assert r.status_code == 200
        sheet = load_workbook(io.BytesIO(r.content)).active
        assert sheet["A2"].value == "Hotell? Nord?" and sheet["F2"].value == 1 and sheet["G2"].value == 3
        page = await client.get("/stats/rapporter/belegg?year=2025&municipality=0301", headers=leader)
        assert page.status_code == 200 and "Hotell" in page.text
