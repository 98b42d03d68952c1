"""Billing's lists past one page, against the real stack: 12 requisitions and 12 invoices of a supplier of our
own, written through billing's database (placing 12 households or importing 12 documents through the API
would take long and test other things), listed at 5 a page — totals, the second page, both orders, filters that
narrow the total, the office scoping, a page past the last (empty, the total still right), bad paging, and the
pages' filter form and pager."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from kit.clock import today
from tests.conftest import login

pytestmark = [pytest.mark.integration, pytest.mark.http_only]
TODAY = today()


async def _requisitions(stack, tag: str) -> list[str]:
    """12 requisitions of «Listeleverandør <tag>»: 7 of Grünerløkka's and 5 of Bodø's (every third closed),
    periods starting one day apart, numbers in the same order."""
    numbers = []
    async with stack.pools["billing"].acquire() as conn:
        for n in range(12):
            number = f"L{tag}-{n:02d}"
            await conn.execute(
                "INSERT INTO requisitions (id, number, stay_id, household_id, office_id, provider_id, provider_name, "
                "provider_orgnr, unit_id, agreement_kind, period_from, period_to, price_per_night, status, persons) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, '812345674', $8, 'framework', $9, $10, 800, $11, 1)",
                uuid.uuid4(), number, uuid.uuid4(), uuid.uuid4(), "nav-grunerlokka" if n < 7 else "nav-bodo",
                uuid.uuid4(), f"Listeleverandør {tag}", uuid.uuid4(), TODAY + timedelta(days=n),
                TODAY + timedelta(days=n + 10), "closed" if n % 3 == 0 else "open")
            numbers.append(number)
    return numbers


async def _invoices(stack, tag: str) -> list[str]:
    """12 invoices of «Listeleverandør <tag>», received one day apart (the first 11 days ago), every fourth
    disputed, the first three approved."""
    numbers = []
    async with stack.pools["billing"].acquire() as conn:
        for n in range(12):
            number = f"F{tag}-{n:02d}"
            received = datetime.combine(TODAY - timedelta(days=11 - n), datetime.min.time(), UTC) + timedelta(hours=11)
            await conn.execute(
                "INSERT INTO invoices (id, kind, format, supplier_orgnr, supplier_name, invoice_number, issue_date, "
                "currency, line_total, claimed, payable, status, findings, failed_rules, document, document_sha256, "
                "received_at, received_by, decision, decided_at, decided_by) VALUES ($1, 'invoice', 'csv', "
                "'812345674', $2, $3, $4, 'NOK', $5, $5, $5, $6, '[]', '[]', '', '', $7, 'okonomi', $8, $9, $10)",
                uuid.uuid4(), f"Listeleverandør {tag}", number, received.date(), 1000 + n,
                "disputed" if n % 4 == 0 else "matched", received,
                "approved" if n < 3 else None, received if n < 3 else None, "okonomi" if n < 3 else None)
            numbers.append(number)
    return numbers


async def test_requisitions_page_sort_filter_and_scope(stack):
    tag = uuid.uuid4().hex[:6]
    numbers = await _requisitions(stack, tag)
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        finance, worker = await login(client, "okonomi"), await login(client, "veileder-grunerlokka")

        async def listed(headers=finance, **params):
            r = await client.get("/billing/api/requisitions", headers=headers,
                                 params={"page_size": 5, "provider": tag, **params})
            assert r.status_code == 200, r.text
            return r.json()

        first = await listed()
        assert (first["total"], first["pages"]) == (12, 3)
        assert [r["number"] for r in first["items"]] == numbers[::-1][:5]  # newest number first
        assert [r["number"] for r in (await listed(page=2))["items"]] == numbers[::-1][5:10]
        assert [r["number"] for r in (await listed(sort="period", page=2))["items"]] == numbers[5:10]
        assert [r["number"] for r in (await listed(sort="-period", page=3))["items"]] == numbers[1::-1]
        assert (await listed(status="closed"))["total"] == 4
        assert (await listed(provider="812345674", status="open"))["total"] >= 8
        # Periods (11 days each) overlapping the days 13–14 from today: those starting on day 3 or later.
        assert (await listed(period_from=str(TODAY + timedelta(days=13)),
                             period_to=str(TODAY + timedelta(days=14))))["total"] == 9
        assert (await listed(period_to=str(TODAY - timedelta(days=1))))["total"] == 0
        mine = await listed(headers=worker)
        assert mine["total"] == 7 and {r["office_id"] for r in mine["items"]} == {"nav-grunerlokka"}
        assert (await listed(headers=await login(client, "veileder-bodo")))["total"] == 5
        beyond = await listed(page=4)
        assert beyond["items"] == [] and beyond["total"] == 12
        for bad, where in (({"page_size": 1000}, "page_size"), ({"limit": 5, "sort": "amount"}, "sort"),
                           ({"status": "x"}, "status"), ({"period_from": "i går"}, "period_from")):
            r = await client.get("/billing/api/requisitions", headers=finance, params=bad)
            assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["query", where], r.text

        page = await client.get("/billing/", headers=finance, params={"tilbyder": tag, "per_side": 5, "side": 2,
                                                                      "status": "", "fra": "", "til": ""})
        assert page.status_code == 200 and "Side 2 av 3 · 12 treff" in page.text
        assert re.findall(rf'href="/billing/requisitions/(L{tag}-\d\d)"', page.text) == numbers[::-1][5:10]
        assert f'rel="next" href="?tilbyder={tag}&amp;per_side=5&amp;sorter=-number&amp;side=3"' in page.text
        assert '<label for="f-tilbyder">Tilbyder (navn eller org.nr.)</label>' in page.text
        closed = await client.get("/billing/", headers=worker, params={"tilbyder": tag, "status": "closed"})
        assert "Side 1 av 1 · 3 treff" in closed.text  # Grünerløkka's closed ones: 0, 3, 6
        bad = await client.get("/billing/", headers=finance, params={"per_side": 1000})
        assert bad.status_code == 422 and "Adressen til siden inneholder en verdi som ikke kan brukes." in bad.text


async def test_invoices_page_sort_and_filter(stack):
    tag = uuid.uuid4().hex[:6]
    numbers = await _invoices(stack, tag)
    async with httpx.AsyncClient(base_url=stack.url, timeout=30) as client:
        finance = await login(client, "okonomi")

        async def listed(**params):
            r = await client.get("/billing/api/invoices", headers=finance,
                                 params={"page_size": 5, "supplier": tag, **params})
            assert r.status_code == 200, r.text
            return r.json()

        first = await listed()
        assert (first["total"], first["pages"]) == (12, 3)
        assert [i["invoice_number"] for i in first["items"]] == numbers[::-1][:5]  # newest first
        assert [i["invoice_number"] for i in (await listed(page=2))["items"]] == numbers[::-1][5:10]
        assert [i["invoice_number"] for i in (await listed(sort="received", page=2))["items"]] == numbers[5:10]
        assert [i["invoice_number"] for i in (await listed(sort="-claimed"))["items"]] == numbers[::-1][:5]
        assert (await listed(status="disputed"))["total"] == 3
        assert (await listed(decided="true"))["total"] == 3
        assert (await listed(decided="false", status="matched"))["total"] == 7  # 12 − 3 disputed − 2 approved
        assert (await listed(received_from=str(TODAY - timedelta(days=1))))["total"] == 2
        assert (await listed(received_to=str(TODAY - timedelta(days=10))))["total"] == 2
        beyond = await listed(page=9)
        assert beyond["items"] == [] and beyond["total"] == 12
        assert (await client.get("/billing/api/invoices", headers=finance,
                                 params={"page_size": 201})).status_code == 422

        page = await client.get("/billing/invoices", headers=finance,
                                params={"leverandor": tag, "per_side": 5, "side": 3, "behandlet": "", "fra": ""})
        assert page.status_code == 200 and "Side 3 av 3 · 12 treff" in page.text
        assert re.findall(rf">(F{tag}-\d\d)</a>", page.text) == numbers[1::-1]
        assert f'rel="prev" href="?leverandor={tag}&amp;per_side=5&amp;sorter=-received&amp;side=2"' in page.text
        waiting = await client.get("/billing/invoices", headers=finance, params={"leverandor": tag,
                                                                                 "behandlet": "false"})
        assert "Side 1 av 1 · 9 treff" in waiting.text
        sorted_page = await client.get("/billing/invoices", headers=finance,
                                       params={"leverandor": tag, "sorter": "supplier"})
        assert 'aria-sort="ascending"' in sorted_page.text
        bad = await client.get("/billing/invoices", headers=finance, params={"side": 0})
        assert bad.status_code == 422 and "Adressen til siden" in bad.text
