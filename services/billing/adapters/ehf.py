"""Reading EHF / PEPPOL BIS Billing 3.0 UBL Invoice and CreditNote XML, safely.

defusedxml refuses any DTD (so no external entities and no entity expansion: no XXE, no billion laughs), the
size is checked before parsing, and nothing here touches the network."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError  # noqa: S405 - types only; parsing goes through defusedxml

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from services.billing.domain.invoice import CREDIT_NOTE, INVOICE, DocumentLine, DocumentRefused, SupplierDocument

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024  # the largest EHF Nav's invoices need is a few hundred kB

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
ROOTS = {f"{{{NS['inv']}}}Invoice": INVOICE, f"{{{NS['cn']}}}CreditNote": CREDIT_NOTE}


def check_size(data: bytes, limit: int = MAX_DOCUMENT_BYTES) -> None:
    if len(data) > limit:
        raise DocumentRefused(f"Dokumentet er {len(data) // 1024} kB; grensen er {limit // 1024} kB.",
                              status_code=413)


def parse_xml(data: bytes) -> Element:
    """The document's root element, or DocumentRefused for anything unsafe or malformed."""
    check_size(data)
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise DocumentRefused("XML med DTD eller entiteter avvises (eksterne entiteter og entitetsutvidelse "
                              f"er ikke tillatt): {type(exc).__name__}.") from None
    except ParseError as exc:
        raise DocumentRefused(f"Ikke gyldig XML: {exc}.") from None


def _text(el: Element | None, path: str) -> str | None:
    if el is None:
        return None
    found = el.find(path, NS)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _decimal(el: Element, path: str, what: str, default: Decimal | None = None) -> Decimal:
    raw = _text(el, path)
    if raw is None:
        if default is not None:
            return default
        raise DocumentRefused(f"Mangler {what} ({path}).")
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise DocumentRefused(f"{what} er ikke et tall: {raw!r}.") from None


def _date(el: Element | None, path: str) -> date | None:
    raw = _text(el, path)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DocumentRefused(f"Ugyldig dato {raw!r} i {path}.") from None


def supplier_orgnr(party: Element | None) -> str:
    """The supplier's Norwegian organisation number: legal entity id, endpoint (scheme 0192), or the VAT id."""
    for path in ("cac:PartyLegalEntity/cbc:CompanyID", "cbc:EndpointID", "cac:PartyTaxScheme/cbc:CompanyID"):
        raw = _text(party, path)
        if raw:
            digits = "".join(ch for ch in raw if ch.isdigit())
            if len(digits) == 9:
                return digits
    return _text(party, "cac:PartyLegalEntity/cbc:CompanyID") or ""


def read_ehf(data: bytes) -> SupplierDocument:
    root = parse_xml(data)
    kind = ROOTS.get(root.tag)
    if kind is None:
        raise DocumentRefused("Rotelementet må være UBL Invoice eller CreditNote (PEPPOL BIS Billing 3.0).")
    party = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    line_tag, qty_tag = (("cac:InvoiceLine", "cbc:InvoicedQuantity") if kind == INVOICE
                         else ("cac:CreditNoteLine", "cbc:CreditedQuantity"))
    lines = []
    for el in root.findall(line_tag, NS):
        qty_el = el.find(qty_tag, NS)
        quantity = _decimal(el, qty_tag, "antall")
        price = _decimal(el, "cac:Price/cbc:PriceAmount", "pris")
        base = _decimal(el, "cac:Price/cbc:BaseQuantity", "basisantall", default=Decimal(1)) or Decimal(1)
        lines.append(DocumentLine(
            line_id=_text(el, "cbc:ID") or str(len(lines) + 1), quantity=quantity,
            unit_code=(qty_el.get("unitCode") or "") if qty_el is not None else "",
            unit_price=price / base, amount=_decimal(el, "cbc:LineExtensionAmount", "linjebeløp"),
            first_night=_date(el, "cac:InvoicePeriod/cbc:StartDate"),
            last_night=_date(el, "cac:InvoicePeriod/cbc:EndDate"),
            reference=_text(el, "cac:OrderLineReference/cbc:LineID"),
            description=_text(el, "cac:Item/cbc:Name") or ""))
    number = _text(root, "cbc:ID")
    issue_date = _date(root, "cbc:IssueDate")
    if not number or issue_date is None:
        raise DocumentRefused("Mangler fakturanummer (cbc:ID) eller fakturadato (cbc:IssueDate).")
    return SupplierDocument(
        kind=kind, number=number, supplier_orgnr=supplier_orgnr(party),
        supplier_name=_text(party, "cac:PartyName/cbc:Name")
        or _text(party, "cac:PartyLegalEntity/cbc:RegistrationName") or "",
        issue_date=issue_date, currency=_text(root, "cbc:DocumentCurrencyCode") or "",
        lines=tuple(lines),
        line_total=_decimal(root, "cac:LegalMonetaryTotal/cbc:LineExtensionAmount", "sum linjer"),
        order_reference=_text(root, "cac:OrderReference/cbc:ID"), buyer_reference=_text(root, "cbc:BuyerReference"),
        first_night=_date(root, "cac:InvoicePeriod/cbc:StartDate"),
        last_night=_date(root, "cac:InvoicePeriod/cbc:EndDate"), format="ehf")
