"""The developer's api_usage_logs: filtering, keyset pages and CSV rows.

Pages are cut by keyset (created_at, log_id) rather than OFFSET, and no page counts the matching rows:
with millions of logs a COUNT(*) or a deep OFFSET would read them all. For all of a developer's models
at once, the page is a UNION ALL of one small ordered slice per model, so each slice is a short walk down
api_usage_logs_model_ts_idx (model_id, created_at DESC) instead of a sort of every matching row.
"""

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Developer
from activity.models import ApiUsageLog
from catalog.models import AIModel

PAGE_SIZE = 50
# Past this many models one UNION ALL grows unwieldy; the page then falls back to one ordered query.
MAX_UNION_MODELS = 200
# The window of time a page of all models' logs is looked for in first, before an unbounded read.
WINDOW_DAYS = (31,)
FUTURE_SLACK = dt.timedelta(days=1)
STATUS_CLASSES = {"2xx": (200, 299), "4xx": (400, 499), "5xx": (500, 599)}
# The export's columns, as read; the header names the model by its api_name, which replaces its id.
CSV_FIELDS = (
    "created_at",
    "model_id",
    "request_method",
    "response_code",
    "processing_time_ms",
    "request_size",
    "response_size",
    "api_key_used",
    "log_id",
)
CSV_HEADER = tuple("model" if field == "model_id" else field for field in CSV_FIELDS)


@dataclass(frozen=True)
class Cursor:
    created_at: dt.datetime
    log_id: uuid.UUID

    def encode(self) -> str:
        return f"{self.created_at.astimezone(dt.UTC):%Y%m%dT%H%M%S.%f}Z~{self.log_id}"

    @classmethod
    def decode(cls, text: str | None) -> "Cursor | None":
        """The cursor in `text`, or None when it is missing or malformed."""
        if not text or "~" not in text:
            return None
        stamp, _, ident = text.partition("~")
        try:
            created_at = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=dt.UTC)
            return cls(created_at=created_at, log_id=uuid.UUID(ident))
        except ValueError:
            return None

    @classmethod
    def of(cls, log: ApiUsageLog) -> "Cursor":
        return cls(created_at=log.created_at, log_id=log.log_id)


@dataclass(frozen=True)
class LogFilters:
    model: AIModel | None = None
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def apply(self, queryset: QuerySet) -> QuerySet:
        if self.status in STATUS_CLASSES:
            low, high = STATUS_CLASSES[self.status]
            queryset = queryset.filter(response_code__gte=low, response_code__lte=high)
        if self.date_from:
            queryset = queryset.filter(created_at__gte=_utc_midnight(self.date_from))
        # The last day of the calendar has no next midnight to stop before: it leaves the range open.
        if self.date_to and self.date_to < dt.date.max:
            queryset = queryset.filter(created_at__lt=_utc_midnight(self.date_to + dt.timedelta(days=1)))
        return queryset


def _utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def developer_logs(*, developer: Developer, filters: LogFilters) -> QuerySet:
    """Every log row of the developer's models that passes the filters, in no particular order."""
    queryset = ApiUsageLog.objects.for_developer(developer)
    if filters.model is not None:
        queryset = queryset.filter(model=filters.model)
    return filters.apply(queryset)


@dataclass(frozen=True)
class LogPage:
    rows: list[ApiUsageLog]
    newer: Cursor | None
    older: Cursor | None


def _older_than(cursor: Cursor) -> Q:
    return Q(created_at__lt=cursor.created_at) | Q(created_at=cursor.created_at, log_id__lt=cursor.log_id)


def _newer_than(cursor: Cursor) -> Q:
    return Q(created_at__gt=cursor.created_at) | Q(created_at=cursor.created_at, log_id__gt=cursor.log_id)


