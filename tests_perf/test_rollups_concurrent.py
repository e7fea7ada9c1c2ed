"""The rollups the dashboard reads stay equal to the raw logs after a burst of concurrent calls.

Threads, each on its own database connection, record calls at once through the gateway's own writer
(activity.gateway.records.call_record) on a few shared models, so the counter rows (models,
model_daily_stats, model_users) are contended; then every counter is compared with a fresh aggregate of
the raw rows.
"""

import threading
from decimal import Decimal

import psycopg
import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from activity.models import ApiUsageLog, ModelDailyStats, UserHistory
from activity.tests.helpers import record_burst_call
from bench import seed_scale
from catalog.models import AIModel
from catalog.tests.factories import AIModelFactory
from tests_perf.conftest import database_conninfo

THREADS = 8
CALLS_PER_THREAD = 25
CODES = (200, 200, 200, 429, 502, 200, 401, 504)


def record_calls(*, barrier: threading.Barrier, worker: int, models, users, failures: list) -> None:
    try:
        barrier.wait(timeout=30)
        for call in range(CALLS_PER_THREAD):
            model = models[(worker + call) % len(models)]
            user = users[call % len(users)] if call % 3 else None
            code = CODES[(worker * 7 + call) % len(CODES)]
            record_burst_call(model=model, user=user, code=code, writer=worker, call=call)
    except Exception as exc:  # reported by the test, which fails on any
        failures.append(exc)
    finally:
        connection.close()


@pytest.fixture
def burst(transactional_db):
    models = [AIModelFactory(price_per_request=Decimal("0.0150")) for _ in range(3)]
    users = [UserFactory() for _ in range(4)]
    barrier = threading.Barrier(THREADS)
    failures: list[Exception] = []
    threads = [
        threading.Thread(
            target=record_calls,
            kwargs={
                "barrier": barrier,
                "worker": worker,
                "models": models,
                "users": users,
                "failures": failures,
            },
        )
        for worker in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    return models


@pytest.mark.django_db(transaction=True)
def test_every_concurrent_call_is_logged_once(burst):
    assert ApiUsageLog.objects.count() == THREADS * CALLS_PER_THREAD
    assert UserHistory.objects.count() > 0


@pytest.mark.django_db(transaction=True)
def test_the_rollups_agree_with_a_fresh_aggregate_of_the_raw_rows(burst):
    with psycopg.connect(database_conninfo(), autocommit=True) as conn:
        assert seed_scale.verify(conn) == []


@pytest.mark.django_db(transaction=True)
def test_the_daily_rollup_counts_every_call_of_the_burst(burst):
    stats = ModelDailyStats.objects.filter(model__in=burst)
    # Forwarded calls (2xx, 502, 504) are calls; the 401s and 429s were refused and count apart.
    assert sum(s.calls + s.refused for s in stats) == THREADS * CALLS_PER_THREAD
    assert sum(s.refused for s in stats) == ApiUsageLog.objects.filter(response_code__in=[401, 429]).count()
    assert sum(sum(s.latency_buckets) for s in stats) == sum(s.calls for s in stats)
    assert sum(s.interactions for s in stats) == UserHistory.objects.count()
    for model in AIModel.objects.filter(pk__in=[m.pk for m in burst]):
        assert model.total_requests == ApiUsageLog.objects.filter(model=model, response_code=200).count()
        assert model.total_users == UserHistory.objects.filter(model=model).values("user").distinct().count()
