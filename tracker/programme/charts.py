"""Server-drawn SVG charts. Each chart has a text title and the page shows a table beside it."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from tracker.programme.status import Status


@dataclass
class BarRow:
    label: str
    counts: dict[Status, int]
    extra: dict[str, int] | None = None  # e.g. {"Reported separately": 12}


def stacked_status_bars(rows: list[BarRow], title: str, width: int = 720) -> Markup:
    """Return a horizontal stacked bar per row, with counts written on the segments."""
    label_width, bar_height, gap, top = 150, 28, 14, 8
    bar_width = width - label_width - 10
    height = top + len(rows) * (bar_height + gap) + 30
    largest = max((sum(r.counts.values()) + sum((r.extra or {}).values()) for r in rows), default=0) or 1
    parts = [
        f'<svg class="app-chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" focusable="false" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, row in enumerate(rows):
        y = top + index * (bar_height + gap)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height / 2 + 5}" text-anchor="end" class="app-chart__label">'
            f"{escape(row.label)}</text>"
        )
        x = float(label_width)
        segments = [(s.label, n, s.chart_fill, s.chart_text) for s, n in row.counts.items()]
        segments += [(name, n, "#ffffff", "#0b0c0c") for name, n in (row.extra or {}).items()]
        for name, count, fill, text_colour in segments:
            if not count:
                continue
            segment = bar_width * count / largest
            stroke = ' stroke="#505a5f" stroke-dasharray="4 2"' if fill == "#ffffff" else ' stroke="#ffffff"'
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{segment:.1f}" height="{bar_height}" fill="{fill}"{stroke}>'
                f"<title>{escape(name)}: {count}</title></rect>"
            )
            if segment >= 22:
                parts.append(
                    f'<text x="{x + segment / 2:.1f}" y="{y + bar_height / 2 + 5}" text-anchor="middle" '
                    f'fill="{text_colour}" class="app-chart__value">{count}</text>'
                )
            x += segment
    legend_y = height - 10
    x = 10.0
    for status in Status:
        parts.append(f'<rect x="{x:.0f}" y="{legend_y - 11}" width="12" height="12" fill="{status.chart_fill}"/>')
        parts.append(f'<text x="{x + 16:.0f}" y="{legend_y}" class="app-chart__legend">{status.label}</text>')
        x += 80
    if any(row.extra for row in rows):
        parts.append(
            f'<rect x="{x:.0f}" y="{legend_y - 11}" width="12" height="12" fill="#ffffff" '
            'stroke="#505a5f" stroke-dasharray="4 2"/>'
        )
        parts.append(f'<text x="{x + 16:.0f}" y="{legend_y}" class="app-chart__legend">Reported separately</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
