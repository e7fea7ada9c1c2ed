"""models.rating_count / rating_sum / average_rating and model_reviews.helpful_votes, kept by triggers.

Each figure is checked after writes through the ORM and through plain SQL.
"""

from decimal import Decimal

from accounts.tests.factories import UserFactory
from catalog.tests.factories import AIModelFactory
from reviews.models import ModelReview, ReviewVote
from reviews.tests.factories import ModelReviewFactory, ReviewVoteFactory
from tests.conftest import sql


def rating(model) -> tuple[int, int, Decimal]:
    model.refresh_from_db()
    return model.rating_count, model.rating_sum, model.average_rating


def insert_review(model, rating_value: int, hidden: bool = False) -> str:
    user = UserFactory()
    return sql(
        "INSERT INTO model_reviews (model_id, user_id, rating, review_title, review_text, is_hidden) "
        "VALUES (%s, %s, %s, 'Title', 'Text', %s) RETURNING review_id",
        [model.pk, user.pk, rating_value, hidden],
    )[0][0]


def test_a_model_without_reviews_has_no_rating(model):
    assert rating(model) == (0, 0, Decimal("0.00"))


def test_reviews_written_through_the_orm_give_the_exact_average(model):
    for value in (5, 4, 4):
        ModelReviewFactory(model=model, rating=value)

    assert rating(model) == (3, 13, Decimal("4.33"))


def test_reviews_written_by_sql_give_the_exact_average(model):
    for value in (1, 2, 2):
        insert_review(model, value)

    assert rating(model) == (3, 5, Decimal("1.67"))


def test_a_hidden_review_does_not_count_and_counts_again_when_shown(model):
    ModelReviewFactory(model=model, rating=5)
    review = ModelReviewFactory(model=model, rating=2)

    review.is_hidden = True
    review.save()
    assert rating(model) == (1, 5, Decimal("5.00"))

    ModelReview.objects.filter(pk=review.pk).update(is_hidden=False)
    assert rating(model) == (2, 7, Decimal("3.50"))

    sql("UPDATE model_reviews SET is_hidden = true WHERE review_id = %s", [review.pk])
    assert rating(model) == (1, 5, Decimal("5.00"))

    sql("UPDATE model_reviews SET is_hidden = false WHERE review_id = %s", [review.pk])
    assert rating(model) == (2, 7, Decimal("3.50"))


def test_a_review_written_hidden_never_counts(model):
    ModelReviewFactory(model=model, rating=4)
    hidden = insert_review(model, 1, hidden=True)
    assert rating(model) == (1, 4, Decimal("4.00"))

    sql("UPDATE model_reviews SET rating = 5 WHERE review_id = %s", [hidden])
    assert rating(model) == (1, 4, Decimal("4.00"))

    sql("DELETE FROM model_reviews WHERE review_id = %s", [hidden])
    assert rating(model) == (1, 4, Decimal("4.00"))


def test_hiding_the_last_visible_review_brings_the_average_back_to_zero(model):
    review = ModelReviewFactory(model=model, rating=3)

    ModelReview.objects.filter(pk=review.pk).update(is_hidden=True)

    assert rating(model) == (0, 0, Decimal("0.00"))


def test_editing_a_rating_moves_the_average(model):
    ModelReviewFactory(model=model, rating=5)
    review = ModelReviewFactory(model=model, rating=5)

    review.rating = 2
    review.save()
    assert rating(model) == (2, 7, Decimal("3.50"))

    sql("UPDATE model_reviews SET rating = 3 WHERE review_id = %s", [review.pk])
    assert rating(model) == (2, 8, Decimal("4.00"))


def test_deleting_reviews_takes_their_ratings_out(model):
    keep = ModelReviewFactory(model=model, rating=4)
    orm_deleted = ModelReviewFactory(model=model, rating=1)
    sql_deleted = insert_review(model, 2)

    orm_deleted.delete()
    assert rating(model) == (2, 6, Decimal("3.00"))

    sql("DELETE FROM model_reviews WHERE review_id = %s", [sql_deleted])
    assert rating(model) == (1, 4, Decimal("4.00"))

    keep.delete()
    assert rating(model) == (0, 0, Decimal("0.00"))


def test_moving_a_review_to_another_model_moves_its_rating(model):
    other = AIModelFactory()
    review = ModelReviewFactory(model=model, rating=2)
    ModelReviewFactory(model=model, rating=4)

    sql("UPDATE model_reviews SET model_id = %s WHERE review_id = %s", [other.pk, review.pk])

    assert rating(model) == (1, 4, Decimal("4.00"))
    assert rating(other) == (1, 2, Decimal("2.00"))


def helpful(review) -> int:
    review.refresh_from_db()
    return review.helpful_votes


def test_helpful_votes_follow_votes_written_through_the_orm_and_by_sql(db):
    review = ModelReviewFactory()
    first, second = ReviewVoteFactory(review=review), ReviewVoteFactory(review=review)
    voter = UserFactory()
    sql("INSERT INTO review_votes (review_id, user_id) VALUES (%s, %s)", [review.pk, voter.pk])
    assert helpful(review) == 3

    first.delete()
    assert helpful(review) == 2

    sql("DELETE FROM review_votes WHERE vote_id = %s", [second.pk])
    assert helpful(review) == 1

    ReviewVote.objects.filter(review=review).delete()
    assert helpful(review) == 0


def test_moving_a_vote_to_another_review_moves_the_count(db):
    review, other = ModelReviewFactory(), ModelReviewFactory()
    vote = ReviewVoteFactory(review=review)

    sql("UPDATE review_votes SET review_id = %s WHERE vote_id = %s", [other.pk, vote.pk])

    assert (helpful(review), helpful(other)) == (0, 1)


def test_hiding_a_review_keeps_its_helpful_votes(db):
    vote = ReviewVoteFactory()

    ModelReview.objects.filter(pk=vote.review_id).update(is_hidden=True)

    assert helpful(vote.review) == 1
