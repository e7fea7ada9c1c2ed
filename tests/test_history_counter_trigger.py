"""user_history_counts agrees with the user_history rows after every kind of write, and stays exact when
many writers change one user's counts at the same moment.

Each test recomputes the counts from scratch with one GROUP BY over user_history and compares them with
what the triggers kept (a count left at zero by deletions is the same as no count).
"""

import importlib
from datetime import UTC, datetime, timedelta

import pytest

from accounts.tests.factories import UserFactory
from activity.models import HistoryStatus, UserHistory
from activity.tests.factories import UserHistoryFactory
from catalog.tests.factories import AIModelFactory
from tests.conftest import sql
from tests.test_concurrency import at_once

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
BACKFILL = importlib.import_module("activity.migrations.0010_history_counts_triggers").BACKFILL


def fresh() -> dict[tuple, int]:
    return {
        (user_id, status): n
        for user_id, status, n in sql("SELECT user_id, status, count(*) FROM user_history GROUP BY 1, 2")
    }


def kept() -> dict[tuple, int]:
    return {
        (user_id, status): n
        for user_id, status, n in sql(
            "SELECT user_id, status, interactions FROM user_history_counts WHERE interactions <> 0"
        )
    }


def history(user, model, n: int, status=HistoryStatus.COMPLETED) -> list[UserHistory]:
    return [
        UserHistoryFactory(user=user, model=model, status=status, request_timestamp=T0 + timedelta(minutes=i))
        for i in range(n)
    ]


@pytest.mark.django_db
class TestEveryKindOfWrite:
    def test_each_new_row_counts_under_its_user_and_status(self, alice, bob, model):
        history(alice, model, 3)
        history(alice, model, 2, HistoryStatus.FAILED)
        history(bob, model, 1, HistoryStatus.TIMEOUT)

        assert (
            kept()
            == fresh()
            == {
                (alice.pk, "completed"): 3,
                (alice.pk, "failed"): 2,
                (bob.pk, "timeout"): 1,
            }
        )

    def test_one_statement_inserting_rows_of_several_users_counts_each(self, alice, bob, model):
        sql(
            "INSERT INTO user_history (user_id, model_id, session_id, prompt, status, request_timestamp) "
            "SELECT u, %s, 's-' || n, 'hi', (ARRAY['completed', 'failed', 'timeout'])[1 + n %% 3], "
            "       now() - n * interval '1 minute' "
            "  FROM unnest(ARRAY[%s, %s]::uuid[]) AS u, generate_series(1, 20) AS n",
            [model.pk, alice.pk, bob.pk],
        )

        assert kept() == fresh()
        assert sum(kept().values()) == 40

    def test_a_deleted_row_is_no_longer_counted(self, alice, model):
        first, second, _ = history(alice, model, 3)

        first.delete()
        sql("DELETE FROM user_history WHERE history_id = %s", [second.pk])

        assert kept() == fresh() == {(alice.pk, "completed"): 1}

    def test_a_row_that_changes_status_or_user_moves_between_counts(self, alice, bob, model):
        row, _ = history(alice, model, 2)

        sql("UPDATE user_history SET status = 'failed' WHERE history_id = %s", [row.pk])
        assert kept() == fresh() == {(alice.pk, "completed"): 1, (alice.pk, "failed"): 1}

        sql(
            "UPDATE user_history SET user_id = %s, status = 'timeout' WHERE history_id = %s", [bob.pk, row.pk]
        )
        assert kept() == fresh() == {(alice.pk, "completed"): 1, (bob.pk, "timeout"): 1}

    def test_saving_a_rating_or_a_response_leaves_the_counts_alone(self, alice, model):
        rows = history(alice, model, 2)

        UserHistory.objects.filter(pk=rows[0].pk).update(user_rating=4, response="edited")

        assert kept() == fresh() == {(alice.pk, "completed"): 2}

    def test_deleting_a_model_uncounts_its_rows_for_every_user(self, alice, bob, model):
        other = AIModelFactory()
        history(alice, model, 3)
        history(alice, other, 2, HistoryStatus.FAILED)
        history(bob, model, 4, HistoryStatus.FAILED)

        sql("DELETE FROM models WHERE model_id = %s", [model.pk])

        assert kept() == fresh() == {(alice.pk, "failed"): 2}

    def test_deleting_a_user_by_sql_removes_their_counts_and_keeps_the_others(self, alice, bob, model):
        history(alice, model, 3)
        history(bob, model, 2)

        sql("DELETE FROM users WHERE user_id = %s", [alice.pk])

        assert sql("SELECT count(*) FROM user_history_counts WHERE user_id = %s", [alice.pk]) == [(0,)]
        assert kept() == fresh() == {(bob.pk, "completed"): 2}

    def test_deleting_a_user_through_django_removes_their_counts(self, alice, bob, model):
        history(alice, model, 3)
        history(bob, model, 1)

        alice.delete()

        assert kept() == fresh() == {(bob.pk, "completed"): 1}

    def test_the_migrations_backfill_counts_the_rows_already_there(self, alice, bob, model):
        history(alice, model, 3)
        history(alice, model, 1, HistoryStatus.TIMEOUT)
        history(bob, model, 2, HistoryStatus.FAILED)
        sql("DELETE FROM user_history_counts")

        sql(BACKFILL)

        assert kept() == fresh()
        assert len(kept()) == 3


@pytest.mark.django_db(transaction=True)
class TestConcurrentWriters:
    def test_thirty_simultaneous_first_calls_of_one_user_count_exactly(self):
        user, models = UserFactory(), AIModelFactory.create_batch(3)
        statuses = [HistoryStatus.COMPLETED, HistoryStatus.FAILED, HistoryStatus.TIMEOUT]

        at_once(
            30,
            lambda i: UserHistory.objects.create(
                user_id=user.pk,
                model_id=models[i % 3].pk,
                session_id=f"s-{i}",
                prompt="hi",
                status=statuses[i % 3],
            ),
        )

        assert kept() == fresh() == {(user.pk, status): 10 for status in statuses}

    def test_simultaneous_inserts_and_deletes_of_one_user_count_exactly(self):
        user, model = UserFactory(), AIModelFactory()
        rows = history(user, model, 20)

        def work(i: int) -> None:  # ten deletions and ten new rows
            if i % 2:
                UserHistory.objects.create(
                    user_id=user.pk, model_id=model.pk, session_id=f"new-{i}", prompt="hi", status="completed"
                )
            else:
                UserHistory.objects.filter(pk=rows[i].pk).delete()

        at_once(20, work)

        assert kept() == fresh() == {(user.pk, "completed"): 20}

    def test_statements_deleting_rows_of_the_same_users_neither_deadlock_nor_lose_a_count(self):
        users, models = UserFactory.create_batch(16), AIModelFactory.create_batch(12)
        for m, model in enumerate(models):
            for u, user in enumerate(reversed(users) if m % 2 else users):
                UserHistoryFactory(user=user, model=model, status=HistoryStatus.values[(m + u) % 3])
        kept_before = sum(kept().values())

        # Each statement removes one model's rows of every user, in its own row order.
        at_once(12, lambda i: sql("DELETE FROM user_history WHERE model_id = %s", [models[i].pk]))

        assert kept_before == 192
        assert kept() == fresh() == {}
