"""/me/activity/: a signed-in user's calls and spending over 7, 30 or 90 days, by day, model and key, its
CSV export, and the credit ledger with the balance each entry left."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from activity.selectors_activity import (
    DEFAULT_PERIOD,
    EXPORT_HEADER,
    PERIODS,
    DayUsage,
    daily_usage,
    ledger_page,
    period_days,
    period_start,
    period_totals,
    usage_by_key,
    usage_by_model,
    usage_export_rows,
)
from activity.templatetags.credits import format_credits
from core import charts
from core.http import csv_download


def _period(request: HttpRequest) -> tuple[int, str | None]:
    """The period the address asks for (`days`), or the default with a note on what was wrong."""
    raw = request.GET.get("days")
    if raw in (None, ""):
        return DEFAULT_PERIOD, None
    if raw.isdigit() and int(raw) in PERIODS:
        return int(raw), None
    shown = raw[:20]
    return DEFAULT_PERIOD, f"“{shown}” is not a period this page shows (7, 30 or 90 days)."


def build_charts(usage: list[DayUsage]) -> list[charts.Chart]:
    days = [d.day for d in usage]
    return [
        charts.bar_chart(
            chart_id="chart-calls",
            title="Calls per day",
            days=days,
            series=[charts.Series("Calls", [d.calls for d in usage], "series-calls")],
        ),
        charts.bar_chart(
            chart_id="chart-spending",
            title="Spending per day",
            days=days,
            series=[charts.Series("Spending", [d.spent for d in usage], "series-spending")],
            formatter=format_credits,
            axis_formatter=charts.format_money_axis,
            integer=False,
        ),
    ]


@require_GET
@login_required
def activity_overview(request: HttpRequest) -> HttpResponse:
    days_count, period_problem = _period(request)
    days = period_days(days_count)
    since = period_start(days)
    usage = daily_usage(user=request.user, days=days)
    calls, spent = period_totals(usage)
    page, ledger = ledger_page(user=request.user, page_number=request.GET.get("page"))
    context = {
        "days_count": days_count,
        "periods": PERIODS,
        "period_problem": period_problem,
        "first_day": days[0],
        "last_day": days[-1],
        "period_calls": calls,
        "period_spent": spent,
        "charts": build_charts(usage),
        "by_model": usage_by_model(user=request.user, since=since),
        "by_key": usage_by_key(user=request.user, since=since),
        "page": page,
        "ledger": ledger,
    }
    return render(request, "activity/me_activity.html", context)


@require_GET
@login_required
def activity_export(request: HttpRequest) -> HttpResponse:
    days_count, period_problem = _period(request)
    if period_problem:
        return HttpResponseBadRequest(period_problem, content_type="text/plain; charset=utf-8")
    days = period_days(days_count)
    rows = [EXPORT_HEADER, *usage_export_rows(user=request.user, days=days)]
    today = dt.datetime.now(dt.UTC).date()
    return csv_download(rows, filename=f"activity-{days_count}d-{today:%Y-%m-%d}.csv")
