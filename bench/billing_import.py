"""Benchmark: a 1,000-line EHF invoice imported end to end through billing's HTTP API, on the embedded
PostgreSQL and broker (safe parse, schematron, reconciliation against 1,000 requisitions, storing the invoice,
its lines, ~30,000 billed nights and the events in one transaction). Billing runs alone.

  .venv/bin/python bench/billing_import.py

The requisitions are written straight into billing's table (as HouseholdPlaced would leave them): this
measures the import, not the placement flow."""

from __future__ import annotations

import asyncio
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from botilbud.embedded import EmbeddedKafka, EmbeddedPostgres  # noqa: E402
from botilbud.settings import SERVICES, Settings  # noqa: E402
from botilbud.stack import DEMO_PASSWORD, definitions, demo_users  # noqa: E402
from kit.auth import UserDirectory  # noqa: E402
from kit.runtime import Runtime  # noqa: E402
from services.billing.domain.model import requisition_number  # noqa: E402
from tests.billing.factory import Line, ehf  # noqa: E402

ORGNR = "974760673"
PRICE = Decimal("1250.00")
LINES = 1000
RUNS = 3


async def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="billing-bench-"))
    pg = EmbeddedPostgres(home / "pg")
    kafka = EmbeddedKafka(home / "kafka.log")
    pg_url = await asyncio.to_thread(pg.start)
    bootstrap = kafka.start()
    users = home / "users.json"
    UserDirectory.write(users, [(u, DEMO_PASSWORD) for u in demo_users()])
    ns = f"b{uuid.uuid4().hex[:8]}"
    settings = Settings(_env_file=None, home=home, kafka_bootstrap=bootstrap, topic_namespace=f"{ns}.",
                        database_url=pg_url, **{f"{s}_database_url": f"{pg_url}/{ns}_{s}" for s in SERVICES},
                        http_port=0, secret_key=SecretStr(secrets.token_urlsafe(32)),
                        encryption_keys=SecretStr(Fernet.generate_key().decode()),
                        identity_hash_key=SecretStr(secrets.token_urlsafe(32)), users_file=users, demo_data=False)
    runtime = Runtime(settings, definitions("billing"), bootstrap=bootstrap, users=UserDirectory.load(users),
                      secret=settings.secret_key.get_secret_value())
    await runtime.start()
    try:
        conn = await asyncpg.connect(settings.service_database_url("billing"))
        numbers = [requisition_number(2026, i + 1) for i in range(LINES)]
        await conn.executemany(
            "INSERT INTO requisitions (id, number, stay_id, household_id, office_id, provider_id, provider_name, "
            "provider_orgnr, unit_id, agreement_kind, period_from, period_to, price_per_night, status) "
            "VALUES ($1, $2, $3, $4, 'nav-grunerlokka', $5, 'Bench AS', $6, $7, 'framework', $8, $9, $10, 'open')",
            [(uuid.uuid4(), n, uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), ORGNR, uuid.uuid4(), date(2026, 1, 1),
              date(2026, 12, 31), PRICE) for n in numbers])
        await conn.close()
        async with httpx.AsyncClient(base_url=runtime.url, timeout=300) as client:
            token = (await client.post("/api/token", data={"username": "okonomi", "password": DEMO_PASSWORD})).json()
            headers = {"Authorization": f"Bearer {token['access_token']}", "content-type": "application/xml"}
            times = []
            for run in range(RUNS):
                first = date(2026, 1, 1) + timedelta(days=31 * run)
                body = ehf(number=f"BENCH-{run}", supplier_orgnr=ORGNR,
                           lines=[Line(first, first + timedelta(days=29), PRICE, reference=n) for n in numbers])
                started = time.perf_counter()
                response = await client.post("/billing/api/invoices", headers=headers, content=body)
                times.append(time.perf_counter() - started)
                [invoice] = response.json()["invoices"]
                assert invoice["status"] == "matched", invoice["findings"]
            median = statistics.median(times)
            print(f"EHF import over HTTP, {LINES:,} lines: {median:.2f} s median of {RUNS} "
                  f"({LINES / median:,.0f} lines/s); runs: {', '.join(f'{t:.2f}' for t in times)} s")
    finally:
        await runtime.stop()
        kafka.stop()
        await asyncio.to_thread(pg.stop)


if __name__ == "__main__":
    asyncio.run(main())
