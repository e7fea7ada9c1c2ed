"""Charts drawn on the server as inline SVG: no JavaScript, no chart library, nothing from a CDN.

Each chart is an accessible image (role="img" with a <title> and a <desc> that sums up the data) and
carries its numbers as rows for a data table beside it. Colours and strokes come from classes styled
in static/css/dashboard.css, so the markup needs no style attributes (CSP: style-src 'self').
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 240
LEFT = 72
RIGHT = 12
TOP = 28
BOTTOM = 30
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
MAX_X_LABELS = 7

Number = int | float | Decimal


def format_count(value: Number) -> str:
    return f"{int(value):,}"


def format_ms(value: Number) -> str:
    return f"{float(value):,.1f} ms"


def format_money(value: Number) -> str:
    amount = Decimal(value)
    if amount == 0 or amount >= 1:
        return f"${amount:,.2f}"
    return f"${amount:,.4f}"


def format_ms_axis(value: Number) -> str:
    """Seconds from 10 s up, so the widest label ("40 s") fits the left margin."""
    value = float(value)
    if value >= 10_000:
        return f"{value / 1000:,.0f} s"
    return f"{value:,.0f} ms"


def format_money_axis(value: Number) -> str:
    """Cents when they say it all ($0.50), more places only when a tick needs them ($0.005)."""
    amount = Decimal(str(value))
    if amount == amount.quantize(Decimal("0.01")):
        return f"${amount:,.2f}"
    return "$" + f"{amount:,.4f}".rstrip("0")


def day_label(day: date) -> str:
    return f"{day:%b} {day.day}"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number | None]
    css_class: str


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    days: Sequence[date]
    series: Sequence[Series]
    formatter: Callable[[Number], str]
    svg: SafeString
    description: str
    table_rows: list[tuple[date, list[str]]] = field(default_factory=list)


def nice_step(raw: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is at least `raw`."""
    if raw <= 0:
        return 1.0
    exponent = math.floor(math.log10(raw))
    base = 10.0**exponent
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * base * (1 + 1e-9):
            return multiple * base
    return 10 * base


def axis_ticks(max_value: float, *, integer: bool) -> list[float]:
    """Gridline values from 0 to a round top at or above max_value, four or five steps."""
    step = nice_step(max_value / 4) if max_value > 0 else 1.0
    if integer:
        step = max(1.0, math.ceil(step))
    top = step * max(1, math.ceil(max_value / step - 1e-9))
    count = round(top / step)
    return [round(step * i, 10) for i in range(count + 1)]


def _x_label_indexes(count: int) -> list[int]:
    if count <= MAX_X_LABELS:
        return list(range(count))
    step = (count - 1) / (MAX_X_LABELS - 1)
    return sorted({round(i * step) for i in range(MAX_X_LABELS)})


def _y(value: float, top: float) -> float:
    return TOP + PLOT_HEIGHT - (value / top) * PLOT_HEIGHT


def _fmt(number: float) -> str:
    """Coordinates with at most two decimals, so the markup stays short and stable."""
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _frame(chart_id: str, title: str, description: str, ticks: list[float], axis_formatter, days) -> list:
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {} {}" role="img" '
            'aria-labelledby="{}-title {}-desc" focusable="false">'
            '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
            WIDTH,
            HEIGHT,
            chart_id,
            chart_id,
            chart_id,
            title,
            chart_id,
            description,
        )
    ]
    top = ticks[-1]
    for tick in ticks:
        y = _fmt(_y(tick, top))
        parts.append(
            format_html(
                '<line class="chart-gridline" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="chart-axis chart-axis-y" x="{}" y="{}">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                y,
                y,
                LEFT - 6,
                _fmt(_y(tick, top) + 4),
                axis_formatter(tick),
            )
        )
    slot = PLOT_WIDTH / max(1, len(days))
    for index in _x_label_indexes(len(days)):
        parts.append(
            format_html(
                '<text class="chart-axis chart-axis-x" x="{}" y="{}">{}</text>',
                _fmt(LEFT + slot * (index + 0.5)),
                HEIGHT - 10,
                day_label(days[index]),
            )
        )
    return parts


def _legend(series: Sequence[Series]) -> list:
    if len(series) < 2:
        return []
    parts = []
    x = LEFT
    for item in series:
        parts.append(
            format_html(
                '<rect class="chart-swatch {}" x="{}" y="8" width="10" height="10"/>'
                '<text class="chart-legend" x="{}" y="17">{}</text>',
                item.css_class,
                x,
                x + 14,
                item.name,
            )
        )
        x += 28 + 8 * len(item.name)
    return parts


