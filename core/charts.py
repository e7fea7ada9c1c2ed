"""Charts drawn on the server as inline SVG: no JavaScript, no chart library, nothing from a CDN.

Each chart is an accessible image (role="img" with a <title> and a <desc> that sums up the data) and
carries its numbers as rows for a data table beside it. On a phone the chart keeps a readable size and
scrolls sideways in its card; a copy of its value axis (`axis_svg`, hidden from screen readers, which have
the description and the table) stays pinned at the left edge meanwhile, so the labels never scroll away. Colours and strokes come from classes styled
in static/css/dashboard.css, so the markup needs no style attributes (CSP: style-src 'self').

The markup is built with plain string formatting, not format_html: a 90-day chart has hundreds of
elements, and format_html's lazy-string and SafeString machinery per element made the dashboard's four
charts take about three times as long to draw. Every piece of text goes through `_esc` (the html.escape
that Django's escape wraps, so the output is the same); coordinates are numbers formatted here, so they
need no escaping.

Unlike the site's other repeated fragments, the SVG stays here rather than in a Jinja2 template: its
geometry is computed element by element, and handing each bar to a template as an object (90 days × two
series on the errors chart) made that chart take 8 to 30% longer than these strings, measured in one process.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html import escape as _html_escape

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
NO_VALUE = "–"

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


def _esc(text) -> str:
    """Django's escape() without its lazy-string wrapper: the same five characters replaced."""
    return _html_escape(str(text))


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
    axis_svg: SafeString = mark_safe("")

    @property
    def table_body(self) -> SafeString:
        """The data table's rows (<tr>…</tr>), one per day: a day header cell and a cell per series."""
        return mark_safe(
            "\n".join(
                f'<tr><th scope="row">{day.isoformat()}</th>'
                + "".join(f"<td>{_esc(text)}</td>" for text in texts)
                + "</tr>"
                for day, texts in self.table_rows
            )
        )


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


def _x_label_indexes(count: int, most: int = MAX_X_LABELS) -> list[int]:
    if count <= most:
        return list(range(count))
    step = (count - 1) / (most - 1)
    return sorted({round(i * step) for i in range(most)})


def _y(value: float, top: float) -> float:
    return TOP + PLOT_HEIGHT - (value / top) * PLOT_HEIGHT


def _fmt(number: float) -> str:
    """Coordinates with at most two decimals, so the markup stays short and stable."""
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _frame(
    chart_id: str, title: str, description: str, ticks: list[float], axis_formatter, days, width: int = WIDTH
) -> list:
    chart_id = _esc(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">'
        f'<title id="{chart_id}-title">{_esc(title)}</title><desc id="{chart_id}-desc">{_esc(description)}</desc>'
    ]
    top = ticks[-1]
    for tick in ticks:
        y = _fmt(_y(tick, top))
        parts.append(
            f'<line class="chart-gridline" x1="{LEFT}" x2="{width - RIGHT}" y1="{y}" y2="{y}"/>'
            f'<text class="chart-axis chart-axis-y" x="{LEFT - 6}" y="{_fmt(_y(tick, top) + 4)}">'
            f"{_esc(axis_formatter(tick))}</text>"
        )
    slot = (width - LEFT - RIGHT) / max(1, len(days))
    # A narrower chart names fewer days under its axis, so that its labels keep their size apart.
    indexes = _x_label_indexes(len(days), max(2, round(MAX_X_LABELS * width / WIDTH)))
    for index in indexes:
        # The first and last labels align with the plot's edges, so a narrow day never pushes them out.
        x, anchor = LEFT + slot * (index + 0.5), ""
        if len(indexes) > 1 and index == indexes[0]:
            x, anchor = LEFT, " chart-axis-start"
        elif len(indexes) > 1 and index == indexes[-1]:
            x, anchor = width - RIGHT, " chart-axis-end"
        parts.append(
            f'<text class="chart-axis chart-axis-x{anchor}" x="{_fmt(x)}" y="{HEIGHT - 10}">'
            f"{_esc(day_label(days[index]))}</text>"
        )
    return parts


def _axis_pane(ticks: list[float], axis_formatter) -> SafeString:
    """The value axis alone, the chart's left margin: drawn over the scrolling chart at the left edge."""
    top = ticks[-1]
    labels = "".join(
        f'<text class="chart-axis chart-axis-y" x="{LEFT - 6}" y="{_fmt(_y(tick, top) + 4)}">'
        f"{_esc(axis_formatter(tick))}</text>"
        for tick in ticks
    )
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-axis-pane" viewBox="0 0 {LEFT} {HEIGHT}" '
        f'aria-hidden="true" focusable="false">{labels}</svg>'
    )


