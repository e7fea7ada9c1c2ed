"""Reads behind the developer dashboard.

Figures come from the trigger-kept rollups (model_daily_stats, developer_monthly_usage) and the
developer_dashboard_stats view, never from scanning api_usage_logs, so the dashboard costs the same with
ten rows of logs or ten million. Every function runs one query, whatever the number of models or days.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Sum
from django.utils import timezone

from accounts.models import Developer
from activity import rollups
from activity.models import LATENCY_BUCKETS, DeveloperMonthlyUsage, ModelDailyStats, ModelUser
from catalog.models import AIModel, DeveloperDashboardStats
from core.replicas import read_connection
from reviews.models import ModelReview

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30


def utc_today() -> dt.date:
    return timezone.now().astimezone(dt.UTC).date()


def period_days(days: int, *, today: dt.date | None = None) -> list[dt.date]:
    """The last `days` calendar days (UTC), oldest first, today included."""
    today = today or utc_today()
    return [today - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def first_of_next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


@dataclass
class DayFigures:
    """One day's calls: `calls` forwarded to the upstream (`successes` answered, `server_errors` failed by
    it), and `refused` by the platform before forwarding (bad requests, keys, credits, limits, quota)."""

    day: dt.date
    calls: int = 0
    successes: int = 0
    refused: int = 0
    server_errors: int = 0
    revenue: Decimal = Decimal("0")
    histogram: list[int] = field(default_factory=lambda: [0] * LATENCY_BUCKETS)

    @property
    def errors(self) -> int:
        return self.server_errors

    @property
    def p50_ms(self) -> float | None:
        return rollups.percentile_ms(self.histogram, 0.50)

    @property
    def p95_ms(self) -> float | None:
        return rollups.percentile_ms(self.histogram, 0.95)


@dataclass
class ModelPeriodFigures:
    """A model's period: forwarded `calls`, of which `successes` and upstream failures (`errors`), and the
    calls `refused` before forwarding."""

    model: AIModel
    calls: int = 0
    successes: int = 0
    errors: int = 0
    refused: int = 0
    revenue: Decimal = Decimal("0")
    processing_ms: int = 0

    @property
    def mean_ms(self) -> float | None:
        return round(self.processing_ms / self.calls, 1) if self.calls else None

    @property
    def error_rate(self) -> float | None:
        return round(100 * self.errors / self.calls, 1) if self.calls else None


# One pass over the period's rollup rows of the developer's models, grouped two ways at once: per model
# (the table) and per day (the charts). Rows of models that are not charted (another model is selected)
# form their own day groups, which are skipped. By model id and day range, so PostgreSQL walks
# model_daily_stats_model_day_unique (model_id, day) for each model instead of every model's rows.
_PERIOD_SQL = f"""
    SELECT model_id, day, (%(charted)s::uuid IS NULL OR model_id = %(charted)s::uuid) AS charted,
        SUM(calls), SUM(successes), SUM(refused), SUM(server_errors), SUM(revenue),
        SUM(processing_ms_total)::bigint, {rollups.HISTOGRAM_SUM_SQL}
    FROM model_daily_stats
    WHERE model_id = ANY(%(models)s) AND day BETWEEN %(first)s AND %(last)s
    GROUP BY GROUPING SETS ((model_id), (day, charted))
"""


def period_figures(
    *, models: list[AIModel], days: list[dt.date], selected: AIModel | None = None
) -> tuple[list[DayFigures], list[ModelPeriodFigures]]:
    """For the period `days`: one DayFigures per day, summed over `selected` or else over all `models`,
    and the period's totals for each of `models` in the order given. One query, whatever the number of
    models or days."""
    by_day = {day: DayFigures(day=day) for day in days}
    by_model = {model.pk: ModelPeriodFigures(model=model) for model in models}
    if models and days:
        with read_connection().cursor() as cursor:
            cursor.execute(
                _PERIOD_SQL,
                {
                    "charted": selected.pk if selected else None,
                    "models": list(by_model),
                    "first": days[0],
                    "last": days[-1],
                },
            )
            rows = cursor.fetchall()
        for model_id, day, charted, calls, successes, refused, server, revenue, processing, buckets in rows:
            if model_id is not None:
                figures = by_model[model_id]
                figures.calls, figures.successes, figures.errors = calls, successes, server
                figures.refused = refused
                figures.revenue, figures.processing_ms = revenue, processing
            elif charted:
                day_figures = by_day[day]
                day_figures.calls, day_figures.successes = calls, successes
                day_figures.refused, day_figures.server_errors = refused, server
                day_figures.revenue = revenue
                # A day whose rows carry no calls (only interactions) sums to NULLs.
                day_figures.histogram = [count or 0 for count in buckets]
    return list(by_day.values()), list(by_model.values())


HEADLINE_SECONDS = 300

# The counters that move the headline figures. Today's rollup row of each model is read by its key
# (model_id, day) through LATERAL: a plain join made PostgreSQL hash every model's row of the day (4,000
# at the benchmark's scale) to find the developer's forty. (model_id, day) is unique, so LIMIT 1 changes
# no result; it keeps PostgreSQL from flattening the subquery back into that join.
_HEADLINE_VERSION_SQL = """
    SELECT count(*), count(*) FILTER (WHERE m.status = 'active'), sum(m.total_requests),
        sum(m.total_users), sum(m.rating_count), sum(m.rating_sum), sum(today.calls), sum(today.refused),
        sum(today.interactions)
    FROM models m
    LEFT JOIN LATERAL (
        SELECT s.calls, s.refused, s.interactions FROM model_daily_stats s WHERE s.model_id = m.model_id AND s.day = %s
        LIMIT 1
    ) today ON true
    WHERE m.developer_id = %s
