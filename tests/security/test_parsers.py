"""Billing's readers on arbitrary and hostile input: they answer a document or DocumentRefused (a 4xx with a
Norwegian message), never anything else."""

import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.billing.adapters import csv_invoice, documents, ehf
from services.billing.domain.errors import DocumentRefused
from services.billing.entrypoints.errors import status_of

SAMPLES = Path(__file__).resolve().parents[1] / "billing" / "samples"
EHF_SAMPLES = [p.read_bytes() for p in sorted(SAMPLES.glob("*.xml"))]
COLUMNS = ("supplier_orgnr", "supplier_name", "invoice_number", "issue_date", "kind", "requisition",
           "first_night", "last_night", "nights", "price_per_night", "amount", "description")
FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def only_refused(read, data: bytes) -> None:
    try:
        read(data)
    except DocumentRefused as exc:
        assert str(exc).strip(), "a refusal must say why"
        assert 400 <= status_of(exc) < 500


@FAST
@given(st.binary(max_size=4000))
def test_csv_reader_on_arbitrary_bytes(data):
    only_refused(csv_invoice.read_csv, data)


cell = st.one_of(st.text(max_size=30), st.sampled_from(["", "0", "-1", "1e999", "NaN", "Infinity", "1 000,50",
                                                         "2026-02-30", "31.12.9999", "0001-01-01", "923609016",
                                                         "credit_note", "invoice", '"', ";", "\x00"]),
                 st.integers().map(str), st.dates().map(str), st.decimals(allow_nan=True).map(str))


@FAST
@given(st.lists(st.fixed_dictionaries({c: cell for c in COLUMNS}), max_size=5),
       st.sampled_from([";", ",", "\t"]), st.permutations(COLUMNS))
def test_csv_reader_on_rows_with_the_right_header_and_hostile_cells(rows, delimiter, order):
    lines = [delimiter.join(order)] + [delimiter.join(row[c] for c in order) for row in rows]
    only_refused(csv_invoice.read_csv, "\n".join(lines).encode("utf-8", errors="surrogatepass"))


@FAST
@given(st.binary(max_size=4000))
def test_ehf_reader_on_arbitrary_bytes(data):
    only_refused(ehf.read_ehf, b"<" + data)


@st.composite
def mutated_ehf(draw):
    """A real EHF sample with a few slices replaced by hostile bytes, cut short, or duplicated."""
    data = bytearray(draw(st.sampled_from(EHF_SAMPLES)))
    rnd = random.Random(draw(st.integers(0, 2**32)))
    for _ in range(draw(st.integers(1, 4))):
        at = rnd.randrange(len(data))
        end = min(len(data), at + rnd.randrange(1, 40))
        data[at:end] = draw(st.sampled_from([b"", b"&", b"<", b"]]>", b"x" * 50, b"-1", b"NaN", b"9" * 40,
                                             b"2026-13-45", b"&lt;", b"\xff\xfe", "æøå".encode()]))
    if draw(st.booleans()):
        data = data[: rnd.randrange(len(data))]
    return bytes(data)


@FAST
@given(mutated_ehf())
def test_ehf_reader_on_mutated_real_invoices(data):
    only_refused(ehf.read_ehf, data)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated_ehf())
def test_the_whole_reading_with_schematron_on_mutated_real_invoices(data):
    only_refused(lambda d: documents.read(d, "faktura.xml", "application/xml"), data)


HOSTILE_XML = {
    "billion laughs": b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol3;</Invoice>""",
    "external entity": b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&x;</Invoice>""",
    "external DTD": b"""<?xml version="1.0"?><!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/evil.dtd">
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>""",
    "parameter entity": b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p">%p;]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>""",
    "deep nesting": b"<a>" * 100_000 + b"</a>" * 100_000,
    "not UBL": b"<Order/>",
    "unclosed": b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'>",
}


def test_hostile_xml_is_refused_with_a_reason():
    for name, data in HOSTILE_XML.items():
        try:
            documents.read(data, "faktura.xml", "application/xml")
        except DocumentRefused as exc:
            assert 400 <= status_of(exc) < 500 and str(exc), name
        else:
            raise AssertionError(f"{name} was accepted")


def test_an_oversized_document_is_refused_before_parsing():
    big = EHF_SAMPLES[0] + b"<!--" + b"x" * ehf.MAX_DOCUMENT_BYTES + b"-->"
    try:
        documents.read(big, "faktura.xml", "application/xml")
    except DocumentRefused as exc:
        assert status_of(exc) == 413 and "grensen" in str(exc)
    else:
        raise AssertionError("accepted")
