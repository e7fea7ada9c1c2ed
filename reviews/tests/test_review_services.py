"""The services under concurrent writers: each thread runs on its own database connection."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client

from accounts.models import UserStatus
from catalog.models import AIModel
from reviews import services
from reviews.models import ModelReview, ReviewVote
from reviews.tests.factories import ModelReviewFactory
from reviews.tests.helpers import verified_users

GOOD = {"rating": "5", "review_title": "Great", "review_text": "Does what it says."}


def run_in_threads(*targets):
    errors = []

    def wrap(target):
        def run():
            try:
                target()
            except Exception as error:
                errors.append(error)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(target)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_make_one_review(model, alice):
    barrier = threading.Barrier(2)
    statuses = []

    def submit():
        client = Client()
        client.force_login(alice)
        barrier.wait()
        response = client.post(f"/models/{model.api_name}/reviews/new/", GOOD)
        statuses.append(response.status_code)

    assert run_in_threads(submit, submit) == []

    assert ModelReview.objects.filter(model=model, user=alice).count() == 1
    assert sorted(statuses)[-1] == 302
    model.refresh_from_db()
    assert (model.rating_count, str(model.average_rating)) == (1, "5.00")


@pytest.mark.django_db(transaction=True)
def test_the_insert_that_loses_the_race_becomes_a_friendly_error(model, alice):
    first_inserted = threading.Event()

    def first():
        with transaction.atomic():
            services.review_create(user=alice, model=model, rating=4, title="First", text="One")
            first_inserted.set()
            time.sleep(0.5)  # the second insert now waits on the unique index

    thread = threading.Thread(target=lambda: (first(), connection.close()))
    thread.start()
    assert first_inserted.wait(10)
    with pytest.raises(services.ReviewError, match="You have already reviewed this model."):
        services.review_create(user=alice, model=model, rating=1, title="Second", text="Two")
    thread.join(10)

    assert list(ModelReview.objects.values_list("review_title", flat=True)) == ["First"]
    assert AIModel.objects.get(pk=model.pk).rating_count == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_votes_of_many_users_are_all_counted(model, alice):
    review = ModelReviewFactory(model=model, user=alice)
    voters = verified_users(8)
    barrier = threading.Barrier(len(voters))

    def voter(user):
        def vote():
            barrier.wait()
            services.review_vote_toggle(review=review, user=user)

        return vote

    assert run_in_threads(*(voter(user) for user in voters)) == []

    assert ModelReview.objects.get(pk=review.pk).helpful_votes == 8
    assert ReviewVote.objects.filter(review=review).count() == 8


@pytest.mark.django_db(transaction=True)
def test_a_double_click_never_makes_two_votes(model, alice, bob):
    review = ModelReviewFactory(model=model, user=alice)
    barrier = threading.Barrier(2)

    def vote():
        barrier.wait()
        services.review_vote_toggle(review=review, user=bob)

    assert run_in_threads(vote, vote) == []

    count = ReviewVote.objects.filter(review=review, user=bob).count()
    assert count in (0, 1)
    assert ModelReview.objects.get(pk=review.pk).helpful_votes == count


@pytest.mark.django_db
def test_a_reply_is_refused_to_a_developer_who_does_not_own_the_model(model, alice, eve):
    review = ModelReviewFactory(model=model, user=alice)
    with pytest.raises(services.ReviewError):
        services.reply_save(review=review, developer=eve, text="Not mine")


@pytest.mark.django_db
def test_a_review_is_refused_to_a_pending_user(model, pat):
    with pytest.raises(services.ReviewError, match="Verify your email address"):
        services.review_create(user=pat, model=model, rating=5, title="t", text="x")


@pytest.mark.django_db
def test_an_edit_is_refused_to_an_author_pending_verification(model, pat):
    review = ModelReviewFactory(model=model, user=pat, rating=2)
    with pytest.raises(services.ReviewError, match="Verify your email address"):
        services.review_update(review=review, rating=5, title="t", text="x")
    review.refresh_from_db()
    assert review.rating == 2


@pytest.mark.django_db
def test_a_reply_is_refused_to_a_developer_whose_account_is_not_active(model, alice, dana):
    review = ModelReviewFactory(model=model, user=alice)
    dana.user.status = UserStatus.PENDING_VERIFICATION
    dana.user.save()
    with pytest.raises(services.ReviewError):
        services.reply_save(review=review, developer=dana, text="Thanks")
