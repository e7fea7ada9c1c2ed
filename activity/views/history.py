"""A user's own history: list with filters, detail, rating, deletion and CSV export."""

import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.postgres.expressions import ArraySubquery
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Sum
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.text import Truncator
from django.views.decorators.http import require_POST
from django_filters.constants import EMPTY_VALUES

from activity.filters import HistoryFilter
from activity.media import PURGE_BATCH, media_for_history, purge_deleted_media
from activity.models import (
    CallMedia,
    HistoryStatus,
    MediaDirection,
    MediaKind,
    ModelUser,
    UserHistory,
    UserHistoryCount,
)
from core.http import csv_download
from core.pagination import CountedPaginator
from core.templatetags.figures import money
from core.templating import render_fragment

PAGE_SIZE = 25
# A text search counts its matches up to this many ("more than 10,000"), and pages through them.
SEARCH_COUNT_CAP = 10_000
# What a row of the list shows: the long response and the model's other columns stay in the database.
LIST_COLUMNS = (
    "history_id",
    "request_timestamp",
    "session_id",
    "prompt",
    "status",
    "response_time_ms",
    "cost_incurred",
    "user_rating",
    "model__display_name",
)
PROMPT_PREVIEW = 120
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


def _known_count(user, filterset: HistoryFilter) -> int | None:
    """How many rows the list holds, from trigger-kept counts when its filters allow: all of the user's
    rows (user_history_counts), one status (the same) or one model (model_users). None for any other
    filter, which the paginator counts through the page index, or a text search counts up to a cap
    (_searched_page)."""
    if filterset.is_bound and not filterset.is_valid():
        return 0
    active = {
        name: value
        for name, value in (filterset.form.cleaned_data if filterset.is_bound else {}).items()
        if value not in EMPTY_VALUES
    }
    if active.keys() <= {"status"}:
        counts = UserHistoryCount.objects.filter(user=user, **active)
    elif active.keys() == {"model"}:
        counts = ModelUser.objects.filter(user=user, **active)
    else:
        return None
    return counts.aggregate(total=Sum("interactions"))["total"] or 0


def _page_entries(rows: QuerySet, page: Page) -> list[UserHistory]:
    """The page's rows, newest first, in one query: a subquery picks their ids from the index that holds
    the list's order, model and status, so a deep page's OFFSET skips index entries rather than rows;
    only those rows, and only the columns the list shows, are then read."""
    if not page.paginator.count:
        return []
    bottom = (page.number - 1) * page.paginator.per_page
    return _entries(rows.values("pk")[bottom : bottom + page.paginator.per_page])


def _searches_text(filterset: HistoryFilter) -> bool:
    return bool(filterset.is_bound and filterset.is_valid() and filterset.form.cleaned_data.get("q"))


def _searched_page(rows: QuerySet, number: str | None) -> Page:
    """A text search's page, its count capped at SEARCH_COUNT_CAP matches.

    A rare word is found through user_history_prompt_trgm_idx, count and page alike (a few milliseconds
    each at 2 M rows). A word most prompts hold has as many matches as rows: an exact count would read all
    of them (2 s at 2 M rows); counted up to the cap it stops after SEARCH_COUNT_CAP, and the page walks
    the newest rows until it has 25. One query for both (COUNT(*) OVER () beside the page) was measured
    and dropped: PostgreSQL then reads every match in the page's order, 18 s for a common word
    (bench/history_search.py)."""
    # No ORDER BY under the LIMIT: it would make PostgreSQL walk the rows newest first to count them.
    matches = rows.order_by().values("pk")[: SEARCH_COUNT_CAP + 1].count()
    paginator = CountedPaginator(rows, PAGE_SIZE, count=min(matches, SEARCH_COUNT_CAP))
    page = paginator.get_page(number)
    page.object_list = _page_entries(rows, page)
    page.count_capped = matches > SEARCH_COUNT_CAP  # type: ignore[attr-defined]
    return page


def _entries(ids) -> list[UserHistory]:
    """The rows of `ids` (a list or a subquery), newest first, with the columns the list shows."""
    shown = UserHistory.objects.filter(pk__in=ids).select_related("model").only(*LIST_COLUMNS)
    # The kinds of media each row still keeps, in the same query (a lookup by call_media's history_id index
    # per row of the page), so that the list marks entries with images or audio at no extra query.
    kinds = CallMedia.objects.live().filter(history=OuterRef("pk")).values("kind").distinct().order_by("kind")
    return list(shown.annotate(media_kinds=ArraySubquery(kinds)).newest_first())


