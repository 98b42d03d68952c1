"""Tables for people's spreadsheets, the one way every export is written: CSV (semicolon-separated, UTF-8
with BOM, decimal commas: what Norwegian Excel opens correctly) and XLSX (openpyxl, imported only when one is made).

Every text cell goes through `safe_cell`: a value that a spreadsheet would run as a formula (=, +, -, @, or a
tab or carriage return before one) is kept as text with a leading apostrophe (OWASP's CSV injection advice),
whoever typed it — a supplier's name on an invoice, a provider's name, an invoice number."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Numbers as numbers; text that a spreadsheet would run as a formula kept as text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_cell(value):
    """A cell as Norwegian Excel reads it under a `;` separator: a decimal number with a decimal comma
    (12345,5), no thousands separator; text as `safe_cell` keeps it. (A value of another type, such as billing's
    `Kroner`, is written as its `str`.)"""
    if isinstance(value, Decimal | float) and not isinstance(value, bool):
        return format(Decimal(str(value)), "f").replace(".", ",")
    return safe_cell(value)


def to_csv(header: list[str], rows: list[tuple], notes: list[tuple] = ()) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(v) for v in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    if notes:
        writer.writerow([])
        writer.writerows([csv_cell(v) for v in row] for row in notes)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(title: str, header: list[str], rows: list[tuple], notes: list[tuple] = ()) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    def cells(row):
        # A control character that XML 1.0 cannot hold would fail the whole workbook: it is shown as "?".
        return [ILLEGAL_CHARACTERS_RE.sub("?", v) if isinstance(v, str) else v for v in map(safe_cell, row)]

    wb = Workbook()
    ws = wb.active
    ws.title = re.sub(r"[\\/*?:\[\]]", " ", ILLEGAL_CHARACTERS_RE.sub("", title))[:31] or "Ark"
    ws.append(cells(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(cells(row))
    if notes:
        ws.append([])
        for row in notes:
            ws.append(cells(row))
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, date):  # a real date, shown as Norwegians write it
                cell.number_format = "DD.MM.YYYY HH:MM" if isinstance(cell.value, datetime) else "DD.MM.YYYY"
    for column in ws.columns:
        width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
        ws.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
