"""The requisition a provider can act on (pypdf reads the PDF's text): the guest, the unit and its address,
the office with its contact and phone, the period, price and maximum, the conditions, and how to invoice."""

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal
from uuid import uuid4

import pypdf

from services.billing.adapters import requisition_pdf
from services.billing.adapters.papers import OfficeView, PaperContext, RequisitionView, StayView, UnitView
from services.billing.domain.papers import Invoicing, invoicing_for

REQUISITION = RequisitionView(
    id=uuid4(), number="R2026-000007-3", stay_id=uuid4(), household_id=uuid4(), office_id="nav-grunerlokka",
    provider_id=uuid4(), provider_name="Blå Kors bosenter", provider_orgnr="916451288", unit_id=uuid4(),
    agreement_kind="framework", period_from=date(2026, 3, 3), period_to=date(2026, 3, 31),
    price_per_night=Decimal("1000.00"), status="open", closed_from=None, persons=3, conditions=("boligskole",),
    contact_username="veileder-grunerlokka", contact_name="Kari Veileder")
CONTEXT = PaperContext(
    REQUISITION, StayView(REQUISITION.stay_id, REQUISITION.household_id, date(2026, 3, 3), None),
    UnitView("Rom 12", "Eksempelgata 1, 0550 Oslo"), "booking@blakors.example",
    OfficeView("Nav Grünerløkka", "0301", "Grünerløkka", "Thorvald Meyers gate 12, 0555 Oslo", "55553333",
               "bolig.grunerlokka@nav.example"))


def text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def paper(guest=requisition_pdf.Guest("Åse Ødegård", date(1986, 10, 15)), context=CONTEXT, **kw):
    return requisition_pdf.paper_of(context, guest, invoicing=Invoicing("958935420"), municipality_name="Oslo",
                                    issued_on=date(2026, 3, 3), **kw)


def test_the_provider_reads_who_where_when_what_it_costs_and_whom_to_call():
    pdf = requisition_pdf.render(paper())
    text = text_of(pdf)
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1
    for expected in ("Rekvisisjon", "R2026-000007-3", "Åse Ødegård", "15.10.1986", "Antall personer", "3",
                     "Blå Kors bosenter", "916 451 288", "Rom 12", "Eksempelgata 1, 0550 Oslo", "Rammeavtale",
                     "03.03.2026", "31.03.2026", "29", "1 000,00 kr", "29 000,00 kr",
                     "Nav Grünerløkka", "Thorvald Meyers gate 12, 0555 Oslo", "Kari Veileder", "55 55 33 33",
                     "bolig.grunerlokka@nav.example", "boligskole", "sosialtjenesteloven § 27"):
        assert expected in text, expected


def test_how_to_invoice_the_municipality_with_the_number_to_quote():
    text = text_of(requisition_pdf.render(paper()))
    for expected in ("Oslo kommune", "958 935 420", "0192:958935420", "cac:OrderReference/cbc:ID",
                     "Netter etter utflytting betales ikke"):
        assert expected in text, expected


def test_without_a_name_for_the_reader_or_an_invoice_recipient_it_says_so():
    text = text_of(requisition_pdf.render(requisition_pdf.paper_of(
        CONTEXT, None, invoicing=Invoicing(None), municipality_name="Oslo", issued_on=date(2026, 3, 3))))
    assert requisition_pdf.NO_NAME_NB in text and "Spør Nav-kontoret" in text
    closed = replace(REQUISITION, status="closed", closed_from=date(2026, 3, 20), period_to=date(2026, 3, 19))
    text = text_of(requisition_pdf.render(paper(context=replace(CONTEXT, requisition=closed))))
    assert "netter fra 20.03.2026 betales ikke" in text and "17 netter" in text


def test_an_office_pays_for_itself_before_its_municipality():
    recipients = {"0301": "958935420", "nav-grunerlokka": "974778874"}
    assert invoicing_for(recipients, office_id="nav-grunerlokka", municipality="0301").orgnr == "974778874"
    assert invoicing_for(recipients, office_id="nav-sagene", municipality="0301").ehf_address == "0192:958935420"
    assert invoicing_for(recipients, office_id="nav-bodo", municipality="1804").orgnr is None
