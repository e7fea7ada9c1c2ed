"""Writes on reviews, votes and developer replies.

The database holds the rules that must survive concurrent writers (one review per user and model, one
vote per user and review, one reply per review); these functions turn a violation into a ReviewError
with a message a person can read. Ratings and vote counts are kept by triggers, never from here.
"""

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from accounts.models import Developer, User
from catalog.access import developer_block_reason
from catalog.models import AIModel
from core.constraints import violated_constraint
from reviews.models import ModelReview, ReviewReply, ReviewVote

ALREADY_REVIEWED = "You have already reviewed this model."
VERIFY_TO_REVIEW = "Verify your email address to write reviews: follow the link in the mail we sent you."
NOT_LISTED = "This model is not open to reviews."
UNIQUE_REVIEW_CONSTRAINT = "model_reviews_model_user_unique"


class ReviewError(Exception):
    """A review action the rules do not allow; str(error) is meant for the user."""


def review_refusal(*, user: User | AnonymousUser, model: AIModel) -> str | None:
    """Why `user` may not review `model`, or None when they may. Only listed models take reviews
    (AIModel.is_listed: no query when the developer and the account came with the model)."""
    if not model.is_listed:
        return NOT_LISTED
    if not user.is_authenticated:
        return "Sign in to write a review."
    if not user.is_verified:
        return VERIFY_TO_REVIEW
    if model.developer.user_id == user.pk:
        return "You cannot review your own model."
    return None


def vote_refusal(*, user: User | AnonymousUser, review: ModelReview) -> str | None:
    """Why `user` may not mark `review` helpful, or None when they may."""
    if not user.is_authenticated:
        return "Sign in to mark reviews helpful."
    if not user.is_verified:
        return "Verify your email address to mark reviews helpful."
    if review.user_id == user.pk:
        return "You cannot vote on your own review."
    return None


def review_create(
    *, user: User | AnonymousUser, model: AIModel, rating: int, title: str, text: str
) -> ModelReview:
    refusal = review_refusal(user=user, model=model)
    if refusal:
        raise ReviewError(refusal)
    assert user.is_authenticated  # review_refusal turned anonymous visitors away
    if ModelReview.objects.filter(model=model, user=user).exists():
        raise ReviewError(ALREADY_REVIEWED)
    try:
        with transaction.atomic():
            return ModelReview.objects.create(
                model=model, user=user, rating=rating, review_title=title, review_text=text
            )
    except IntegrityError as error:
        # Another submission of the same user won the race between the check above and this insert.
        if violated_constraint(error) == UNIQUE_REVIEW_CONSTRAINT:
            raise ReviewError(ALREADY_REVIEWED) from error
        raise


@transaction.atomic
def review_update(*, review: ModelReview, rating: int, title: str, text: str) -> ModelReview:
    """Change the author's review; like writing one, it takes a verified author (the rating counts)."""
    if not review.user.is_verified:
        raise ReviewError(VERIFY_TO_REVIEW)
    review.rating = rating
    review.review_title = title
    review.review_text = text
    review.save(update_fields=["rating", "review_title", "review_text"])
    return review


@transaction.atomic
def review_delete(*, review: ModelReview) -> None:
    review.delete()


def review_vote_toggle(*, review: ModelReview, user: User | AnonymousUser) -> bool:
    """Mark `review` helpful for `user`, or take the mark back. Returns True when the user now votes."""
    refusal = vote_refusal(user=user, review=review)
    if refusal:
        raise ReviewError(refusal)
    assert user.is_authenticated  # vote_refusal turned anonymous visitors away
    with transaction.atomic():
        removed, _ = ReviewVote.objects.filter(review=review, user=user).delete()
        if removed:
            return False
        try:
            with transaction.atomic():
                ReviewVote.objects.create(review=review, user=user)
        except IntegrityError:
            # A simultaneous request of the same user voted first: the vote stands either way.
            pass
        return True


def reply_refusal(*, developer: Developer | None, review: ModelReview) -> str | None:
    """Why `developer` may not reply under `review`, or None: only the model's developer, while it may use
    the dashboard (an active profile on an active account), replies."""
    if (
        developer is None
        or developer_block_reason(developer, developer.user) is not None
        or review.model.developer_id != developer.pk
    ):
        return "Only the model's developer can reply to its reviews."
    return None


def reply_save(*, review: ModelReview, developer: Developer, text: str) -> ReviewReply:
    """Create the developer's reply under `review`, or replace its text."""
    refusal = reply_refusal(developer=developer, review=review)
    if refusal:
        raise ReviewError(refusal)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                reply, _ = ReviewReply.objects.update_or_create(
                    review=review, defaults={"developer": developer, "reply_text": text}
                )
                return reply
        except IntegrityError:
            # Two first replies at once: the loser retries as an update of the winner's row.
            continue
    raise ReviewError("The reply could not be saved. Try again.")
