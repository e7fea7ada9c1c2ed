"""The server-drawn SVG charts: accessible markup and geometry that matches the data."""

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from core import charts

SVG = "{http://www.w3.org/2000/svg}"
DAYS = [dt.date(2025, 3, 1) + dt.timedelta(days=i) for i in range(3)]


def parse(chart: charts.Chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))


def calls_chart(values):
    return charts.bar_chart(
        chart_id="chart-calls",
        title="Calls per day",
        days=DAYS,
        series=[charts.Series("Calls", values, "series-calls")],
    )


def test_it_is_an_accessible_image_with_title_and_description():
    root = parse(calls_chart([0, 5, 10]))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-calls-title chart-calls-desc"
    assert root.find(f"{SVG}title").text == "Calls per day"
    assert root.find(f"{SVG}title").get("id") == "chart-calls-title"
    desc = root.find(f"{SVG}desc").text
    assert "2025-03-01 to 2025-03-03" in desc
    assert "highest 10 on 2025-03-03" in desc
    assert "total 15" in desc


def test_it_draws_one_bar_per_day_with_heights_proportional_to_the_values():
    root = parse(calls_chart([0, 5, 10]))
    bars = root.findall(f"{SVG}rect[@class='chart-bar series-calls']")
    assert len(bars) == 3
    heights = [float(bar.get("height")) for bar in bars]
    assert heights == [0, charts.PLOT_HEIGHT / 2, charts.PLOT_HEIGHT]
    bottoms = {round(float(bar.get("y")) + float(bar.get("height")), 2) for bar in bars}
    assert bottoms == {charts.TOP + charts.PLOT_HEIGHT}
    assert [bar.find(f"{SVG}title").text for bar in bars] == [
        "Mar 1: 0 calls",
        "Mar 2: 5 calls",
        "Mar 3: 10 calls",
    ]


def test_it_puts_bars_left_to_right_in_day_order():
    xs = [
        float(bar.get("x"))
        for bar in parse(calls_chart([1, 1, 1])).findall(f"{SVG}rect[@class='chart-bar series-calls']")
    ]
    assert xs == sorted(xs)
    assert xs[0] >= charts.LEFT
    assert xs[-1] < charts.WIDTH - charts.RIGHT


def test_it_labels_the_value_axis_with_round_numbers_up_to_the_top():
    root = parse(calls_chart([0, 5, 7]))
    labels = [t.text for t in root.findall(f"{SVG}text[@class='chart-axis chart-axis-y']")]
    assert labels == ["0", "2", "4", "6", "8"]


def test_it_stacks_several_series_in_one_bar():
    chart = charts.bar_chart(
        chart_id="chart-errors",
        title="Errors per day",
        days=DAYS,
        series=[
            charts.Series("4xx refused", [2, 0, 1], "series-client-errors"),
            charts.Series("5xx failed", [2, 4, 0], "series-server-errors"),
        ],
    )
    root = parse(chart)
    client = root.findall(f"{SVG}rect[@class='chart-bar series-client-errors']")
    server = root.findall(f"{SVG}rect[@class='chart-bar series-server-errors']")
    # Day one: 2 + 2 = 4, the highest stack, so the two halves fill the plot; the 5xx part sits on top.
    assert float(client[0].get("height")) == pytest.approx(charts.PLOT_HEIGHT / 2, abs=0.01)
    assert float(server[0].get("height")) == pytest.approx(charts.PLOT_HEIGHT / 2, abs=0.01)
    assert float(server[0].get("y")) + float(server[0].get("height")) == pytest.approx(
        float(client[0].get("y")), abs=0.01
    )
    legend = [t.text for t in root.findall(f"{SVG}text[@class='chart-legend']")]
    assert legend == ["4xx refused", "5xx failed"]
    assert chart.table_rows[1] == (DAYS[1], ["0", "4"])


def test_it_draws_lines_with_gaps_for_days_without_a_value():
    chart = charts.line_chart(
        chart_id="chart-latency",
        title="Latency",
        days=[dt.date(2025, 3, d) for d in range(1, 6)],
        series=[charts.Series("p95", [100.0, 200.0, None, 50.0, 50.0], "series-p95")],
    )
    root = parse(chart)
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2
    assert [len(line.get("points").split()) for line in lines] == [2, 2]
    dots = root.findall(f"{SVG}circle")
    assert len(dots) == 4
    assert dots[1].find(f"{SVG}title").text == "Mar 2: 200.0 ms p95"
    assert float(dots[1].get("cy")) == pytest.approx(charts.TOP, abs=0.01)
    assert chart.table_rows[2] == (dt.date(2025, 3, 3), ["–"])


def test_it_formats_revenue_as_money():
    chart = charts.bar_chart(
        chart_id="chart-revenue",
        title="Revenue per day",
        days=DAYS,
        series=[
            charts.Series("Revenue", [Decimal("0.0125"), Decimal("0"), Decimal("12.5")], "series-revenue")
        ],
        formatter=charts.format_money,
        integer=False,
    )
    assert [row[1] for row in chart.table_rows] == [["$0.0125"], ["$0.00"], ["$12.50"]]
    assert "total $12.51" in chart.description


def test_it_says_so_when_a_period_has_no_data():
    chart = calls_chart([0, 0, 0])
    assert "Calls: none in this period." in chart.description
    assert len(parse(chart).findall(f"{SVG}rect[@class='chart-bar series-calls']")) == 3


