"""What activity shows on pages other apps own (the profile, the home page, a model's page).

Those apps sit below activity and cannot import it; their templates load this library instead.
"""

from django import template

from activity import selectors
from core import charts

register = template.Library()


@register.simple_tag
def activity_summary(user):
    return selectors.activity_summary(user)


@register.simple_tag
def recent_history(user):
    return selectors.recent_history(user)


@register.simple_tag
def model_usage(model):
    return selectors.model_usage(model)


@register.simple_tag
def trending_models(days, limit):
    return selectors.trending_models(days=days, limit=limit)


@register.simple_tag
def models_usage(models):
    """The public figures of each of `models` over 30 days (selectors.public_stats, forwarded calls
    only), in the same order, each with success_percent beside the 0–1 rate: one query for any number
    of models (the comparison page)."""
    stats = selectors.public_stats([model.pk for model in models])
    figures = [dict(stats[model.pk]) for model in models]
    for entry in figures:
        rate = entry["success_rate_30d"]
        entry["success_percent"] = None if rate is None else round(100 * rate, 1)
    return figures


# Narrower than the dashboard's charts: on a phone a model's 30 days fit the screen whole, their labels
# still legible (catalog.css draws the axis text larger there).
MODEL_CHART_WIDTH = 480


def _percent(value) -> str:
    return f"{float(value):.1f}%"


def _percent_axis(value) -> str:
    return f"{float(value):.0f}%"


@register.simple_tag
def model_daily_charts(model):
    """The model page's Stats tab: its last 30 days as three charts (calls, p50 latency and success rate
    per day, drawn by core.charts with their data tables) and the period's figures."""
    usage, totals = selectors.model_daily_usage(model)
    days = [entry.day for entry in usage]
    return {
        **totals,
        "first_day": days[0],
        "last_day": days[-1],
        "charts": [
            charts.bar_chart(
                chart_id="chart-calls",
                width=MODEL_CHART_WIDTH,
                title="Calls per day",
                days=days,
                series=[charts.Series("Calls", [entry.calls for entry in usage], "series-calls")],
            ),
            charts.line_chart(
                chart_id="chart-latency",
                width=MODEL_CHART_WIDTH,
                title="Typical latency per day (p50)",
                days=days,
                series=[charts.Series("p50", [entry.p50_ms for entry in usage], "series-p50")],
            ),
            charts.line_chart(
                chart_id="chart-success",
                width=MODEL_CHART_WIDTH,
                title="Success rate per day",
                days=days,
                series=[
                    charts.Series("Success rate", [entry.success_rate for entry in usage], "series-success")
                ],
                formatter=_percent,
                axis_formatter=_percent_axis,
            ),
        ],
    }
