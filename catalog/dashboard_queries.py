"""Reads behind the developer dashboard.

Figures come from the trigger-kept rollups (model_daily_stats, developer_monthly_usage) and the
developer_dashboard_stats view, never from scanning api_usage_logs, so the dashboard costs the same with
ten rows of logs or ten million. Every function runs one query, whatever the number of models or days.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, F, FilteredRelation, Q, Sum
from django.utils import timezone

from accounts.models import Developer
from activity import rollups
from activity.models import DeveloperMonthlyUsage, ModelDailyStats
from catalog.models import AIModel, DeveloperDashboardStats

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
    day: dt.date
    calls: int = 0
    successes: int = 0
    client_errors: int = 0
    server_errors: int = 0
    revenue: Decimal = Decimal("0")
    histogram: list[int] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return self.client_errors + self.server_errors

    @property
    def p50_ms(self) -> float | None:
        return rollups.percentile_ms(self.histogram, 0.50)

    @property
    def p95_ms(self) -> float | None:
        return rollups.percentile_ms(self.histogram, 0.95)


def _rollups(models: list[AIModel], days: list[dt.date]):
    # By model id and day range, so PostgreSQL walks model_daily_stats_model_day_unique (model_id, day)
    # for each model instead of every model's rows for those days.
    return ModelDailyStats.objects.filter(
        model_id__in=[model.pk for model in models], day__gte=days[0], day__lte=days[-1]
    )


def daily_figures(*, models: list[AIModel], days: list[dt.date]) -> list[DayFigures]:
    """One DayFigures per day in `days`, summed over `models`."""
    rows = _rollups(models, days) if models else ModelDailyStats.objects.none()
    by_day = {day: DayFigures(day=day) for day in days}
    histograms: dict[dt.date, list[list[int]]] = {day: [] for day in days}
    for day, calls, successes, client_errors, server_errors, revenue, buckets in rows.values_list(
        "day", "calls", "successes", "client_errors", "server_errors", "revenue", "latency_buckets"
    ):
        figures = by_day[day]
        figures.calls += calls
        figures.successes += successes
        figures.client_errors += client_errors
        figures.server_errors += server_errors
        figures.revenue += revenue
        histograms[day].append(buckets)
    for day, figures in by_day.items():
        figures.histogram = rollups.merge(histograms[day])
    return list(by_day.values())


@dataclass
class ModelPeriodFigures:
    model: AIModel
    calls: int = 0
    successes: int = 0
    errors: int = 0
    revenue: Decimal = Decimal("0")
    processing_ms: int = 0

    @property
    def mean_ms(self) -> float | None:
        return round(self.processing_ms / self.calls, 1) if self.calls else None

    @property
    def error_rate(self) -> float | None:
        return round(100 * self.errors / self.calls, 1) if self.calls else None


def per_model_figures(*, models: list[AIModel], days: list[dt.date]) -> list[ModelPeriodFigures]:
    """The period's totals for each of `models`, in the order given."""
    if not models:
        return []
    sums = (
        _rollups(models, days)
        .values("model_id")
        .annotate(
            calls_sum=Sum("calls"),
            successes_sum=Sum("successes"),
            errors_sum=Sum(F("client_errors") + F("server_errors")),
            revenue_sum=Sum("revenue"),
            processing_sum=Sum("processing_ms_total"),
        )
        .order_by()
    )
    by_model = {row["model_id"]: row for row in sums}
    table = []
    for model in models:
        row = by_model.get(model.pk)
        figures = ModelPeriodFigures(model=model)
        if row:
            figures.calls = row["calls_sum"] or 0
            figures.successes = row["successes_sum"] or 0
            figures.errors = row["errors_sum"] or 0
            figures.revenue = row["revenue_sum"] or Decimal("0")
            figures.processing_ms = row["processing_sum"] or 0
        table.append(figures)
    return table


HEADLINE_SECONDS = 300


def headline_figures(*, developer: Developer) -> DeveloperDashboardStats | None:
    """The developer_dashboard_stats row, kept while the developer's models do not change.

    For a developer with years of traffic the view sums thousands of rollup rows and counts distinct users
    over every pair. What moves those figures moves something cheap to read: the trigger-kept counters on
    the developer's model rows (requests, users, ratings, status) and today's rollup rows (every call and
    exchange). Those, read in one small query, make the cache key, so the figures are recomputed when
    something they count has changed; the timeout bounds what they cannot see (a past day's history row
    deleted).
    """
    version = (
        AIModel.objects.filter(developer=developer)
        .alias(today=FilteredRelation("daily_stats", condition=Q(daily_stats__day=utc_today())))
        .aggregate(
            models=Count("pk"),
            active=Count("pk", filter=Q(status="active")),
            requests=Sum("total_requests"),
            users=Sum("total_users"),
            ratings=Sum("rating_count"),
            stars=Sum("rating_sum"),
            calls=Sum("today__calls"),
            interactions=Sum("today__interactions"),
        )
    )
    key = "dashboard:headline:{}:{}".format(developer.pk, ":".join(str(v or 0) for v in version.values()))
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
