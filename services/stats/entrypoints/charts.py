"""Server-rendered SVG bar charts (no script, nothing from another origin): the report pages draw them beside a
table of the same numbers."""

from __future__ import annotations

from html import escape

from kit.formatting import number_nb

COLOURS = ("#0067c5", "#c77700", "#06893a", "#8a4f9e")


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
             f'width="100%" aria-label="{escape(title)}"><title>{escape(title)}</title>']
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
    """A bar's number as the table under it writes it: 12 345, or 12,5 with a decimal comma under 100."""
    return number_nb(v, 0 if float(v).is_integer() or abs(v) >= 100 else 1)
