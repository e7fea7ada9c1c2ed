"""A user's own history: list with filters, detail, rating, deletion and CSV export."""

from collections.abc import Iterable, Iterator

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from activity.filters import HistoryFilter
from activity.models import ModelUser, UserHistory
from config.http import csv_download
from config.pagination import CountedPaginator

PAGE_SIZE = 25
EXPORT_CHUNK = 500
CSV_HEADER = [
    "requested_at",
    "model",
    "model_name",
    "session_id",
    "status",
    "response_time_ms",
    "cost_incurred",
    "user_rating",
    "prompt",
    "response",
]


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="Your rating",
        choices=[(n, f"{n} of 5") for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )


def get_history_for_user(request: HttpRequest, history_id) -> UserHistory:
    """The signed-in user's own entry, or 404: nobody learns whether another user's id exists."""
    return get_object_or_404(
        UserHistory.objects.for_user(request.user).select_related("model"), pk=history_id
    )


def _filtered(request: HttpRequest) -> tuple[HistoryFilter, object]:
    base = UserHistory.objects.for_user(request.user).newest_first().select_related("model")
    filterset = HistoryFilter(request.GET or None, queryset=base, request=request)
    rows = filterset.qs if filterset.is_bound is False or filterset.is_valid() else base.none()
    return filterset, rows


def _history_size(user) -> int:
    """Rows in the user's history, from the trigger-kept interaction counts of their (model, user) pairs."""
    return ModelUser.objects.filter(user=user).aggregate(total=Sum("interactions"))["total"] or 0


@login_required
def history_list(request):
    filterset, rows = _filtered(request)
    filtered = any(value for key, value in request.GET.items() if key != "page")
    if filtered:
        paginator = Paginator(rows, PAGE_SIZE)
    else:
        paginator = CountedPaginator(rows, PAGE_SIZE, count=_history_size(request.user))
    page = paginator.get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page, "filtered": filtered}
    return render(request, "activity/history_list.html", context)


@login_required
def history_detail(request, history_id):
    entry = get_history_for_user(request, history_id)
    form = RatingForm(initial={"rating": entry.user_rating})
    return render(request, "activity/history_detail.html", {"entry": entry, "rating_form": form})


@require_POST
@login_required
def history_rate(request, history_id):
    entry = get_history_for_user(request, history_id)
    if not request.user.is_verified:
        messages.error(request, "Confirm your email address before rating answers.")
        return redirect("history:detail", history_id=entry.pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        context = {"entry": entry, "rating_form": form}
        return render(request, "activity/history_detail.html", context, status=400)
    UserHistory.objects.filter(pk=entry.pk).update(user_rating=form.cleaned_data["rating"])
    messages.success(request, f"You rated this answer {form.cleaned_data['rating']} of 5.")
    return redirect("history:detail", history_id=entry.pk)


@login_required
def history_delete(request, history_id):
    entry = get_history_for_user(request, history_id)
    if request.method == "POST":
        entry.delete()
        messages.success(request, "The entry is deleted from your history.")
        return redirect("history:list")
    return render(request, "activity/history_confirm_delete.html", {"entry": entry})


def _csv_rows(rows: Iterable[UserHistory]) -> Iterator[list]:
    yield CSV_HEADER
    for entry in rows:
        yield [
            entry.request_timestamp.isoformat(),
            entry.model.api_name,
            entry.model.display_name,
            entry.session_id,
            entry.status,
            entry.response_time_ms,
            entry.cost_incurred,
            entry.user_rating,
            entry.prompt,
            entry.response,
        ]


@login_required
def history_export(request):
    _, rows = _filtered(request)
    return csv_download(
        _csv_rows(rows.iterator(chunk_size=EXPORT_CHUNK)), filename=f"history-{timezone.now():%Y-%m-%d}.csv"
    )
