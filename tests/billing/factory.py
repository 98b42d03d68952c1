"""Test documents: EHF (PEPPOL BIS Billing 3.0) invoices and credit notes that pass the official schematron
rules, and CSV invoices in billing's own format. Nights are billed in unit DAY with each line's InvoicePeriod."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from kit import clock


@dataclass
class Line:
    first: date
    last: date
    price: Decimal
    reference: str | None = None  # the line's requisition (OrderLineReference/LineID)
    nights: int | None = None  # default: the period's nights
    amount: Decimal | None = None  # default: nights × price

    @property
    def quantity(self) -> int:
        return self.nights if self.nights is not None else (self.last - self.first).days + 1

    @property
    def total(self) -> Decimal:
        return self.amount if self.amount is not None else self.price * self.quantity


def ehf(*, number: str, supplier_orgnr: str, lines: list[Line], order_reference: str | None = None,
        supplier_name: str = "Tilbyder AS", issue_date: date = date(2026, 4, 1), credit_note: bool = False,
        stated_total: Decimal | None = None) -> bytes:
    root, line_tag, qty_tag = (("CreditNote", "CreditNoteLine", "CreditedQuantity") if credit_note
                               else ("Invoice", "InvoiceLine", "InvoicedQuantity"))
    total = sum((x.total for x in lines), Decimal(0))
    stated = stated_total if stated_total is not None else total
    type_code = "<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>" if credit_note else \
        "<cbc:DueDate>2026-04-30</cbc:DueDate><cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>"
    order = f"<cac:OrderReference><cbc:ID>{escape(order_reference)}</cbc:ID></cac:OrderReference>" \
        if order_reference else ""
    body = []
    for i, x in enumerate(lines, start=1):
        ref = (f"<cac:OrderLineReference><cbc:LineID>{escape(x.reference)}</cbc:LineID></cac:OrderLineReference>"
               if x.reference else "")
        body.append(f"""
  <cac:{line_tag}>
    <cbc:ID>{i}</cbc:ID>
    <cbc:{qty_tag} unitCode="DAY">{x.quantity}</cbc:{qty_tag}>
    <cbc:LineExtensionAmount currencyID="NOK">{x.total:.2f}</cbc:LineExtensionAmount>
    <cac:InvoicePeriod><cbc:StartDate>{x.first}</cbc:StartDate><cbc:EndDate>{x.last}</cbc:EndDate></cac:InvoicePeriod>
    {ref}
    <cac:Item>
      <cbc:Name>Midlertidig botilbud, døgn</cbc:Name>
      <cac:ClassifiedTaxCategory><cbc:ID>E</cbc:ID><cbc:Percent>0</cbc:Percent>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="NOK">{x.price:.2f}</cbc:PriceAmount></cac:Price>
  </cac:{line_tag}>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>{escape(number)}</cbc:ID>
  <cbc:IssueDate>{issue_date}</cbc:IssueDate>
  {type_code}
  <cbc:DocumentCurrencyCode>NOK</cbc:DocumentCurrencyCode>
  <cbc:BuyerReference>Nav</cbc:BuyerReference>
  {order}
  <cac:AccountingSupplierParty><cac:Party>
    <cbc:EndpointID schemeID="0192">{supplier_orgnr}</cbc:EndpointID>
    <cac:PartyName><cbc:Name>{escape(supplier_name)}</cbc:Name></cac:PartyName>
    <cac:PostalAddress><cbc:StreetName>Storgata 1</cbc:StreetName><cbc:CityName>Oslo</cbc:CityName>
      <cbc:PostalZone>0155</cbc:PostalZone><cac:Country><cbc:IdentificationCode>NO</cbc:IdentificationCode></cac:Country>
    </cac:PostalAddress>
    <cac:PartyTaxScheme><cbc:CompanyID>NO{supplier_orgnr}MVA</cbc:CompanyID>
      <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyTaxScheme><cbc:CompanyID>Foretaksregisteret</cbc:CompanyID>
      <cac:TaxScheme><cbc:ID>TAX</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyLegalEntity><cbc:RegistrationName>{escape(supplier_name)}</cbc:RegistrationName>
      <cbc:CompanyID schemeID="0192">{supplier_orgnr}</cbc:CompanyID></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cbc:EndpointID schemeID="0192">974760673</cbc:EndpointID>
    <cac:PostalAddress><cbc:CityName>Oslo</cbc:CityName>
      <cac:Country><cbc:IdentificationCode>NO</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyLegalEntity><cbc:RegistrationName>Oslo kommune, Nav</cbc:RegistrationName>
      <cbc:CompanyID schemeID="0192">974760673</cbc:CompanyID></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>
    <cac:PayeeFinancialAccount><cbc:ID>12345678903</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="NOK">0.00</cbc:TaxAmount>
    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="NOK">{total:.2f}</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="NOK">0.00</cbc:TaxAmount>
      <cac:TaxCategory><cbc:ID>E</cbc:ID><cbc:Percent>0</cbc:Percent>
        <cbc:TaxExemptionReason>Utleie av bolig er unntatt merverdiavgift</cbc:TaxExemptionReason>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>
    </cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="NOK">{stated:.2f}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="NOK">{stated:.2f}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="NOK">{stated:.2f}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="NOK">{stated:.2f}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>{"".join(body)}
</{root}>
""".encode()


def csv_invoice(rows: list[dict]) -> bytes:
    columns = ("supplier_orgnr", "supplier_name", "invoice_number", "issue_date", "kind", "requisition",
               "first_night", "last_night", "nights", "price_per_night", "amount", "description")
    out = [";".join(columns)]
    for row in rows:
        out.append(";".join(str(row.get(c, "")) for c in columns))
    return ("\n".join(out) + "\n").encode()


async def export_today(client, finance: dict) -> tuple[dict, list[dict]]:
    """Make a payment export of what was approved today and not exported before (the stack is shared: other
    tests' lines may be in it too); returns the export and its rows, each as {column: cell}."""
    today = str(clock.today())
    made = await client.post("/billing/api/exports", headers=finance,
                             json={"period_from": today, "period_to": today})
    assert made.status_code == 201, made.text
    body = (await client.get(made.json()["download"], headers=finance)).content
    assert body.startswith("\ufeff".encode())  # UTF-8 with BOM, as Norwegian Excel wants it
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    return made.json(), [dict(zip(header, r, strict=False)) for r in rows[1:] if r and r[0] and len(r) == len(header)]


def kroner(amount) -> str:
    """An amount as the payment file writes it: 1650,00 (a credit note: -1650,00)."""
    return f"{amount:.2f}".replace(".", ",")
