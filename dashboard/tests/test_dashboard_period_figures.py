"""period_figures: the charts' daily figures and the per-model table from one pass over the rollups."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from activity import rollups
from activity.models import ApiUsageLog, ModelDailyStats
from activity.tests.factories import ApiUsageLogFactory, UserHistoryFactory
from catalog.tests.factories import AIModelFactory
from dashboard.selectors import period_days, period_figures

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


@pytest.fixture
def days():
    return period_days(7)


@pytest.fixture
def traffic(dana, days):
    """Three models of dana's with calls of every kind on several days, and one of eve's."""
    first, second, quiet = (AIModelFactory(developer=dana, api_name=f"dana-{i}") for i in range(3))
    logs = []
    for offset, model in enumerate((first, second)):
        for index, day in enumerate(days[1::2]):
            for code, ms in ((200, 40 + index), (200, 900 + 50 * offset), (404, 3), (502, 20_000)):
                logs.append(
                    ApiUsageLog(model=model, response_code=code, processing_time_ms=ms, created_at=at(day))
                )
    # Before the period: must not count.
    logs.append(
        ApiUsageLog(
            model=first,
            response_code=200,
            processing_time_ms=5,
            created_at=at(days[0] - dt.timedelta(days=1)),
        )
    )
    ApiUsageLog.objects.bulk_create(logs)
    UserHistoryFactory(model=second, cost_incurred=Decimal("0.1250"), request_timestamp=at(days[2]))
    UserHistoryFactory(model=second, cost_incurred=Decimal("1.0005"), request_timestamp=at(days[2], 13))
    # Only an exchange, no call: the day has revenue and an empty histogram.
    UserHistoryFactory(model=quiet, cost_incurred=Decimal("0.5000"), request_timestamp=at(days[4]))
    ApiUsageLogFactory(model=AIModelFactory(), created_at=at(days[3]))
    return [first, second, quiet]


def expected_days(models, days):
    """What the charts showed when each day's rows were read and merged one by one in Python."""
    rows = ModelDailyStats.objects.filter(model__in=models, day__gte=days[0], day__lte=days[-1])
    expected = {}
    for day in days:
        of_day = [row for row in rows if row.day == day]
        expected[day] = (
            sum(r.calls for r in of_day),
            sum(r.successes for r in of_day),
            sum(r.refused for r in of_day),
            sum(r.server_errors for r in of_day),
            sum((r.revenue for r in of_day), Decimal("0")),
            rollups.merge(r.latency_buckets for r in of_day),
        )
    return expected


def as_tuples(figures):
    return {
        f.day: (f.calls, f.successes, f.refused, f.server_errors, f.revenue, f.histogram) for f in figures
    }


def test_it_sums_each_day_over_the_models_with_merged_histograms(dana, days, traffic):
    figures, _ = period_figures(models=traffic, days=days)
    assert [f.day for f in figures] == days
    assert as_tuples(figures) == expected_days(traffic, days)
    busy = figures[1]
    assert (busy.calls, busy.refused, busy.server_errors) == (6, 2, 2)
    assert busy.p50_ms == rollups.percentile_ms(expected_days(traffic, days)[days[1]][5], 0.5)
    assert busy.p95_ms > 10_000


def test_a_day_without_calls_has_no_latency_and_a_day_without_rows_is_zero(dana, days, traffic):
    figures, _ = period_figures(models=traffic, days=days)
    exchange_only = figures[4]
    assert (exchange_only.calls, exchange_only.revenue, exchange_only.p50_ms) == (0, Decimal("0.5000"), None)
    assert exchange_only.histogram == [0] * len(exchange_only.histogram)
    empty = figures[0]
    assert (empty.calls, empty.errors, empty.revenue, empty.p95_ms) == (0, 0, Decimal("0"), None)


def test_it_charts_the_selected_model_alone(dana, days, traffic):
    figures, _ = period_figures(models=traffic, days=days, selected=traffic[1])
    assert as_tuples(figures) == expected_days([traffic[1]], days)


def test_it_totals_the_period_per_model_in_the_order_given(dana, days, traffic):
    ordered = [traffic[2], traffic[0], traffic[1]]
    _, table = period_figures(models=ordered, days=days, selected=traffic[0])
    assert [row.model for row in table] == ordered
    sums = {
        row["model_id"]: row
        for row in ModelDailyStats.objects.filter(model__in=ordered, day__gte=days[0], day__lte=days[-1])
        .values("model_id")
        .annotate(
            calls=Sum("calls"),
            successes=Sum("successes"),
            errors=Sum("server_errors"),
            refused=Sum("refused"),
            revenue=Sum("revenue"),
            processing=Sum("processing_ms_total"),
        )
    }
    for row in table:
        expected = sums[row.model.pk]
        assert (row.calls, row.successes, row.errors, row.revenue, row.processing_ms) == (
            expected["calls"],
            expected["successes"],
            expected["errors"],
            expected["revenue"],
            expected["processing"],
        )
        assert isinstance(row.processing_ms, int)
    quiet, first = table[0], table[1]
    assert (quiet.calls, quiet.mean_ms, quiet.error_rate, quiet.revenue) == (0, None, None, Decimal("0.5000"))
    assert (first.calls, first.errors, first.error_rate, first.refused) == (9, 3, 33.3, 3)


def test_it_reads_the_rollups_in_one_query_and_none_without_models(
    dana, days, traffic, django_assert_num_queries
):
    with django_assert_num_queries(1) as captured:
        period_figures(models=traffic, days=period_days(90))
    assert "model_daily_stats" in captured.captured_queries[0]["sql"]
    assert "api_usage_logs" not in captured.captured_queries[0]["sql"]
    with django_assert_num_queries(0):
        figures, table = period_figures(models=[], days=days)
    assert len(figures) == 7 and table == []