def test_it_escapes_text_in_the_markup():
    chart = charts.bar_chart(
        chart_id="c", title="<script>", days=DAYS, series=[charts.Series("A&B", [1, 2, 3], "s")]
    )
    assert "<script>" not in str(chart.svg)
    assert "&lt;script&gt;" in str(chart.svg)
    parse(chart)


def test_it_refuses_a_series_that_does_not_match_the_days():
    with pytest.raises(ValueError):
        calls_chart([1, 2])


@pytest.mark.parametrize(
    ("maximum", "integer", "ticks"),
    [
        (0, True, [0, 1]),
        (10, True, [0, 5, 10]),
        (101, True, [0, 50, 100, 150]),
        (0.03, False, [0, 0.01, 0.02, 0.03]),
    ],
)
def test_it_chooses_round_axis_ticks(maximum, integer, ticks):
    assert charts.axis_ticks(maximum, integer=integer) == pytest.approx(ticks)


def test_it_labels_axes_compactly():
    chart = charts.line_chart(
        chart_id="l", title="Latency", days=DAYS, series=[charts.Series("p50", [120.0, 480.0, None], "s")]
    )
    labels = [t.text for t in parse(chart).findall(f"{SVG}text[@class='chart-axis chart-axis-y']")]
    assert labels == ["0 ms", "200 ms", "400 ms", "600 ms"]
    assert [charts.format_money_axis(v) for v in (0, 0.02, 1.5, 0.005)] == [
        "$0.00",
        "$0.02",
        "$1.50",
        "$0.005",
    ]


# The data table's rows as the chart partial's template loop wrote them before they were built in Python.
TEMPLATE_ROWS = (
    "{% for day, values in chart.table_rows %}"
    '<tr><th scope="row">{{ day|date:"Y-m-d" }}</th>{% for value in values %}<td>{{ value }}</td>{% endfor %}</tr>'
    "{% endfor %}"
)


def test_its_table_body_is_the_markup_the_template_loop_wrote():
    from django.template import Context, Template

    chart = charts.line_chart(
        chart_id="l",
        title="Latency",
        days=DAYS,
        series=[
            charts.Series("p50", [1234.5, None, 0.0], "a"),
            charts.Series("<p95> & co", [2000.0, None, 3.25], "b"),
        ],
    )
    body = str(chart.table_body)
    assert body.replace("\n", "") == Template(TEMPLATE_ROWS).render(Context({"chart": chart}))
    assert body.count("<tr>") == 3
    assert '<tr><th scope="row">2025-03-02</th><td>–</td><td>–</td></tr>' in body
    assert "<td>1,234.5 ms</td>" in body


def test_its_table_body_escapes_what_a_formatter_returns():
    chart = charts.bar_chart(
        chart_id="c",
        title="T",
        days=DAYS,
        series=[charts.Series("S", [1, 2, 3], "s")],
        formatter=lambda value: f"<{value}>",
    )
    assert "<td>&lt;1&gt;</td>" in str(chart.table_body)
    assert "<1>" not in str(chart.svg)
    parse(chart)


def test_its_value_axis_has_a_copy_to_pin_while_the_chart_scrolls_on_a_phone():
    chart = charts.line_chart(
        chart_id="chart-latency",
        title="Latency",
        days=DAYS,
        series=[charts.Series("p50", [100, None, 40_000], "series-p50")],
    )
    pane = ET.fromstring(str(chart.axis_svg))
    label_path = f"{SVG}text[@class='chart-axis chart-axis-y']"

    assert pane.get("aria-hidden") == "true"  # screen readers have the description and the table
    assert pane.get("viewBox") == f"0 0 {charts.LEFT} {charts.HEIGHT}"  # the chart's left margin, same scale
    assert [t.text for t in pane.findall(label_path)] == [t.text for t in parse(chart).findall(label_path)]
    assert [(t.get("x"), t.get("y")) for t in pane.findall(label_path)] == [
        (t.get("x"), t.get("y")) for t in parse(chart).findall(label_path)
    ]


def test_its_first_and_last_day_labels_stay_inside_the_plot():
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(90)]
    chart = charts.bar_chart(
        chart_id="c", title="Calls", days=days, series=[charts.Series("Calls", [1] * 90, "series-calls")]
    )
    labels = [t for t in parse(chart).iter(f"{SVG}text") if "chart-axis-x" in (t.get("class") or "")]

    assert len(labels) == charts.MAX_X_LABELS
    assert "chart-axis-start" in labels[0].get("class") and float(labels[0].get("x")) == charts.LEFT
    assert "chart-axis-end" in labels[-1].get("class")
    assert float(labels[-1].get("x")) == charts.WIDTH - charts.RIGHT


def test_a_narrower_chart_keeps_its_bars_inside_and_names_fewer_days():
    days = [dt.date(2026, 3, 1) + dt.timedelta(days=i) for i in range(30)]
    series = [charts.Series("Calls", list(range(30)), "series-calls")]
    wide = parse(charts.bar_chart(chart_id="c", title="Calls", days=days, series=series))
    narrow = parse(charts.bar_chart(chart_id="c", title="Calls", days=days, series=series, width=480))

    assert narrow.get("viewBox") == "0 0 480 240"
    xs = [float(bar.get("x")) + float(bar.get("width")) for bar in narrow.findall(f"{SVG}rect")]
    assert max(xs) <= 480 - charts.RIGHT

    def day_labels(root):
        return [t for t in root.iter(f"{SVG}text") if "chart-axis-x" in (t.get("class") or "")]

    assert len(day_labels(wide)) == charts.MAX_X_LABELS
    assert len(day_labels(narrow)) == 5
    assert float(day_labels(narrow)[-1].get("x")) == 480 - charts.RIGHT
