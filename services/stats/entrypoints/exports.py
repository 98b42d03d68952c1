"""Tables as CSV (semicolon-separated, UTF-8 with BOM: what Norwegian Excel opens correctly), XLSX
(openpyxl) and server-rendered SVG bar charts (no script, nothing from another origin)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from html import escape

from openpyxl import Workbook
from openpyxl.styles import Font

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
COLOURS = ("#0067c5", "#c77700", "#06893a", "#8a4f9e")


def _cell(value):
    """Numbers as numbers; text that a spreadsheet would run as a formula (=, +, -, @) kept as text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_csv(header: list[str], rows: list[tuple], notes: list[tuple] = ()) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    if notes:
        writer.writerow([])
        writer.writerows([_cell(v) for v in row] for row in notes)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(title: str, header: list[str], rows: list[tuple], notes: list[tuple] = ()) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_cell(v) for v in row])
    if notes:
        ws.append([])
        for row in notes:
            ws.append([_cell(v) for v in row])
    for column in ws.columns:
        width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
        ws.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def bar_chart(title: str, labels: list[str], series: list[tuple[str, list[float]]]) -> str:
    """Horizontal grouped bars as inline SVG; the table beside it carries the same numbers."""
    if not labels or not series:
        return ""
    bar, gap, label_w, width = 14, 8, 210, 720
    group = bar * len(series) + gap
    height = 30 + group * len(labels) + 20
    top = max((v for _, values in series for v in values), default=0) or 1
    scale = (width - label_w - 70) / top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
             f'width="100%" style="max-width:{width}px" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    x = label_w
    for i, (name, _) in enumerate(series):
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{COLOURS[i % len(COLOURS)]}"/>'
                     f'<text x="{x + 16}" y="16" font-size="12">{escape(name)}</text>')
        x += 30 + 8 * len(name)
    for r, label in enumerate(labels):
        y0 = 30 + r * group
        parts.append(f'<text x="{label_w - 6}" y="{y0 + group / 2 + 2}" font-size="12" '
                     f'text-anchor="end">{escape(str(label))[:34]}</text>')
        for s, (_, values) in enumerate(series):
            v = values[r] or 0
            y = y0 + s * bar
            w = max(v * scale, 0)
            parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar - 2}" '
                         f'fill="{COLOURS[s % len(COLOURS)]}"/>'
                         f'<text x="{label_w + w + 4:.1f}" y="{y + bar - 4}" font-size="11">{_fmt(v)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _fmt(v: float) -> str:
    return f"{v:,.0f}".replace(",", "\u00a0") if float(v).is_integer() or abs(v) >= 100 else f"{v:.1f}"
