"""Reading supplier documents: the official EHF samples parse and pass the official rules; hostile XML is
refused with a clear error; schematron failures name the rule ids; the CSV format reads and refuses bad rows."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from services.billing.adapters import documents
from services.billing.adapters.ehf import MAX_DOCUMENT_BYTES
from services.billing.domain.errors import DocumentRefused
from services.billing.entrypoints.errors import status_of
from tests.billing.factory import Line, csv_invoice, ehf

SAMPLES = sorted((Path(__file__).parent / "samples").glob("*.xml"))
ORGNR = "974760673"


def test_there_are_samples():
    assert len(SAMPLES) == 5


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_every_official_sample_parses_and_passes_the_rules(sample):
    [doc], failed = documents.read(sample.read_bytes(), sample.name)
    assert doc.number and doc.lines and doc.issue_date
    assert doc.problems == ()
    assert all(f.flag == "warning" for f in failed)
    assert doc.kind == ("credit_note" if "creditnote" in sample.name else "invoice")


def test_the_norwegian_sample_reads_its_supplier_and_order_reference():
    [doc], _ = documents.read((Path(__file__).parent / "samples" / "Norwegian-example-1.xml").read_bytes())
    assert (doc.supplier_orgnr, doc.order_reference, doc.currency, len(doc.lines)) == ("123456785", "123", "NOK", 5)
    assert doc.line_total == Decimal("1436.5")


def test_schematron_failures_name_the_rule_ids():
    broken = ehf(number="F-1", supplier_orgnr=ORGNR, order_reference="R",
                 lines=[Line(date(2026, 3, 3), date(2026, 3, 5), Decimal(1000))], stated_total=Decimal(2999))
    [doc], failed = documents.read(broken)
    assert "BR-CO-10" in doc.problems  # sum of line amounts = stated line total
    assert {f.rule_id for f in failed if f.flag == "fatal"} == set(doc.problems)


def test_our_test_documents_pass_the_rules():
    for credit in (False, True):
        [doc], failed = documents.read(ehf(number="F-1", supplier_orgnr=ORGNR, credit_note=credit,
                                           lines=[Line(date(2026, 3, 3), date(2026, 3, 5), Decimal(1000), "R1")]))
        assert failed == [] and doc.lines[0].reference == "R1" and doc.lines[0].period_nights == 3


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&secret;</ID></Invoice>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&lol4;</ID></Invoice>"""


def fifty_megabytes() -> bytes:
    head = b'<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><Note>'
    return head + b"x" * (50 * 1024 * 1024) + b"</Note></Invoice>"


@pytest.mark.parametrize("hostile, words", [(XXE, "DTD"), (BILLION_LAUGHS, "DTD"), (b"<Invoice><ID>", "gyldig XML")],
                         ids=["external-entity", "billion-laughs", "malformed"])
def test_hostile_or_broken_xml_is_refused(hostile, words):
    with pytest.raises(DocumentRefused) as refused:
        documents.read(hostile, "faktura.xml")
    assert words in str(refused.value) and status_of(refused.value) == 422


def test_fifty_megabytes_is_refused_before_parsing():
    with pytest.raises(DocumentRefused) as refused:
        documents.read(fifty_megabytes(), "faktura.xml")
    assert status_of(refused.value) == 413 and str(MAX_DOCUMENT_BYTES // 1024) in str(refused.value)


def test_a_root_that_is_not_an_invoice_is_refused():
    with pytest.raises(DocumentRefused, match="Invoice eller CreditNote"):
        documents.read(b"<Order/>")


def test_csv_reads_several_invoices_with_decimal_commas_and_norwegian_dates():
    data = csv_invoice([
        {"supplier_orgnr": ORGNR, "invoice_number": "A-1", "issue_date": "01.04.2026", "requisition": "R1",
         "first_night": "2026-03-03", "last_night": "2026-03-05", "nights": 3, "price_per_night": "1000,00",
         "amount": "3 000,00"},
        {"supplier_orgnr": ORGNR, "invoice_number": "A-1", "issue_date": "01.04.2026", "requisition": "R2",
         "first_night": "2026-03-03", "last_night": "2026-03-03", "nights": 1, "price_per_night": "950",
         "amount": "950"},
        {"supplier_orgnr": ORGNR, "invoice_number": "K-1", "issue_date": "2026-04-02", "kind": "credit_note",
         "requisition": "R1", "first_night": "2026-03-05", "last_night": "2026-03-05", "nights": 1,
         "price_per_night": "1000", "amount": "1000"},
    ])
    docs, failed = documents.read(data, "fakturaer.csv")
    assert failed == [] and [(d.number, d.kind, len(d.lines)) for d in docs] == [("A-1", "invoice", 2),
                                                                              ("K-1", "credit_note", 1)]
    assert docs[0].lines[0].amount == Decimal("3000.00") and docs[0].issue_date == date(2026, 4, 1)
    assert docs[0].line_total == Decimal("3950.00") and docs[0].format == "csv"


@pytest.mark.parametrize("row, message", [
    ({"first_night": "3. mars"}, "first_night er ikke en dato"),
    ({"amount": "tre tusen"}, "amount er ikke et tall"),
    ({"requisition": ""}, "kolonnen requisition mangler verdi"),
    ({"kind": "purring"}, "kind må være"),
    ({"supplier_orgnr": "974760674"}, "supplier_orgnr '974760674' er ikke et gyldig organisasjonsnummer"),
])
def test_csv_errors_name_the_row_and_column(row, message):
    good = {"supplier_orgnr": ORGNR, "invoice_number": "A-1", "issue_date": "2026-04-01", "requisition": "R1",
            "first_night": "2026-03-03", "last_night": "2026-03-05", "nights": 3, "price_per_night": "1000",
            "amount": "3000"}
    with pytest.raises(DocumentRefused, match=f"Rad 2: {message}"):
        documents.read(csv_invoice([{**good, **row}]), "f.csv")


def test_csv_without_the_required_columns_is_refused():
    with pytest.raises(DocumentRefused, match="mangler kolonnene"):
        documents.read(b"a;b\n1;2\n", "f.csv")
