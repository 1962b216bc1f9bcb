"""The KPI trend chart: server-drawn SVG, readable without JavaScript, with a table beside it on the page.

Values are a thick dark line with a marker and label at each period, drawn and labelled as they are
published (rounded to the KPI's decimal places, as the rules judge them); the target is a step line
(targets change by year and comparator targets by period); the tolerance band is shaded between
its edge and the target; comparators are lines told apart by dash pattern and marker shape as
well as colour, so the chart does not rely on colour alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from markupsafe import Markup

from tracker.kpis.models import Kpi, KpiUnit
from tracker.kpis.numbers import format_number, format_stated, format_value
from tracker.kpis.queries import PeriodPoint
from tracker.kpis.rules import resolve_target

WIDTH, HEIGHT = 720, 400
LEFT, RIGHT, TOP = 78, 24, 28
PLOT_BOTTOM = 290  # x-axis line; labels and legend sit below

VALUE_COLOUR = "#0b0c0c"
TARGET_COLOUR = "#00703c"
BAND_FILL = "#f47738"
SERIES = {
    # name: (legend text, colour, dash pattern, marker)
    "national": ("National", "#1d70b8", "8 5", "square"),
    "statistical_neighbours": ("Statistical neighbours", "#912b88", "2 4", "diamond"),
    "regional": ("Regional", "#505a5f", "10 4 2 4", "triangle"),
}
AXIS_TITLES = {
    KpiUnit.PERCENT: "Per cent",
    KpiUnit.NUMBER: "Number",
    KpiUnit.DAYS: "Days",
    KpiUnit.RATE: "Rate",
    KpiUnit.SCORE: "Score",
}
_TEXT = 'fill="#0b0c0c"'


@dataclass
class TrendPoint:
    label: str
    value: Decimal
    target: Decimal | None = None
    band_low: Decimal | None = None
    band_high: Decimal | None = None
    national: Decimal | None = None
    statistical_neighbours: Decimal | None = None
    regional: Decimal | None = None


def trend_points(points: list[PeriodPoint]) -> list[TrendPoint]:
    """Turn the KPI page's periods into chart points: values as shown; the band runs from its edge to the target."""
    chart = []
    for point in points:
        value, target = point.value, point.target
        resolved = low = high = None
        if target is not None:
            resolved = resolve_target(
                target.target_value, target.target_comparator, value.national, value.statistical_neighbours
            )
            if target.tolerance_low is not None or target.tolerance_high is not None:
                low = target.tolerance_low if target.tolerance_low is not None else resolved
                high = target.tolerance_high if target.tolerance_high is not None else resolved
        chart.append(
            TrendPoint(
                value.period_label,
                value.value if point.assessment.value_shown is None else point.assessment.value_shown,
                resolved,
                low,
                high,
                value.national,
                value.statistical_neighbours,
                value.regional,
            )
        )
    return chart


def kpi_chart(kpi: Kpi, points: list[PeriodPoint]) -> Markup:
    """Return the KPI page's trend chart of its periods, named and described for screen readers."""
    title = f"{kpi.label}: {kpi.title}, by period"
    description = chart_description(kpi, points)
    return kpi_trend_chart(trend_points(points), kpi.unit, title, description, f"kpi-chart-{kpi.id}", kpi.places)