"""


def headline_figures(*, developer: Developer) -> DeveloperDashboardStats | None:
    """The developer_dashboard_stats row, kept while the developer's models do not change.

    For a developer with years of traffic the view sums thousands of rollup rows and counts distinct users
    over every pair. What moves those figures moves something cheap to read: the trigger-kept counters on
    the developer's model rows (requests, users, ratings, status) and today's rollup rows (every call and
    exchange). Those, read in one small query, make the cache key, so the figures are recomputed when
    something they count has changed; the timeout bounds what they cannot see (a past day's history row
    deleted).
    """
    with read_connection().cursor() as cursor:
        cursor.execute(_HEADLINE_VERSION_SQL, [utc_today(), developer.pk])
        version = cursor.fetchone()
    key = "dashboard:headline:{}:{}".format(developer.pk, ":".join(str(v or 0) for v in version))
    stats = cache.get(key)
    if stats is None:
        stats = DeveloperDashboardStats.objects.filter(developer=developer).first()
        cache.set(key, stats, HEADLINE_SECONDS)
    return stats


@dataclass(frozen=True)
class QuotaFigures:
    used: int
    quota: int
    month: dt.date
    resets_on: dt.date

    @property
    def remaining(self) -> int:
        return max(0, self.quota - self.used)

    @property
    def percent(self) -> int:
        if not self.quota:
            return 100
        return min(100, round(100 * self.used / self.quota))


def quota_figures(*, developer: Developer, today: dt.date | None = None) -> QuotaFigures:
    """Calls forwarded this calendar month (UTC), which is what api_quota limits, and the reset date."""
    month = (today or utc_today()).replace(day=1)
    used = (
        DeveloperMonthlyUsage.objects.filter(developer=developer, month=month)
        .values_list("calls", flat=True)
        .first()
    )
    return QuotaFigures(
        used=used or 0, quota=developer.api_quota, month=month, resets_on=first_of_next_month(month)
    )


@dataclass(frozen=True)
class DeletionImpact:
    """What deleting a model takes with it (the database cascades every one of these)."""

    reviews: int
    review_replies: int
    history_rows: int
    usage_logs: int
    daily_rollups: int


def model_deletion_impact(*, model: AIModel) -> DeletionImpact:
    """Counts of the rows a delete would remove, read from the per-day rollups rather than the raw logs.

    model_daily_stats holds, per day, how many api_usage_logs rows (calls) and user_history rows
    (interactions) exist for the model, kept exactly by triggers, so this stays quick with millions of logs.
    """
    rollup = ModelDailyStats.objects.filter(model=model).aggregate(
        calls=Sum("calls"), interactions=Sum("interactions"), days=Count("id")
    )
    reviews = ModelReview.objects.filter(model=model).aggregate(
        reviews=Count("review_id"), replies=Count("reply")
    )
    return DeletionImpact(
        reviews=reviews["reviews"],
        review_replies=reviews["replies"],
        history_rows=rollup["interactions"] or 0,
        usage_logs=rollup["calls"] or 0,
        daily_rollups=rollup["days"],
    )


def model_user_count(*, model: AIModel) -> int:
    """People other than its developer who called the model (model_users pairs): a deprecation gives
    them notice."""
    return ModelUser.objects.filter(model=model).exclude(user_id=model.developer.user_id).count()
