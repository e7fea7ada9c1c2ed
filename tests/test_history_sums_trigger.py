"""user_history_counts also keeps each user's cost and latency sums, and user_activity_summary reads them.

Every test compares the kept sums with one fresh GROUP BY over user_history, and the view with the
definition it had when it aggregated the raw rows (migration 0004), after each kind of write.
"""

import importlib
from decimal import Decimal

import pytest

from accounts.models import User
from activity.models import HistoryStatus, UserActivitySummary, UserHistory
from activity.tests.factories import UserHistoryFactory
from catalog.tests.factories import AIModelFactory
from reviews.tests.factories import ModelReviewFactory
from tests.conftest import sql
from tests.test_concurrency import at_once

RAW_VIEW = importlib.import_module("activity.migrations.0004_reporting_views").SQL
RAW_SUMMARY = (
    RAW_VIEW[RAW_VIEW.index("SELECT u.user_id") : RAW_VIEW.index("-- total_revenue")].rstrip().rstrip(";")
)
COLUMNS = (
    "user_id, total_interactions, distinct_models, total_cost, avg_response_time_ms, last_activity_at, "
    "reviews_written"
)


def fresh() -> dict[tuple, tuple]:
    rows = sql(
        "SELECT user_id, status, count(*), sum(cost_incurred), COALESCE(sum(response_time_ms), 0), "
        "count(response_time_ms) FROM user_history GROUP BY 1, 2"
    )
    return {(user, status): tuple(rest) for user, status, *rest in rows}


def kept() -> dict[tuple, tuple]:
    rows = sql(
        "SELECT user_id, status, interactions, cost_total, response_time_ms_total, response_time_count "
        "FROM user_history_counts WHERE interactions <> 0 OR cost_total <> 0 OR response_time_count <> 0"
    )
    return {(user, status): tuple(rest) for user, status, *rest in rows}


def assert_agree() -> None:
    assert kept() == fresh()
    view = sql(f"SELECT {COLUMNS} FROM user_activity_summary ORDER BY user_id")
    raw = sql(f"SELECT {COLUMNS} FROM ({RAW_SUMMARY}) raw ORDER BY user_id")
    assert view == raw


@pytest.mark.django_db
def test_inserts_updates_moves_and_deletes_keep_the_sums(alice, bob, model):
    other = AIModelFactory()
    rows = [
        UserHistoryFactory(user=alice, model=model, cost_incurred=Decimal("0.0125"), response_time_ms=40),
        UserHistoryFactory(user=alice, model=other, cost_incurred=Decimal("0.5000"), response_time_ms=None),
        UserHistoryFactory(user=alice, model=model, status=HistoryStatus.FAILED, cost_incurred=0),
        UserHistoryFactory(user=bob, model=model, response_time_ms=7),
    ]
    ModelReviewFactory(model=model, user=alice)
    assert_agree()

    UserHistory.objects.filter(pk=rows[0].pk).update(cost_incurred=Decimal("0.0300"), response_time_ms=None)
    sql("UPDATE user_history SET response_time_ms = 900 WHERE history_id = %s", [rows[1].pk])
    assert_agree()

    sql(
        "UPDATE user_history SET status = 'timeout', user_id = %s WHERE history_id = %s", [bob.pk, rows[2].pk]
    )
    UserHistory.objects.filter(pk=rows[3].pk).update(user_rating=4)  # leaves the sums alone
    assert_agree()

    UserHistory.objects.filter(pk=rows[1].pk).delete()
    sql("DELETE FROM user_history WHERE user_id = %s", [bob.pk])
    assert_agree()


@pytest.mark.django_db
def test_a_deleted_user_takes_their_sums_with_them(alice, bob, model):
    UserHistoryFactory.create_batch(3, user=alice, model=model)
    UserHistoryFactory(user=bob, model=model)

    User.objects.filter(pk=alice.pk).delete()

    assert_agree()
    assert sql("SELECT count(*) FROM user_history_counts WHERE user_id = %s", [alice.pk]) == [(0,)]


@pytest.mark.django_db
def test_a_user_without_history_has_zero_cost_and_no_average(alice):
    summary = UserActivitySummary.objects.get(user=alice)

    assert (summary.total_interactions, summary.total_cost, summary.avg_response_time_ms) == (0, 0, None)
    assert_agree()


@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_and_deletes_of_one_user_keep_exact_sums():
    from accounts.tests.factories import UserFactory

    user, model = UserFactory(), AIModelFactory()
    doomed = UserHistoryFactory.create_batch(10, user=user, model=model, response_time_ms=33)

    def work(index: int) -> None:
        if index < 10:
            UserHistory.objects.filter(pk=doomed[index].pk).delete()
        else:
            UserHistory.objects.create(
                user_id=user.pk,
                model_id=model.pk,
                session_id=f"burst-{index}",
                prompt="p",
                status=HistoryStatus.COMPLETED,
                cost_incurred=Decimal("0.0001") * index,
                response_time_ms=index,
            )

    at_once(30, work)

    assert_agree()
    summary = UserActivitySummary.objects.get(user=user)
    assert summary.total_interactions == 20
    assert summary.total_cost == sum(Decimal("0.0001") * i for i in range(10, 30))
