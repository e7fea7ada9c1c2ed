"""Counters stay exact when many writers hit the same row at the same moment.

Each writer is a thread with its own database connection, released together by a barrier, each write
in its own transaction; the connection is closed when the thread ends.
"""

import random
import threading
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection, transaction

from accounts.tests.factories import DeveloperFactory, UserFactory
from activity.models import ApiUsageLog, ModelDailyStats, ModelUser, UserHistory
from catalog.tests.factories import AIModelFactory
from reviews.models import ModelReview, ReviewVote
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(count: int, work) -> None:
    """Run work(0) … work(count - 1) in `count` threads that start writing at the same instant."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            with transaction.atomic():
                work(index)
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert not any(thread.is_alive() for thread in threads)


def test_forty_users_reviewing_one_model_at_once_give_the_exact_count_and_average():
    model = AIModelFactory()
    reviewers = UserFactory.create_batch(40)
    ratings = [random.Random(index).randint(1, 5) for index in range(40)]

    at_once(
        40,
        lambda i: ModelReview.objects.create(
            model_id=model.pk, user_id=reviewers[i].pk, rating=ratings[i], review_title="t", review_text="x"
        ),
    )

    model.refresh_from_db()
    expected = (Decimal(sum(ratings)) / 40).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert (model.rating_count, model.rating_sum, model.average_rating) == (40, sum(ratings), expected)


def test_thirty_simultaneous_first_calls_by_one_user_count_one_user():
    model, user = AIModelFactory(), UserFactory()

    at_once(
        30,
        lambda i: UserHistory.objects.create(
            user_id=user.pk, model_id=model.pk, session_id=f"session-{i}", prompt="hi", status="completed"
        ),
    )

    model.refresh_from_db()
    assert model.total_users == 1
    assert ModelUser.objects.get(model=model, user=user).interactions == 30


def test_simultaneous_helpful_votes_are_all_counted():
    review = ModelReviewFactory()
    voters = UserFactory.create_batch(30)

    at_once(30, lambda i: ReviewVote.objects.create(review_id=review.pk, user_id=voters[i].pk))

    review.refresh_from_db()
    assert review.helpful_votes == 30


def test_simultaneous_calls_are_all_counted_and_rolled_up():
    model = AIModelFactory()

    at_once(30, lambda i: ApiUsageLog.objects.create(model_id=model.pk, response_code=200 if i % 3 else 502))

    model.refresh_from_db()
    assert model.total_requests == 20
    assert sum(ModelDailyStats.objects.filter(model=model).values_list("calls", flat=True)) == 30


def test_a_developer_creating_models_at_once_gets_the_exact_count():
    developer = DeveloperFactory()
    models = AIModelFactory.build_batch(20, developer=developer)

    at_once(20, lambda i: models[i].save())

    developer.refresh_from_db()
    assert developer.total_models_created == 20