def _preview(prompt: str) -> str:
    """|truncatechars:120. Truncator returns a prompt that fits NFC-normalised, without walking it."""
    text = unicodedata.normalize("NFC", prompt)
    return text if len(text) <= PROMPT_PREVIEW else Truncator(text).chars(PROMPT_PREVIEW)


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """A row of the list, its cells as text, as the template filters the list once used wrote them."""

    when_iso: str
    when: str
    model: str
    session_id: str
    prompt: str
    url: str
    status: str
    status_label: str
    latency: str
    cost: str
    rating: int | None
    media: str = ""


def _list_rows(entries: list[UserHistory]) -> list[HistoryRow]:
    """The list's cells for each entry, with what every row shares (the detail URL's pattern, month names,
    status labels) looked up once: a template filter per cell cost more than the rest of the page."""
    placeholder = str(uuid.UUID(int=0))
    url_head, url_tail = reverse("history:detail", args=[placeholder]).split(placeholder)
    months = {number: name.title() for number, name in MONTHS_3.items()}  # |date:"M"
    statuses = dict(HistoryStatus.choices)
    kind_labels = dict(MediaKind.choices)
    rows = []
    for entry in entries:
        when = timezone.localtime(entry.request_timestamp)
        latency = entry.response_time_ms
        rows.append(
            HistoryRow(
                when_iso=when.isoformat(),  # |date:"c"
                when=f"{when.day} {months[when.month]} {when.year:04d}, {when:%H:%M}",  # "j M Y, H:i"
                model=entry.model.display_name,
                session_id=entry.session_id,
                prompt=_preview(entry.prompt),
                url=f"{url_head}{entry.pk}{url_tail}",
                status=entry.status,
                status_label=statuses.get(entry.status, entry.status),
                latency="—" if latency is None else f"{latency} ms",
                cost=money(entry.cost_incurred),  # the site's money format (core/templatetags/figures.py)
                rating=entry.user_rating,
                # Entries read by _page_entries carry media_kinds; others (bench/fragments.py) show no marker.
                media=" · ".join(kind_labels[kind] for kind in getattr(entry, "media_kinds", ())),
            )
        )
    return rows


@login_required
def history_list(request):
    filterset, rows = _filtered(request)
    filtered = any(value for key, value in request.GET.items() if key != "page")
    count = _known_count(request.user, filterset)
    if count is None and _searches_text(filterset):
        page = _searched_page(rows, request.GET.get("page"))
    else:
        if count is None:
            paginator = Paginator(rows, PAGE_SIZE)
        else:
            paginator = CountedPaginator(rows, PAGE_SIZE, count=count)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = _page_entries(rows, page)
    # The rows are drawn by Jinja2: 25 rows of seven cells took Django's engine about 1 ms, Jinja2 0.13 ms
    # (bench/fragments.py). test_history_list compares them cell by cell with the old filters' markup.
    rows_html = render_fragment("activity/_history_rows.html", {"rows": _list_rows(page.object_list)})
    context = {"filter": filterset, "page": page, "rows_html": rows_html, "filtered": filtered}
    return render(request, "activity/history_list.html", context)


@login_required
def history_detail(request, history_id):
    entry = get_history_for_user(request, history_id)
    form = RatingForm(initial={"rating": entry.user_rating})
    return render(
        request, "activity/history_detail.html", {"entry": entry, "rating_form": form, **_media(entry)}
    )


def _media(entry: UserHistory) -> dict:
    """The entry's kept images and audio, what was sent apart from what came back."""
    media = media_for_history([entry.pk]).get(entry.pk, [])
    return {
        "sent_media": [item for item in media if item.direction == MediaDirection.INPUT],
        "answer_media": [item for item in media if item.direction == MediaDirection.OUTPUT],
    }


@require_POST
@login_required
def history_rate(request, history_id):
    entry = get_history_for_user(request, history_id)
    if not request.user.is_verified:
        messages.error(request, "Confirm your email address before rating answers.")
        return redirect("history:detail", history_id=entry.pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        context = {"entry": entry, "rating_form": form, **_media(entry)}
        return render(request, "activity/history_detail.html", context, status=400)
    UserHistory.objects.filter(pk=entry.pk).update(user_rating=form.cleaned_data["rating"])
    messages.success(request, f"You rated this answer {form.cleaned_data['rating']} of 5.")
    return redirect("history:detail", history_id=entry.pk)


@login_required
def history_delete(request, history_id):
    entry = get_history_for_user(request, history_id)
    if request.method == "POST":
        entry.delete()
        # The database queued the files of the entry's media as it deleted their rows; remove them now
        # rather than at the next `manage.py expire_call_media`.
        transaction.on_commit(partial(purge_deleted_media, limit=PURGE_BATCH), robust=True)
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
