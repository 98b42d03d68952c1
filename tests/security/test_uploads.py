"""Every upload endpoint (billing's API import and its upload page) on hostile XML, oversized files and wrong
content types: a 4xx with a clear Norwegian message, and nothing stored."""

import httpx
import pytest

from services.billing.adapters.ehf import MAX_DOCUMENT_BYTES
from tests.conftest import login
from tests.security.test_parsers import EHF_SAMPLES, HOSTILE_XML

pytestmark = [pytest.mark.integration]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CASES = {
    **{f"XML: {name}": (data, "application/xml", "faktura.xml") for name, data in HOSTILE_XML.items()},
    "over the size limit": (EHF_SAMPLES[0] + b"<!--" + b"x" * (MAX_DOCUMENT_BYTES + 200_000) + b"-->",
                            "application/xml", "faktura.xml"),
    "a picture": (PNG, "image/png", "faktura.png"),
    "JSON": (b'{"invoice": 1}', "application/json", "faktura.json"),
    "HTML": (b"<html><body>faktura</body></html>", "text/html", "faktura.html"),
    "a PDF": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj", "application/pdf", "faktura.pdf"),
    "CSV with a stray carriage return": (
        b"supplier_orgnr;invoice_number;issue_date;requisition;first_night;last_night;nights;price_per_night;"
        b"amount\n923609016;A\r1;2026-04-01;R1;2026-03-01;2026-03-01;1;900;900\n", "text/csv", "f.csv"),
    "empty": (b"", "text/csv", "f.csv"),
    "UTF-16 CSV": ("supplier_orgnr;invoice_number\n1;2\n".encode("utf-16"), "text/csv", "f.csv"),
    **{f"XML declaring {name}": (EHF_SAMPLES[0].replace(b'encoding="UTF-8"', f'encoding="{name}"'.encode(), 1),
                                 "application/xml", "faktura.xml") for name in ("UTF-7", "UTF-32", "x-unknown")},
    "XML in UTF-32": ('<?xml version="1.0" encoding="UTF-32"?><Invoice/>'.encode("utf-32"), "application/xml",
                      "faktura.xml"),
    "XML in UTF-16 without a declaration": ("<Invoice/>".encode("utf-16"), "application/xml", "faktura.xml"),
}


async def stored(stack) -> tuple[int, int]:
    async with stack.pools["billing"].acquire() as conn:
        return (await conn.fetchval("SELECT count(*) FROM invoices"),
                await conn.fetchval("SELECT count(*) FROM invoice_lines"))


async def test_hostile_uploads_get_a_4xx_with_a_reason_and_store_nothing(stack):
    async with httpx.AsyncClient(base_url=stack.url, timeout=60) as client:
        finance = await login(client, "okonomi")
        before = await stored(stack)
        wrong = []
        for name, (data, content_type, filename) in CASES.items():
            api = await client.post("/billing/api/invoices", content=data,
                                    headers={**finance, "content-type": content_type, "x-filename": filename})
            if not (400 <= api.status_code < 500 and api.json()["errors"][0]["msg"]):
                wrong.append(f"API, {name}: {api.status_code} {api.text[:200]}")
            page = await client.post("/billing/invoices", headers=finance,
                                     files={"document": (filename, data, content_type)})
            if not (400 <= page.status_code < 500 and 'id="document-error"' in page.text):
                wrong.append(f"page, {name}: {page.status_code} {page.text[:200]}")
        assert not wrong, "\n".join(wrong)
        assert await stored(stack) == before
