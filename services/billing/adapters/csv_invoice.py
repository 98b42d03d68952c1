"""Billing's CSV invoice format, for providers without e-invoicing (documented in docs/billing.md).

One row per invoice line; the invoice's own fields repeat on each of its rows; a file may hold several
invoices (rows are grouped by supplier, kind and invoice number). UTF-8, header row required, `;` or `,`
between fields, decimal comma or point, dates as 2026-03-31 or 31.03.2026. Every cell is bounded (`bounds.py`):
a refusal names the row and the column."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from stdnum.no.orgnr import is_valid as orgnr_valid

from services.billing.adapters import bounds
from services.billing.adapters.ehf import check_size
from services.billing.domain.errors import DocumentRefused
from services.billing.domain.invoice import CREDIT_NOTE, INVOICE, NIGHT_UNIT, DocumentLine, SupplierDocument

COLUMNS = ("supplier_orgnr", "supplier_name", "invoice_number", "issue_date", "kind", "requisition",
           "first_night", "last_night", "nights", "price_per_night", "amount", "description")
REQUIRED = ("supplier_orgnr", "invoice_number", "issue_date", "requisition", "first_night", "last_night",
            "nights", "price_per_night", "amount")
KINDS = {"invoice": INVOICE, "faktura": INVOICE, "": INVOICE, "credit_note": CREDIT_NOTE,
         "kreditnota": CREDIT_NOTE}
TEXT_KIND = {"supplier_orgnr": "orgnr", "supplier_name": "name", "invoice_number": "number", "kind": "unit",
             "requisition": "reference", "description": "description"}


def _cell(row: dict, column: str, row_no: int) -> str:
    raw = row.get(column)
    value = raw.strip() if isinstance(raw, str) else ""
    if not value and column in REQUIRED:
        raise DocumentRefused(f"Rad {row_no}: kolonnen {column} mangler verdi.")
    if column in TEXT_KIND:
        bounds.text(value, f"Rad {row_no}: {column}", TEXT_KIND[column], multiline=column == "description")
    return value


def _decimal(row: dict, column: str, row_no: int) -> Decimal:
    raw = _cell(row, column, row_no).replace(" ", "").replace("\u00a0", "")[:100]
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise DocumentRefused(f"Rad {row_no}: {column} er ikke et tall: {raw[:40]!r}.") from None


def _date(row: dict, column: str, row_no: int) -> date:
    raw = _cell(row, column, row_no)[:40]
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return bounds.day(datetime.strptime(raw, fmt).date(), f"Rad {row_no}: {column}")
        except ValueError:
            continue
    raise DocumentRefused(f"Rad {row_no}: {column} er ikke en dato (ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ): {raw!r}.")


def _line(row: dict, row_no: int, line_id: str) -> DocumentLine:
    first, last = _date(row, "first_night", row_no), _date(row, "last_night", row_no)
    bounds.period(first, last, f"Rad {row_no}:")
    return DocumentLine(
        line_id=line_id, unit_code=NIGHT_UNIT,
        quantity=bounds.quantity(_decimal(row, "nights", row_no), f"Rad {row_no}: nights"),
        unit_price=bounds.unit_price(_decimal(row, "price_per_night", row_no), f"Rad {row_no}: price_per_night"),
        amount=bounds.amount(_decimal(row, "amount", row_no), f"Rad {row_no}: amount"),
        first_night=first, last_night=last, reference=_cell(row, "requisition", row_no),
        description=_cell(row, "description", row_no))


def read_csv(data: bytes) -> list[SupplierDocument]:
    check_size(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentRefused("CSV-filen må være UTF-8.") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    try:  # the csv module's own complaints (a stray carriage return, a huge field) are the file's fault: 4xx
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise DocumentRefused(f"CSV-filen mangler kolonnene {', '.join(missing)} i overskriftsraden.")
        reader.fieldnames = header
        rows = list(reader)
    except csv.Error as exc:
        raise DocumentRefused(f"CSV-filen kan ikke leses ({exc}).") from None
    groups: dict[tuple[str, str, str], dict] = {}
    for row_no, row in enumerate(rows, start=2):
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        kind = KINDS.get(_cell(row, "kind", row_no).lower())
        if kind is None:
            raise DocumentRefused(f"Rad {row_no}: kind må være invoice eller credit_note.")
        orgnr = _cell(row, "supplier_orgnr", row_no).replace(" ", "")
        if not orgnr_valid(orgnr):
            raise DocumentRefused(f"Rad {row_no}: supplier_orgnr {orgnr!r} er ikke et gyldig organisasjonsnummer "
                                  "(9 siffer med kontrollsiffer).")
        number = _cell(row, "invoice_number", row_no)
        group = groups.setdefault((orgnr, kind, number), {
            "supplier_name": _cell(row, "supplier_name", row_no), "issue_date": _date(row, "issue_date", row_no),
            "lines": []})
        group["lines"].append(_line(row, row_no, str(len(group["lines"]) + 1)))
    if not groups:
        raise DocumentRefused("CSV-filen har ingen fakturalinjer.")
    return [bounds.document(SupplierDocument(
        kind=kind, number=number, supplier_orgnr=orgnr, supplier_name=g["supplier_name"],
        issue_date=g["issue_date"], currency="NOK", lines=tuple(g["lines"]),
        line_total=sum((x.amount for x in g["lines"]), Decimal(0)), format="csv"), f"Faktura {number[:40]}")
        for (orgnr, kind, number), g in groups.items()]
