"""/dashboard/logs/: the developer's api_usage_logs, filtered, in keyset pages, and as CSV."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from catalog.access import get_active_developer, own_models
from catalog.forms import UsageLogFilterForm
from catalog.models import AIModel
from core.http import csv_download
from dashboard.usage_logs import Cursor, LogFilters, csv_rows, log_page


def _filters(request, models: list[AIModel]) -> tuple[UsageLogFilterForm, LogFilters]:
    form = UsageLogFilterForm(request.GET, models=models)
    form.is_valid()
    if "model" in form.errors:
        raise Http404("No such model.")
    cleaned = form.cleaned_data
    model = next((m for m in models if m.api_name == cleaned.get("model")), None)
    date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
    if "date_to" in form.errors:
        date_to = None
    return form, LogFilters(
        model=model, status=cleaned.get("status") or "", date_from=date_from, date_to=date_to
    )


@require_GET
def log_list(request):
    developer = get_active_developer(request)
    models = own_models(developer)
    form, filters = _filters(request, models)
    page = log_page(
        developer=developer,
        models=models,
        filters=filters,
        before=Cursor.decode(request.GET.get("before")),
        after=Cursor.decode(request.GET.get("after")),
    )
    query = request.GET.copy()
    for key in ("before", "after"):
        query.pop(key, None)
    return render(
        request,
        "dashboard/logs.html",
        {
            "form": form,
            "page": page,
            "models": models,
            "filter_query": query.urlencode(),
            "paged": "before" in request.GET or "after" in request.GET,
        },
    )


@require_GET
def log_export(request):
    developer = get_active_developer(request)
    models = own_models(developer)
    _, filters = _filters(request, models)
    return csv_download(
        csv_rows(developer=developer, filters=filters, models=models),
        filename=f"usage-logs-{timezone.now():%Y%m%d-%H%M%S}.csv",
    )
