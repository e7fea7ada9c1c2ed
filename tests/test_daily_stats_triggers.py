"""model_daily_stats agrees with the raw api_usage_logs and user_history rows after every kind of write.

The triggers keep the rollup incrementally; these tests recompute it from scratch with one GROUP BY over
the raw rows and compare every column, the 64-bucket latency histogram included.
"""

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from activity.models import LATENCY_BUCKETS, ApiUsageLog, ModelDailyStats, UserHistory
from activity.rollups import RATIO
from activity.tests.factories import ApiUsageLogFactory, UserHistoryFactory
from tests.conftest import sql

MONDAY = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
# 23:59:59.5 UTC on Tuesday: still Tuesday's row, whatever the server's time zone.
LATE_TUESDAY = datetime(2026, 3, 3, 23, 59, 59, 500000, tzinfo=UTC)
WEDNESDAY = datetime(2026, 3, 4, 0, 0, 0, tzinfo=UTC)

COLUMNS = (
    "calls",
    "successes",
    "refused",
    "server_errors",
    "processing_ms_total",
    "latency_buckets",
    "interactions",
    "revenue",
)


def empty() -> dict:
    return dict.fromkeys(COLUMNS, 0) | {"latency_buckets": [0] * LATENCY_BUCKETS}


def from_raw_rows(model) -> dict:
    days: dict = {}
    for day, code, ms, bucket in sql(
        "SELECT (created_at AT TIME ZONE 'UTC')::date, response_code, processing_time_ms, "
        "activity_latency_bucket(processing_time_ms) FROM api_usage_logs WHERE model_id = %s",
        [model.pk],
    ):
        row = days.setdefault(day, empty())
        forwarded = 200 <= code <= 299 or code in (502, 504)
        row["refused"] += not forwarded
        if not forwarded:
            continue
        row["calls"] += 1
        row["successes"] += 200 <= code <= 299
        row["server_errors"] += code in (502, 504)
        row["processing_ms_total"] += ms
        row["latency_buckets"][bucket] += 1
    for day, interactions, revenue in sql(
        "SELECT (request_timestamp AT TIME ZONE 'UTC')::date, count(*), sum(cost_incurred) "
        "FROM user_history WHERE model_id = %s GROUP BY 1",
        [model.pk],
    ):
        row = days.setdefault(day, empty())
        row["interactions"], row["revenue"] = interactions, revenue
    return days


def from_rollup(model) -> dict:
    days = {}
    for stats in ModelDailyStats.objects.filter(model=model):
        row = {column: getattr(stats, column) for column in COLUMNS}
        if any(row[c] for c in COLUMNS if c != "latency_buckets") or any(row["latency_buckets"]):
            days[stats.day] = row
    return days


def assert_rollup_agrees(model) -> None:
    expected = {day: row for day, row in from_raw_rows(model).items() if row["calls"] or row["interactions"]}
    assert from_rollup(model) == expected


def a_mixed_day(model):
    for when, code, ms in [
        (MONDAY, 200, 120),
        (MONDAY, 200, 95),
        (MONDAY, 404, 3),
        (MONDAY, 502, 2000),
        (LATE_TUESDAY, 201, 0),
        (LATE_TUESDAY, 429, 1),
        (WEDNESDAY, 200, 30_000),
        (WEDNESDAY, 504, 10_000_000),
    ]:
        ApiUsageLogFactory(model=model, response_code=code, processing_time_ms=ms, created_at=when)
    for when, cost in [(MONDAY, "0.0100"), (MONDAY, "0.0250"), (LATE_TUESDAY, "0")]:
        UserHistoryFactory(model=model, request_timestamp=when, cost_incurred=Decimal(cost))


def test_the_rollup_matches_rows_written_through_the_orm(model):
    a_mixed_day(model)

    assert_rollup_agrees(model)
    monday = ModelDailyStats.objects.get(model=model, day=MONDAY.date())
    assert (monday.calls, monday.successes, monday.refused, monday.server_errors) == (3, 2, 1, 1)
    assert (monday.interactions, monday.revenue) == (2, Decimal("0.0350"))
    assert monday.processing_ms_total == 120 + 95 + 2000  # the refused 404 is not the upstream's time


def test_the_rollup_matches_rows_written_by_sql(model, alice):
    sql(
        "INSERT INTO api_usage_logs (model_id, response_code, processing_time_ms, created_at) "
        "SELECT %s, code, ms, %s FROM unnest(ARRAY[200, 200, 500, 401], ARRAY[5, 50, 500, 5000]) AS t(code, ms)",
        [model.pk, MONDAY],
    )
    sql(
        "INSERT INTO user_history (user_id, model_id, session_id, prompt, status, request_timestamp, cost_incurred) "
        "VALUES (%s, %s, 's1', 'p', 'completed', %s, 0.5), (%s, %s, 's2', 'p', 'failed', %s, 0)",
        [alice.pk, model.pk, MONDAY, alice.pk, model.pk, WEDNESDAY],
    )

    assert_rollup_agrees(model)


def test_the_rollup_follows_deletes_and_edits(model):
    a_mixed_day(model)
    logs = list(ApiUsageLog.objects.filter(model=model).order_by("created_at", "response_code"))
    history = list(UserHistory.objects.filter(model=model).order_by("request_timestamp"))

    logs[0].delete()
    sql("DELETE FROM api_usage_logs WHERE log_id = %s", [logs[1].pk])
    ApiUsageLog.objects.filter(pk=logs[2].pk).update(response_code=200, processing_time_ms=77)
    sql("UPDATE api_usage_logs SET created_at = %s WHERE log_id = %s", [WEDNESDAY, logs[3].pk])
    history[0].delete()
    sql(
        "UPDATE user_history SET cost_incurred = 1.25, request_timestamp = %s WHERE history_id = %s",
        [WEDNESDAY + timedelta(hours=1), history[1].pk],
    )
    assert_rollup_agrees(model)

    ApiUsageLog.objects.filter(model=model).delete()
    sql("DELETE FROM user_history WHERE model_id = %s", [model.pk])
    assert from_rollup(model) == {}


def test_a_call_as_long_as_the_column_holds_can_be_logged(model):
    ApiUsageLogFactory(model=model, processing_time_ms=2**31 - 1)

    assert ModelDailyStats.objects.get(model=model).latency_buckets[LATENCY_BUCKETS - 1] == 1


@pytest.mark.parametrize("ms", [0, 1, 2, 5, 99, 100, 1_000, 12_345, 30_000, 2**31 - 1])
def test_a_latency_lands_in_the_bucket_the_rollups_module_reads(db, ms):
    (bucket,) = sql("SELECT activity_latency_bucket(%s)", [ms])[0]

    if bucket < LATENCY_BUCKETS - 1:
        assert RATIO**bucket - 1 <= ms < RATIO ** (bucket + 1) - 1
    else:
        assert ms >= RATIO**bucket - 1
    assert bucket == min(LATENCY_BUCKETS - 1, math.floor(math.log(ms + 1) / math.log(RATIO)))
