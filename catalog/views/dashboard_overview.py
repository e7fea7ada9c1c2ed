"""/dashboard/: headline figures, the quota, and charts of the last 7, 30 or 90 days."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from catalog import charts
from catalog.access import developer_block_reason, get_developer_for_user, own_models
from catalog.dashboard_queries import (
    DEFAULT_PERIOD,
    daily_figures,
    headline_figures,
    per_model_figures,
    period_days,
    quota_figures,
)
from catalog.forms import ChartRangeForm


@require_GET
def overview(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    developer = get_developer_for_user(request)
    reason = developer_block_reason(developer, request.user)
    if reason is not None:
        return render(
            request,
            "dashboard/unavailable.html",
            {"developer": developer, "reason": reason},
            status=403,
        )

    models = own_models(developer)
    form = ChartRangeForm(request.GET or None, models=models)
    form.is_valid()
    if "model" in form.errors:
        raise Http404("No such model.")
    cleaned = getattr(form, "cleaned_data", {})
    days_count = cleaned.get("days") or DEFAULT_PERIOD
    selected = next((m for m in models if m.api_name == cleaned.get("model")), None)

    days = period_days(days_count)
    figures = daily_figures(models=[selected] if selected else models, days=days)
    return render(
        request,
        "dashboard/overview.html",
        {
            "developer": developer,
            "stats": headline_figures(developer=developer),
            "quota": quota_figures(developer=developer, today=days[-1]),
            "models": models,
            "form": form,
            "days_count": days_count,
            "selected": selected,
            "charts": build_charts(days, figures),
            "period_calls": sum(f.calls for f in figures),
            "period_errors": sum(f.errors for f in figures),
            "period_revenue": sum((f.revenue for f in figures), start=0),
            "table": per_model_figures(models=models, days=days),
        },
    )


def build_charts(days, figures) -> list[charts.Chart]:
    return [
        charts.bar_chart(
            chart_id="chart-calls",
            title="Calls per day",
            days=days,
            series=[charts.Series("Calls", [f.calls for f in figures], "series-calls")],
        ),
        charts.bar_chart(
            chart_id="chart-errors",
            title="Errors per day",
            days=days,
            series=[
                charts.Series("4xx refused", [f.client_errors for f in figures], "series-client-errors"),
                charts.Series("5xx failed", [f.server_errors for f in figures], "series-server-errors"),
            ],
        ),
        charts.line_chart(
            chart_id="chart-latency",
            title="Latency per day (p50 and p95)",
            days=days,
            series=[
                charts.Series("p50", [f.p50_ms for f in figures], "series-p50"),
                charts.Series("p95", [f.p95_ms for f in figures], "series-p95"),
            ],
        ),
        charts.bar_chart(
            chart_id="chart-revenue",
            title="Revenue per day",
            days=days,
            series=[charts.Series("Revenue", [f.revenue for f in figures], "series-revenue")],
            formatter=charts.format_money,
            axis_formatter=charts.format_money_axis,
            integer=False,
        ),
    ]
