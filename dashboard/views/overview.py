"""/dashboard/: headline figures, the quota, and charts of the last 7, 30 or 90 days."""

from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from catalog.access import developer_block_reason, get_developer_for_user, own_models
from catalog.forms import ChartRangeForm
from catalog.models import AIModel
from core import charts
from core.charts import NO_VALUE
from core.http import around_slug
from core.templatetags.figures import money_total, rating_text
from core.templating import render_fragment
from dashboard.selectors import (
    DEFAULT_PERIOD,
    ModelPeriodFigures,
    headline_figures,
    period_days,
    period_figures,
    quota_figures,
)


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
    figures, table = period_figures(models=models, days=days, selected=selected)
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
            "period_refused": sum(f.refused for f in figures),
            "period_revenue": sum((f.revenue for f in figures), start=0),
            "table": table,
            "table_body": per_model_rows(table, selected=selected, days_count=days_count),
        },
    )


@dataclass(frozen=True, slots=True)
class ModelRow:
    """A row of the per-model table, its cells as text."""

    selected: bool
    url: str
    name: str
    api_name: str
    badge: SafeString
    calls: str
    errors: str
    error_rate: float | None
    refused: str
    latency: str
    revenue: str
    total_requests: str
    rating: str


def per_model_rows(
    table: list[ModelPeriodFigures], *, selected: AIModel | None, days_count: int
) -> SafeString:
    """The per-model table's <tr> rows, one per model (dashboard/_per_model_rows.html, drawn by Jinja2).

    A developer may own dozens of models. For the 40 models of the benchmark's busiest developer a Django
    template row with its filters (a URL, a partial, five filters) took about 15 ms; over the cells below,
    Django's engine takes about 3 ms and Jinja2 under 1 ms (bench/fragments.py).
    """
    rows = model_rows(table, selected=selected)
    return render_fragment("dashboard/_per_model_rows.html", {"rows": rows, "days_count": days_count})


def model_rows(table: list[ModelPeriodFigures], *, selected: AIModel | None) -> list[ModelRow]:
    """The table's cells as the template filters once wrote them (test_dashboard_overview renders both):
    intcomma for counts, floatformat:2|intcomma for money (rounded half up), plain numbers for rates and
    latencies. The status badge is the shared partial, rendered once per status."""
    before, after = around_slug("dashboard:model_detail")
    badges: dict[str, SafeString] = {}
    rows = []
    for row in table:
        model = row.model
        if model.status not in badges:
            badges[model.status] = render_to_string(
                "dashboard/_status_badge.html",
                {"status": model.status, "label": model.get_status_display()},
            )
        rows.append(
            ModelRow(
                selected=selected is not None and selected.pk == model.pk,
                url=before + model.api_name + after,
                name=model.display_name,
                api_name=model.api_name,
                badge=badges[model.status],
                calls=f"{row.calls:,}",
                errors=f"{row.errors:,}",
                error_rate=row.error_rate,
                refused=f"{row.refused:,}",
                latency=NO_VALUE if row.mean_ms is None else f"{row.mean_ms} ms",
                revenue=money_total(row.revenue),
                total_requests=f"{model.total_requests:,}",
                rating=f"{rating_text(model.average_rating)} ({model.rating_count})"
                if model.rating_count
                else NO_VALUE,
            )
        )
    return rows


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
            title="Failed and refused calls per day",
            days=days,
            series=[
                charts.Series(
                    "Upstream failed (502, 504)", [f.server_errors for f in figures], "series-server-errors"
                ),
                charts.Series("Refused, not forwarded", [f.refused for f in figures], "series-client-errors"),
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