def log_page(
    *,
    developer: Developer,
    models: list[AIModel],
    filters: LogFilters,
    before: Cursor | None = None,
    after: Cursor | None = None,
    size: int = PAGE_SIZE,
) -> LogPage:
    """One page of logs, newest first: the newest rows, or those just older than `before`, or just
    newer than `after`. One query, whatever the number of models or rows, when the month around the cursor
    holds a page (_union_page)."""
    scope = [filters.model] if filters.model is not None else models
    if not scope:
        return LogPage(rows=[], newer=None, older=None)
    going_newer = after is not None and before is None
    order = ("created_at", "log_id") if going_newer else ("-created_at", "-log_id")

    def slice_for(model: AIModel | None, bound: Q | None = None) -> QuerySet:
        if model is None:
            queryset = developer_logs(developer=developer, filters=filters)
        else:
            queryset = filters.apply(ApiUsageLog.objects.filter(model=model))
        if bound is not None:
            queryset = queryset.filter(bound)
        if going_newer:
            queryset = queryset.filter(_newer_than(after))
        elif before is not None:
            queryset = queryset.filter(_older_than(before))
        return queryset.order_by(*order)[: size + 1]

    if len(scope) == 1:
        rows = list(slice_for(scope[0]))
    elif len(scope) > MAX_UNION_MODELS:
        rows = list(slice_for(None))
    else:
        rows = _union_page(scope, slice_for, order=order, size=size, anchor=after if going_newer else before)
    has_more = len(rows) > size
    rows = rows[:size]
    if going_newer:
        rows.reverse()
        newer = Cursor.of(rows[0]) if has_more and rows else None
        older = Cursor.of(rows[-1]) if rows else None
    else:
        older = Cursor.of(rows[-1]) if has_more and rows else None
        newer = Cursor.of(rows[0]) if before is not None and rows else None
    by_id = {model.pk: model for model in scope}
    for row in rows:
        row.model = by_id[row.model_id]
    return LogPage(rows=rows, newer=newer, older=older)


def _union_page(
    scope: list[AIModel], slice_for, *, order: tuple[str, ...], size: int, anchor: Cursor | None
) -> list:
    """The page's rows from one slice per model, read first in the 31 days from the anchor (the cursor, or
    now): PostgreSQL then plans each slice against the one or two monthly partitions the window touches,
    where an unbounded slice of 40 models over two years of months took 40–150 ms to plan. A window that
    holds more rows than the page holds the page's rows, since every row outside it lies beyond them; when
    it holds fewer, one unbounded read follows, so a sparse history costs a second query, never a wrong
    page."""
    newer = order[0] == "created_at"
    start = anchor.created_at if anchor is not None else timezone.now()
    rows: list = []
    for days in (*WINDOW_DAYS, None):
        bound = None
        if days is not None:
            span = dt.timedelta(days=days)
            if newer:
                bound = Q(created_at__lt=start + span)
            else:
                bound = Q(created_at__gte=start - span)
                if anchor is None:
                    # The newest page also has an upper edge, so that the months ahead are not planned
                    # either: a day past this host's clock, far more than any host's clock is off by (the
                    # gateway stamps rows with its own). Rows dated further ahead show on no page.
                    bound &= Q(created_at__lt=start + FUTURE_SLACK)
        slices = [slice_for(model, bound) for model in scope]
        first, *rest = slices
        rows = list(first.union(*rest, all=True).order_by(*order)[: size + 1])
        if len(rows) > size:
            break
    return rows


def csv_rows(*, developer: Developer, filters: LogFilters, models: list[AIModel]) -> Iterator[tuple]:
    """The filtered rows for CSV export, newest first, streamed from a server-side cursor."""
    names = {model.pk: model.api_name for model in models}
    rows = (
        developer_logs(developer=developer, filters=filters)
        .order_by("-created_at", "-log_id")
        .values_list(*CSV_FIELDS)
    )
    yield CSV_HEADER
    for created_at, model_id, *rest, log_id in rows.iterator(chunk_size=2000):
        yield (created_at.astimezone(dt.UTC).isoformat(), names.get(model_id, model_id), *rest, log_id)