def _summary(series: Sequence[Series], days: Sequence[date], formatter, *, totals: bool) -> str:
    if not days:
        return "No days to show."
    sentences = [f"Daily figures from {days[0]:%Y-%m-%d} to {days[-1]:%Y-%m-%d} (UTC)."]
    for item in series:
        present = [(v, d) for v, d in zip(item.values, days, strict=True) if v is not None]
        if not present or not any(v for v, _ in present):
            sentences.append(f"{item.name}: none in this period.")
            continue
        peak, peak_day = max(present, key=lambda pair: pair[0])
        text = f"{item.name}: highest {formatter(peak)} on {peak_day:%Y-%m-%d}"
        if totals:
            text += f", total {formatter(sum(v for v, _ in present))}"
        sentences.append(text + ".")
    return " ".join(sentences)


def _table_rows(series: Sequence[Series], days: Sequence[date], formatter) -> list[tuple[date, list[str]]]:
    return [
        (day, ["–" if s.values[i] is None else formatter(s.values[i]) for s in series])
        for i, day in enumerate(days)
    ]


def _check(days: Sequence[date], series: Sequence[Series]) -> None:
    for item in series:
        if len(item.values) != len(days):
            raise ValueError(f"Series {item.name!r} has {len(item.values)} values for {len(days)} days.")


def _chart(chart_id, title, days, series, formatter, description, parts: list) -> Chart:
    """Close the SVG (legend, end tag) whose pieces are in `parts` and wrap it with its table rows.

    Every piece is format_html output or a constant, so the joined markup is safe as a whole.
    """
    parts = [*parts, *_legend(series), mark_safe("</svg>")]
    return Chart(
        chart_id=chart_id,
        title=title,
        days=days,
        series=series,
        formatter=formatter,
        svg=mark_safe("".join(parts)),
        description=description,
        table_rows=_table_rows(series, days, formatter),
    )


def bar_chart(
    *,
    chart_id: str,
    title: str,
    days: Sequence[date],
    series: Sequence[Series],
    formatter: Callable[[Number], str] = format_count,
    axis_formatter: Callable[[Number], str] | None = None,
    integer: bool = True,
) -> Chart:
    """Bars per day; several series are stacked in the order given (the first at the bottom)."""
    _check(days, series)
    stacks = [sum(float(s.values[i] or 0) for s in series) for i in range(len(days))]
    ticks = axis_ticks(max(stacks, default=0), integer=integer)
    top = ticks[-1]
    description = _summary(series, days, formatter, totals=True)
    parts = _frame(chart_id, title, description, ticks, axis_formatter or formatter, days)
    slot = PLOT_WIDTH / max(1, len(days))
    bar_width = max(1.0, slot * 0.7)
    for index, day in enumerate(days):
        base = 0.0
        x = LEFT + slot * index + (slot - bar_width) / 2
        for item in series:
            value = float(item.values[index] or 0)
            y_top, y_bottom = _y(base + value, top), _y(base, top)
            parts.append(
                format_html(
                    '<rect class="chart-bar {}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{}: {} {}</title></rect>",
                    item.css_class,
                    _fmt(x),
                    _fmt(y_top),
                    _fmt(bar_width),
                    _fmt(y_bottom - y_top),
                    day_label(day),
                    formatter(item.values[index] or 0),
                    item.name.lower(),
                )
            )
            base += value
    return _chart(chart_id, title, days, series, formatter, description, parts)


def line_chart(
    *,
    chart_id: str,
    title: str,
    days: Sequence[date],
    series: Sequence[Series],
    formatter: Callable[[Number], str] = format_ms,
    axis_formatter: Callable[[Number], str] | None = format_ms_axis,
    integer: bool = False,
) -> Chart:
    """A line per series with a dot on each day that has a value; days without one leave a gap."""
    _check(days, series)
    values = [float(v) for s in series for v in s.values if v is not None]
    ticks = axis_ticks(max(values, default=0), integer=integer)
    top = ticks[-1]
    description = _summary(series, days, formatter, totals=False)
    parts = _frame(chart_id, title, description, ticks, axis_formatter or formatter, days)
    slot = PLOT_WIDTH / max(1, len(days))
    for item in series:
        segments: list[list[str]] = [[]]
        dots = []
        for index, value in enumerate(item.values):
            if value is None:
                segments.append([])
                continue
            x, y = _fmt(LEFT + slot * (index + 0.5)), _fmt(_y(float(value), top))
            segments[-1].append(f"{x},{y}")
            dots.append((x, y, day_label(days[index]), formatter(value)))
        for points in segments:
            if len(points) > 1:
                parts.append(
                    format_html(
                        '<polyline class="chart-line {}" points="{}"/>', item.css_class, " ".join(points)
                    )
                )
        parts.append(
            format_html_join(
                "",
                '<circle class="chart-dot {}" cx="{}" cy="{}" r="3"><title>{}: {} {}</title></circle>',
                ((item.css_class, x, y, label, text, item.name) for x, y, label, text in dots),
            )
        )
    return _chart(chart_id, title, days, series, formatter, description, parts)