def chart_description(kpi: Kpi, points: list[PeriodPoint]) -> str:
    """Return what a screen reader hears of the chart: how many periods, the latest value and its status."""
    if not points:
        return "No values yet."
    first, last = points[0], points[-1]
    text = (
        f"{len(points)} period{'s' if len(points) != 1 else ''} from {first.value.period_label} to "
        f"{last.value.period_label}. Latest value {format_value(last.value.value, kpi.unit, kpi.places)}"
    )
    if last.assessment.target is not None:
        text += f" against a target of {format_stated(last.assessment.target, kpi.unit, kpi.places)}"
    if last.assessment.status is not None:
        text += f": {last.assessment.status.label}"
    return text + ". The table after the chart gives every figure."


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _axis_range(numbers: list[float]) -> tuple[float, float, float]:
    low, high = min(numbers), max(numbers)
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = _nice_step(high - low)
    bottom, top = math.floor(low / step) * step, math.ceil(high / step) * step
    if bottom < 0 <= low:  # never invent negative values on the axis of a measure that has none
        bottom = 0.0
    if top == high:
        top += step
    if bottom == low and bottom != 0:
        bottom -= step
    return bottom, top, step


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "diamond":
        return (
            f'<path d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y:.1f}L{x:.1f} {y + 5:.1f}L{x - 5:.1f} {y:.1f}Z" '
            f'fill="{colour}"/>'
        )
    if shape == "triangle":
        return f'<path d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y + 4:.1f}L{x - 5:.1f} {y + 4:.1f}Z" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}" stroke="#ffffff" stroke-width="1.5"/>'


def _runs(indexes: list[int]) -> list[list[int]]:
    """Split sorted indexes into runs of neighbours: a gap in the data is a gap in the line."""
    runs: list[list[int]] = []
    for index in indexes:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


@dataclass(frozen=True)
class _Plot:
    """Where numbers and periods land on the drawing."""

    bottom: float
    top: float
    step: float
    slot: float

    def x_at(self, index: int) -> float:
        """Return the middle of a period's slot."""
        return LEFT + self.slot * (index + 0.5)

    def y_at(self, number: Decimal | float) -> float:
        """Return the height of a number on the plot."""
        return PLOT_BOTTOM - (float(number) - self.bottom) / (self.top - self.bottom) * (PLOT_BOTTOM - TOP)


def kpi_trend_chart(
    points: list[TrendPoint], unit: KpiUnit, title: str, description: str, chart_id: str, places: int | None = None
) -> Markup:
    """Return the SVG trend chart; title and description are what a screen reader announces.

    ``places``: the KPI's published decimal places, which the value labels show (None: as stored).
    """
    numbers = [
        float(n)
        for p in points
        for n in (p.value, p.target, p.band_low, p.band_high, p.national, p.statistical_neighbours, p.regional)
        if n is not None
    ]
    if not points or not numbers:
        return Markup("")
    bottom, top, step = _axis_range(numbers)
    plot_width = WIDTH - LEFT - RIGHT
    plot = _Plot(bottom, top, step, plot_width / len(points))
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg class="app-chart app-kpi-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" focusable="false" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="arial, sans-serif">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_width}" height="{PLOT_BOTTOM - TOP}" fill="#ffffff"/>',
        *_gridlines(plot, unit),
    ]
    banded = [i for i, p in enumerate(points) if p.band_low is not None and p.band_high is not None]
    targeted = [i for i, p in enumerate(points) if p.target is not None]
    parts += _band(points, banded, plot)
    parts += _target_line(points, targeted, plot)
    parts += _comparators(points, plot)
    parts += _values(points, unit, plot, places)
    parts += _axes(points, unit, plot)
    legend, height = _legend(points, bool(targeted), bool(banded))
    parts += [*legend, "</svg>"]
    # The height follows the legend, so a chart with one legend row has no empty band at the bottom.
    parts[0] = parts[0].replace(f"0 0 {WIDTH} {HEIGHT}", f"0 0 {WIDTH} {height}")
    return Markup("".join(parts))


def _gridlines(plot: _Plot, unit: KpiUnit) -> list[str]:
    """Draw the horizontal gridlines with their y-axis labels."""
    parts = []
    tick = plot.bottom
    while tick <= plot.top + plot.step / 1000:
        y = plot.y_at(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#d8dadc" stroke-width="1"/>'
        )
        label = format_number(Decimal(repr(round(tick, 6))), unit)
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="13" {_TEXT} '
            f'class="app-chart__axis">{escape(label)}</text>'
        )
        tick += plot.step
    return parts


