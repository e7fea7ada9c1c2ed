"""/dashboard/earnings/: a developer's monthly earnings statement per model, and its CSV export."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from catalog.access import get_active_developer, own_models
from catalog.models import AIModel
from core.http import csv_download
from dashboard.selectors_earnings import (
    daily_earnings,
    earnings_statement,
    next_month,
    parse_month,
    previous_month,
    this_month,
)

CSV_HEADER = ["month", "model", "model_name", "charged_calls", "earnings"]


def _month(request: HttpRequest):
    """The month the address names (`month=YYYY-MM`, this month when absent) and what was wrong with it."""
    raw = request.GET.get("month")
    if raw in (None, ""):
        return this_month(), None
    month = parse_month(raw)
    if month is None:
        return this_month(), f"“{raw[:20]}” is not a month: write it as YYYY-MM, e.g. {this_month():%Y-%m}."
    return month, None


def _selected(request: HttpRequest, models: list[AIModel]) -> AIModel | None:
    """The model the address names (`model=<api_name>`); 404 unless it is one of the developer's own."""
    name = request.GET.get("model")
    if not name:
        return None
    model = next((m for m in models if m.api_name == name), None)
    if model is None:
        raise Http404("No such model.")
    return model


@require_GET
def earnings(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    models = own_models(get_active_developer(request))
    selected = _selected(request, models)
    month, problem = _month(request)
    statement = earnings_statement(models=[selected] if selected else models, month=month)
    current = this_month()
    context = {
        "statement": statement,
        "month": month,
        "month_problem": problem,
        "previous": previous_month(month),
        "next": next_month(month) if month < current else None,
        "current": current,
        "selected": selected,
        "days": daily_earnings(model=selected, month=month) if selected else None,
        "has_models": bool(models),
    }
    return render(request, "dashboard/earnings.html", context)


@require_GET
def earnings_export(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    models = own_models(get_active_developer(request))
    selected = _selected(request, models)
    month, problem = _month(request)
    if problem:
        return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
    statement = earnings_statement(models=[selected] if selected else models, month=month)
    rows = [
        [f"{month:%Y-%m}", row.model.api_name, row.model.display_name, row.calls, f"{row.earnings:.4f}"]
        for row in statement.rows
    ]
    return csv_download([CSV_HEADER, *rows], filename=f"earnings-{month:%Y-%m}.csv")