def _legend(series: Sequence[Series]) -> list[str]:
    if len(series) < 2:
        return []
    parts = []
    x = LEFT
    for item in series:
        parts.append(
            f'<rect class="chart-swatch {_esc(item.css_class)}" x="{x}" y="8" width="10" height="10"/>'
            f'<text class="chart-legend" x="{x + 14}" y="17">{_esc(item.name)}</text>'
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


def _formatted(series: Sequence[Series], formatter) -> list[list[str | None]]:
    """Each series' values as text, None where a day has no value; each value formatted once."""
    return [[None if v is None else formatter(v) for v in item.values] for item in series]


def _table_rows(days: Sequence[date], texts: list[list[str | None]]) -> list[tuple[date, list[str]]]:
    return [
        (day, [NO_VALUE if column[i] is None else column[i] for column in texts])
        for i, day in enumerate(days)
    ]


def _check(days: Sequence[date], series: Sequence[Series]) -> None:
    for item in series:
        if len(item.values) != len(days):
            raise ValueError(f"Series {item.name!r} has {len(item.values)} values for {len(days)} days.")


def _chart(chart_id, title, days, series, formatter, description, parts: list, texts, axis) -> Chart:
    """Close the SVG (legend, end tag) whose pieces are in `parts` and wrap it with its table rows.

    Every piece escapes its text with _esc, so the joined markup is safe as a whole.
    """
    parts += _legend(series)
    parts.append("</svg>")
    return Chart(
        chart_id=chart_id,
        title=title,
        days=days,
        series=series,
        formatter=formatter,
        svg=mark_safe("".join(parts)),
        description=description,
        table_rows=_table_rows(days, texts),
        axis_svg=axis,
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
    width: int = WIDTH,
) -> Chart:
    """Bars per day; several series are stacked in the order given (the first at the bottom). `width` is
    that of the drawing (its viewBox); the height and margins stay."""
    _check(days, series)
    stacks = [sum(float(s.values[i] or 0) for s in series) for i in range(len(days))]
    ticks = axis_ticks(max(stacks, default=0), integer=integer)
    top = ticks[-1]
    description = _summary(series, days, formatter, totals=True)
    parts = _frame(chart_id, title, description, ticks, axis_formatter or formatter, days, width)
    texts = _formatted(series, formatter)
    slot = (width - LEFT - RIGHT) / max(1, len(days))
    bar_width = max(1.0, slot * 0.7)
    bar = _fmt(bar_width)
    zero = formatter(0)
    # Per series, the pieces that are the same on every bar: its class and its name in the tooltip.
    styles = [(_esc(item.css_class), _esc(item.name.lower())) for item in series]
    for index, day in enumerate(days):
        base = 0.0
        x = _fmt(LEFT + slot * index + (slot - bar_width) / 2)
        label = _esc(day_label(day))
        for item, column, (css_class, name) in zip(series, texts, styles, strict=True):
            value = float(item.values[index] or 0)
            y_top, y_bottom = _y(base + value, top), _y(base, top)
            text = column[index]
            parts.append(
                f'<rect class="chart-bar {css_class}" x="{x}" y="{_fmt(y_top)}" width="{bar}" '
                f'height="{_fmt(y_bottom - y_top)}"><title>{label}: {_esc(zero if text is None else text)} '
                f"{name}</title></rect>"
            )
            base += value
    axis = _axis_pane(ticks, axis_formatter or formatter)
    return _chart(chart_id, title, days, series, formatter, description, parts, texts, axis)


def line_chart(
    *,
    chart_id: str,
    title: str,
    days: Sequence[date],
    series: Sequence[Series],
    formatter: Callable[[Number], str] = format_ms,
    axis_formatter: Callable[[Number], str] | None = format_ms_axis,
    integer: bool = False,
    width: int = WIDTH,
) -> Chart:
    """A line per series with a dot on each day that has a value; days without one leave a gap."""
    _check(days, series)
    values = [float(v) for s in series for v in s.values if v is not None]
    ticks = axis_ticks(max(values, default=0), integer=integer)
    top = ticks[-1]
    description = _summary(series, days, formatter, totals=False)
    parts = _frame(chart_id, title, description, ticks, axis_formatter or formatter, days, width)
    texts = _formatted(series, formatter)
    slot = (width - LEFT - RIGHT) / max(1, len(days))
    for item, column in zip(series, texts, strict=True):
        css_class, name = _esc(item.css_class), _esc(item.name)
        segments: list[list[str]] = [[]]
        dots = []
        for index, value in enumerate(item.values):
            if value is None:
                segments.append([])
                continue
            x, y = _fmt(LEFT + slot * (index + 0.5)), _fmt(_y(float(value), top))
            segments[-1].append(f"{x},{y}")
            dots.append(
                f'<circle class="chart-dot {css_class}" cx="{x}" cy="{y}" r="3">'
                f"<title>{_esc(day_label(days[index]))}: {_esc(column[index])} {name}</title></circle>"
            )
        for points in segments:
            if len(points) > 1:
                parts.append(f'<polyline class="chart-line {css_class}" points="{" ".join(points)}"/>')
        parts.append("".join(dots))
    axis = _axis_pane(ticks, axis_formatter or formatter)
    return _chart(chart_id, title, days, series, formatter, description, parts, texts, axis)
