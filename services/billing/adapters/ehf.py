"""Reading EHF / PEPPOL BIS Billing 3.0 UBL Invoice and CreditNote XML, safely.

The size is checked before parsing; the document must be UTF-8 (PEPPOL's rule), so a declaration of another
encoding (UTF-7, UTF-32, one Python does not know) is refused before any parser sees it; defusedxml refuses any
DTD (so no external entities and no entity expansion: no XXE, no billion laughs); nothing here touches the
network. Every amount, quantity, text and date is bounded (`bounds.py`) with the line and element named."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError  # noqa: S405 - types only; parsing goes through defusedxml

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from services.billing.adapters import bounds
from services.billing.domain.errors import DocumentRefused, DocumentTooLarge
from services.billing.domain.invoice import CREDIT_NOTE, INVOICE, DocumentLine, SupplierDocument

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024  # the largest EHF Nav's invoices need is a few hundred kB

NS = {
    "inv": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cn": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
ROOTS = {f"{{{NS['inv']}}}Invoice": INVOICE, f"{{{NS['cn']}}}CreditNote": CREDIT_NOTE}


BOM = b"\xef\xbb\xbf"
# Byte-order marks and the first bytes of "<?" in the encodings XML allows besides UTF-8.
OTHER_ENCODINGS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\x00\x00\x00<", b"<\x00\x00\x00", b"\x00<\x00",
                   b"<\x00?\x00", b"+/v", b"\x4c\x6f\xa7\x94")
DECLARED = re.compile(rb"\s*<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([^\"']{0,60})[\"']")


def check_size(data: bytes, limit: int = MAX_DOCUMENT_BYTES) -> None:
    if len(data) > limit:
        raise DocumentTooLarge(f"Dokumentet er {len(data) // 1024} kB; grensen er {limit // 1024} kB.")


def utf8_text(data: bytes) -> str:
    """The document as text: UTF-8 by PEPPOL's rule, whatever else its declaration or byte-order mark says."""
    if data.startswith(OTHER_ENCODINGS):
        raise DocumentRefused("XML-dokumentet må være kodet som UTF-8 (EHF-regelen); det er UTF-16, UTF-32 "
                              "eller en annen koding.")
    declared = DECLARED.match(data.removeprefix(BOM))
    if declared and declared.group(1).decode("ascii", "replace").strip().upper() not in ("UTF-8", "UTF8"):
        name = declared.group(1).decode("ascii", "replace").strip()[:40]
        raise DocumentRefused(f"XML-dokumentet erklærer kodingen «{name}»; EHF-dokumenter må være UTF-8.")
    try:
        return data.removeprefix(BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentRefused(f"XML-dokumentet er ikke gyldig UTF-8 (byte {exc.start}).") from None


def parse_xml(data: bytes) -> Element:
    """The document's root element, or DocumentRefused for anything unsafe or malformed."""
    check_size(data)
    utf8_text(data)
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise DocumentRefused("XML med DTD eller entiteter avvises (eksterne entiteter og entitetsutvidelse "
                              f"er ikke tillatt): {type(exc).__name__}.") from None
    except ParseError as exc:
        raise DocumentRefused(f"Ikke gyldig XML: {exc}.") from None
    except (LookupError, ValueError, RecursionError) as exc:  # an encoding or structure expat cannot take
        raise DocumentRefused(f"Ikke gyldig XML ({type(exc).__name__}).") from None


def _raw(el: Element | None, path: str) -> str | None:
    if el is None:
        return None
    found = el.find(path, NS)
    if found is None or found.text is None:
        return None
    return " ".join(found.text.split()) or None  # a pretty-printed name may wrap


def _text(el: Element | None, path: str, kind: str = "name", where: str = "Dokumentet") -> str | None:
    return bounds.text(_raw(el, path), f"{where} ({path})", kind) or None


def _decimal(el: Element, path: str, what: str, where: str, default: Decimal | None = None) -> Decimal:
    raw = _raw(el, path)
    if raw is None:
        if default is not None:
            return default
        raise DocumentRefused(f"{where}: mangler {what} ({path}).")
    try:
        return Decimal(raw[:100])
    except InvalidOperation:
        raise DocumentRefused(f"{where}: {what} ({path}) er ikke et tall: {raw[:40]!r}.") from None


def _date(el: Element | None, path: str, where: str = "Dokumentet") -> date | None:
    raw = _raw(el, path)
    if raw is None:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise DocumentRefused(f"{where}: ugyldig dato {raw[:40]!r} i {path}.") from None
    return bounds.day(value, f"{where}: datoen i {path}")


def supplier_orgnr(party: Element | None) -> str:
    """The supplier's Norwegian organisation number: legal entity id, endpoint (scheme 0192), or the VAT id."""
    for path in ("cac:PartyLegalEntity/cbc:CompanyID", "cbc:EndpointID", "cac:PartyTaxScheme/cbc:CompanyID"):
        raw = _raw(party, path)
        if raw:
            digits = "".join(ch for ch in raw if ch.isascii() and ch.isdigit())
            if len(digits) == 9:
                return digits
    return _text(party, "cac:PartyLegalEntity/cbc:CompanyID", "orgnr", "Leverandøren") or ""


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
        lines.append(_line(el, len(lines) + 1, qty_tag))
    number = _text(root, "cbc:ID", "number")
    issue_date = _date(root, "cbc:IssueDate")
    if not number or issue_date is None:
        raise DocumentRefused("Mangler fakturanummer (cbc:ID) eller fakturadato (cbc:IssueDate).")
    total = "cac:LegalMonetaryTotal/cbc:LineExtensionAmount"
    return bounds.document(SupplierDocument(
        kind=kind, number=number, supplier_orgnr=supplier_orgnr(party),
        supplier_name=_text(party, "cac:PartyName/cbc:Name", where="Leverandøren")
        or _text(party, "cac:PartyLegalEntity/cbc:RegistrationName", where="Leverandøren") or "",
        issue_date=issue_date, currency=_text(root, "cbc:DocumentCurrencyCode", "currency") or "",
        lines=tuple(lines),
        line_total=bounds.amount(_decimal(root, total, "sum linjer", "Dokumentet"), f"Dokumentet ({total})"),
        order_reference=_text(root, "cac:OrderReference/cbc:ID", "reference"),
        buyer_reference=_text(root, "cbc:BuyerReference", "name"),
        first_night=_date(root, "cac:InvoicePeriod/cbc:StartDate"),
        last_night=_date(root, "cac:InvoicePeriod/cbc:EndDate"), format="ehf"), "Dokumentet")


def _line(el: Element, position: int, qty_tag: str) -> DocumentLine:
    where = f"Linje {position}"
    qty_el = el.find(qty_tag, NS)
    quantity = bounds.quantity(_decimal(el, qty_tag, "antall", where), f"{where} ({qty_tag})")
    price = _decimal(el, "cac:Price/cbc:PriceAmount", "pris", where)
    base = _decimal(el, "cac:Price/cbc:BaseQuantity", "basisantall", where, default=Decimal(1))
    first = _date(el, "cac:InvoicePeriod/cbc:StartDate", where)
    last = _date(el, "cac:InvoicePeriod/cbc:EndDate", where)
    bounds.period(first, last, f"{where} (cac:InvoicePeriod)")
    amount = "cbc:LineExtensionAmount"
    return DocumentLine(
        line_id=_text(el, "cbc:ID", "line_id", where) or str(position), quantity=quantity,
        unit_code=bounds.text((qty_el.get("unitCode") or "") if qty_el is not None else "",
                              f"{where} (unitCode)", "unit"),
        unit_price=bounds.unit_price(price, f"{where} (cac:Price)", base),
        amount=bounds.amount(_decimal(el, amount, "linjebeløp", where), f"{where} ({amount})"),
        first_night=first, last_night=last,
        reference=_text(el, "cac:OrderLineReference/cbc:LineID", "reference", where),
        description=_text(el, "cac:Item/cbc:Name", "description", where) or "")