def _band(points: list[TrendPoint], banded: list[int], plot: _Plot) -> list[str]:
    """Shade the tolerance band per period, so a band that changes by year is drawn as it was."""
    parts = []
    half = plot.slot / 2
    for run in _runs(banded):
        top_edge = " ".join(
            f"L{plot.x_at(i) - half:.1f} {plot.y_at(_known(points[i].band_high)):.1f} "
            f"L{plot.x_at(i) + half:.1f} {plot.y_at(_known(points[i].band_high)):.1f}"
            for i in run
        )
        bottom_edge = " ".join(
            f"L{plot.x_at(i) + half:.1f} {plot.y_at(_known(points[i].band_low)):.1f} "
            f"L{plot.x_at(i) - half:.1f} {plot.y_at(_known(points[i].band_low)):.1f}"
            for i in reversed(run)
        )
        path = "M" + (top_edge + " " + bottom_edge)[1:] + " Z"
        parts.append(
            f'<path class="app-kpi-chart__band" d="{path}" fill="{BAND_FILL}" fill-opacity="0.22" '
            f'stroke="{BAND_FILL}" stroke-opacity="0.6" stroke-width="1"/>'
        )
    return parts


def _target_line(points: list[TrendPoint], targeted: list[int], plot: _Plot) -> list[str]:
    """Draw the target as a step line: it changes by year, and a comparator target by period."""
    parts = []
    for run in _runs(targeted):
        segments: list[str] = []
        for i in run:
            y = plot.y_at(_known(points[i].target))
            segments.append(
                f"{'M' if not segments else 'L'}{plot.x_at(i) - plot.slot / 2:.1f} {y:.1f} "
                f"L{plot.x_at(i) + plot.slot / 2:.1f} {y:.1f}"
            )
        parts.append(
            f'<path class="app-kpi-chart__target" d="{" ".join(segments)}" fill="none" '
            f'stroke="{TARGET_COLOUR}" stroke-width="3"/>'
        )
    return parts


def _comparators(points: list[TrendPoint], plot: _Plot) -> list[str]:
    """Draw each comparator as a dashed line with its own marker shape."""
    parts = []
    for name, (_text, colour, dash, shape) in SERIES.items():
        present = [i for i, p in enumerate(points) if getattr(p, name) is not None]
        for run in _runs(present):
            if len(run) > 1:
                coordinates = " ".join(f"{plot.x_at(i):.1f},{plot.y_at(getattr(points[i], name)):.1f}" for i in run)
                parts.append(
                    f'<polyline class="app-kpi-chart__{name}" points="{coordinates}" fill="none" '
                    f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>'
                )
        parts.extend(_marker(shape, plot.x_at(i), plot.y_at(getattr(points[i], name)), colour) for i in present)
    return parts


def _values(points: list[TrendPoint], unit: KpiUnit, plot: _Plot, places: int | None) -> list[str]:
    """Draw the values on top of everything else, each labelled as it is published."""
    parts = []
    if len(points) > 1:
        coordinates = " ".join(f"{plot.x_at(i):.1f},{plot.y_at(p.value):.1f}" for i, p in enumerate(points))
        parts.append(
            f'<polyline class="app-kpi-chart__values" points="{coordinates}" fill="none" '
            f'stroke="{VALUE_COLOUR}" stroke-width="3"/>'
        )
    for i, point in enumerate(points):
        x, y = plot.x_at(i), plot.y_at(point.value)
        parts.append(_marker("circle", x, y, VALUE_COLOUR))
        # Label a dip below its point and everything else above, so the label never sits on the line.
        neighbours = [points[j].value for j in (i - 1, i + 1) if 0 <= j < len(points)]
        dip = bool(neighbours) and all(point.value < other for other in neighbours)
        label_y = y + 24 if dip or y - 11 <= TOP + 10 else y - 11
        parts.append(
            f'<text x="{x:.1f}" y="{label_y:.1f}" text-anchor="middle" font-size="14" font-weight="700" {_TEXT} '
            f'stroke="#ffffff" stroke-width="4" paint-order="stroke" class="app-chart__value">'
            f"{escape(_label(point.value, unit, places))}</text>"
        )
    return parts


