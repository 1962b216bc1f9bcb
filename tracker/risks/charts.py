"""The register's heat map: a 5 × 5 grid of likelihood against impact, drawn as server SVG.

The page always shows the same counts as a table beside it (templates/risks/_heat_map_table.html).
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from tracker.core.templating import plural
from tracker.risks.models import SCALE, RiskLevel


def heat_map(counts: dict[tuple[int, int], int], title: str) -> Markup:
    """Return the grid: likelihood up the side (5 at the top), impact along the bottom, a count in each cell."""
    cell, left, top = 64, 96, 8
    size = cell * len(SCALE)
    width, height = left + size + 8, top + size + 56
    parts = [
        f'<svg class="app-chart app-heat-map" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" focusable="false" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for row, likelihood in enumerate(reversed(SCALE)):
        y = top + row * cell
        parts.append(
            f'<text x="{left - 8}" y="{y + cell / 2 + 5}" text-anchor="end" class="app-chart__label">'
            f"{likelihood}</text>"
        )
        for column, impact in enumerate(SCALE):
            x = left + column * cell
            level = RiskLevel.for_rating(likelihood * impact)
            count = counts.get((likelihood, impact), 0)
            words = (
                f"Likelihood {likelihood}, impact {impact}, rated {likelihood * impact} ({level.label}): "
                f"{plural(count, 'risk')}"
            )
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{level.chart_fill}" stroke="#ffffff" '
                f'stroke-width="2"><title>{escape(words)}</title></rect>'
            )
            if count:
                parts.append(
                    f'<text x="{x + cell / 2}" y="{y + cell / 2 + 7}" text-anchor="middle" fill="{level.chart_text}" '
                    f'class="app-chart__value" font-weight="bold" font-size="20">{count}</text>'
                )
    for column, impact in enumerate(SCALE):
        parts.append(
            f'<text x="{left + column * cell + cell / 2}" y="{top + size + 20}" text-anchor="middle" '
            f'class="app-chart__label">{impact}</text>'
        )
    parts.append(
        f'<text x="{left + size / 2}" y="{top + size + 46}" text-anchor="middle" class="app-chart__label">Impact</text>'
    )
    parts.append(
        f'<text x="16" y="{top + size / 2}" text-anchor="middle" class="app-chart__label" '
        f'transform="rotate(-90 16 {top + size / 2})">Likelihood</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))