def _axes(points: list[TrendPoint], unit: KpiUnit, plot: _Plot) -> list[str]:
    """Draw the axes, the period labels (thinned so they never overlap) and the axis titles."""
    axis = 'stroke="#0b0c0c" stroke-width="1.5"'
    parts = [
        f'<line x1="{LEFT}" y1="{PLOT_BOTTOM}" x2="{WIDTH - RIGHT}" y2="{PLOT_BOTTOM}" {axis}/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{PLOT_BOTTOM}" {axis}/>',
    ]
    every = max(1, math.ceil(86 / plot.slot))
    for i, point in enumerate(points):
        if i % every == 0 or (i == len(points) - 1 and every == 1):
            parts.append(
                f'<text x="{plot.x_at(i):.1f}" y="{PLOT_BOTTOM + 20}" text-anchor="middle" font-size="13" '
                f'{_TEXT} class="app-chart__axis">{escape(point.label)}</text>'
            )
    plot_width = WIDTH - LEFT - RIGHT
    parts.append(
        f'<text x="{LEFT + plot_width / 2:.1f}" y="{PLOT_BOTTOM + 42}" text-anchor="middle" font-size="14" '
        f'{_TEXT} class="app-chart__label">Period</text>'
    )
    mid_y = (TOP + PLOT_BOTTOM) / 2
    parts.append(
        f'<text x="16" y="{mid_y:.1f}" text-anchor="middle" font-size="14" {_TEXT} '
        f'transform="rotate(-90 16 {mid_y:.1f})" class="app-chart__label">{AXIS_TITLES[unit]}</text>'
    )
    return parts


def _legend(points: list[TrendPoint], targeted: bool, banded: bool) -> tuple[list[str], float]:
    """Draw a legend of only what is drawn; return it with the height the chart needs to hold it."""
    legend = [("Value", _sample_line(VALUE_COLOUR, 3) + _marker("circle", 13, 0, VALUE_COLOUR))]
    if targeted:
        legend.append(("Target", _sample_line(TARGET_COLOUR, 3)))
    if banded:
        legend.append(
            (
                "Tolerance band",
                f'<rect x="0" y="-7" width="26" height="14" fill="{BAND_FILL}" '
                f'fill-opacity="0.22" stroke="{BAND_FILL}" stroke-opacity="0.6"/>',
            )
        )
    for name, (text, colour, dash, shape) in SERIES.items():
        if any(getattr(p, name) is not None for p in points):
            sample = _sample_line(colour, 2, f' stroke-dasharray="{dash}"') + _marker(shape, 13, 0, colour)
            legend.append((text, sample))
    parts = []
    x: float = LEFT
    y = PLOT_BOTTOM + 72
    for text, sample in legend:
        width = 34 + len(text) * 6.9  # Arial at 14px averages about 7 units a character
        if x + width > WIDTH - RIGHT:
            x, y = LEFT, y + 26
        parts.append(
            f'<g transform="translate({x:.1f} {y})">{sample}<text x="34" y="5" font-size="14" {_TEXT} '
            f'class="app-chart__legend">{escape(text)}</text></g>'
        )
        x += width + 22
    return parts, y + 16


def _sample_line(colour: str, width: int, dash: str = "") -> str:
    return f'<line x1="0" y1="0" x2="26" y2="0" stroke="{colour}" stroke-width="{width}"{dash}/>'


def _label(number: Decimal, unit: KpiUnit, places: int | None) -> str:
    return format_number(number, unit) if places is None else format_value(number, unit, places)


def _known(number: Decimal | None) -> Decimal:
    # Callers pick only the points where the number is present.
    if number is None:
        raise ValueError("a point without this number was drawn")
    return number
