"""Writes on reviews, votes and developer replies.

The database holds the rules that must survive concurrent writers (one review per user and model, one
vote per user and review, one reply per review); these functions turn a violation into a ReviewError
with a message a person can read. Ratings and vote counts are kept by triggers, never from here.
"""

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Now
from django.urls import reverse

from accounts.mail import site_url
from accounts.models import Developer, NotificationKind, User
from accounts.notifications import Message, notify
from catalog.access import developer_block_reason
from catalog.models import AIModel
from core.constraints import violated_constraint
from reviews.models import ModelReview, ReportResolution, ReviewReply, ReviewReport, ReviewVote

ALREADY_REVIEWED = "You have already reviewed this model."
VERIFY_TO_REVIEW = "Verify your email address to write reviews: follow the link in the mail we sent you."
NOT_LISTED = "This model is not open to reviews."
UNIQUE_REVIEW_CONSTRAINT = "model_reviews_model_user_unique"
ALREADY_REPORTED = "You have already reported this review: moderators will look at it."
OWN_REVIEW_REPORT = "You cannot report your own review."
OPEN_REPORT_CONSTRAINT = "review_reports_one_open_per_user"
NOT_BY_AUTHOR_CONSTRAINT = "review_reports_not_by_author"


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
            review = ModelReview.objects.create(
                model=model, user=user, rating=rating, review_title=title, review_text=text
            )
            _new_review_notify(review=review, model=model, author=user)
            return review
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
    """Create the developer's reply under `review`, or replace its text. The review's author is mailed the
    first reply (an edit mails nothing)."""
    refusal = reply_refusal(developer=developer, review=review)
    if refusal:
        raise ReviewError(refusal)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                reply, created = ReviewReply.objects.update_or_create(
                    review=review, defaults={"developer": developer, "reply_text": text}
                )
                if created:
                    _reply_notify(review=review, reply=reply, developer=developer)
                return reply
        except IntegrityError:
            # Two first replies at once: the loser retries as an update of the winner's row.
            continue
    raise ReviewError("The reply could not be saved. Try again.")


def _review_anchor(model: AIModel, review: ModelReview) -> str:
    """The review on its model page's Reviews tab."""
    return f"{reverse('catalog:model_reviews', args=[model.api_name])}#review-{review.pk}"


def _reply_notify(*, review: ModelReview, reply: ReviewReply, developer: Developer) -> None:
    """Tell the review's author, in their inbox and by mail (as their settings allow)."""
    model = review.model
    anchor = _review_anchor(model, review)
    notify(
        user_id=review.user_id,
        message=Message(
            kind=NotificationKind.REVIEW_REPLY,
            title=f"{developer.display_name} replied to your review of {model.display_name}",
            url=anchor,
            payload={"api_name": model.api_name, "review_id": str(review.pk)},
            mail_template="review_reply",
            mail_context={
                "user": {"username": review.user.username},
                "model_name": model.display_name,
                "review_title": review.review_title,
                "reply_text": reply.reply_text,
                "review_url": site_url(anchor),
            },
        ),
    )


def _new_review_notify(*, review: ModelReview, model: AIModel, author: User) -> None:
    """Tell the model's developer about a new review, in their inbox and by mail to the developer's
    address, with a link to the page that shows it and takes their reply."""
    developer = model.developer
    if developer.user_id == author.pk:
        return  # review_refusal turns a developer's review of their own model away; never tell them of one
    reply_path = reverse("reviews:reply", args=[model.api_name, review.pk])
    notify(
        user_id=developer.user_id,
        message=Message(
            kind=NotificationKind.NEW_REVIEW,
            title=f"New {review.rating}★ review of {model.display_name}: “{review.review_title}”",
            url=reply_path,
            payload={"api_name": model.api_name, "review_id": str(review.pk), "rating": review.rating},
            mail_template="new_review",
            mail_context={
                "name": developer.first_name or developer.username,
                "model_name": model.display_name,
                "reviewer": author.username,
                "rating": review.rating,
                "review_title": review.review_title,
                "review_text": review.review_text,
                "reply_url": site_url(reply_path),
                "review_url": site_url(_review_anchor(model, review)),
            },
        ),
        mail_to=developer.email,
    )


def report_refusal(*, user: User | AnonymousUser, review: ModelReview) -> str | None:
    """Why `user` may not report `review`, or None when they may."""
    if not user.is_authenticated:
        return "Sign in to report reviews."
    if not user.is_verified:
        return "Verify your email address to report reviews: follow the link in the mail we sent you."
    if review.user_id == user.pk:
        return OWN_REVIEW_REPORT
    return None


def review_report_create(
    *, user: User | AnonymousUser, review: ModelReview, reason: str, details: str = ""
) -> ReviewReport:
    """Report `review` to the moderators; a user holds one open report per review."""
    refusal = report_refusal(user=user, review=review)
    if refusal:
        raise ReviewError(refusal)
    assert user.is_authenticated  # report_refusal turned anonymous visitors away
    try:
        with transaction.atomic():
            # The review's row lock orders this against hiding it (reviews_hide updates the row first):
            # either the review is still visible and the report is in before the hide resolves the
            # review's reports, or the hide came first and the review is gone for the reporter.
            visible = ModelReview.objects.visible().select_for_update(no_key=True).filter(pk=review.pk)
            if not visible.exists():
                raise ReviewError("This review is no longer shown.")
            if ReviewReport.objects.open().filter(review=review, user=user).exists():
                raise ReviewError(ALREADY_REPORTED)
            return ReviewReport.objects.create(review=review, user=user, reason=reason, details=details)
    except IntegrityError as error:
        # A second submission of the same user won the race past the check above (the partial unique
        # index), or the row broke the database's own-review rule (the trigger).
        constraint = violated_constraint(error)
        if constraint == OPEN_REPORT_CONSTRAINT:
            raise ReviewError(ALREADY_REPORTED) from error
        if constraint == NOT_BY_AUTHOR_CONSTRAINT:
            raise ReviewError(OWN_REVIEW_REPORT) from error
        raise


def moderator_name(*, staff: User) -> None:
    """Tell the database who moderates in the current transaction: the trigger that resolves a hidden
    review's reports (reviews/sql/functions/model_reviews_resolve_reports.sql) records them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('reviews.moderator_id', %s, true)", [str(staff.pk)])


@transaction.atomic
def reviews_hide(*, review_ids: Iterable, staff: User) -> int:
    """Hide the reviews in one UPDATE: they leave the page and the model's rating, their open reports are
    resolved (both by trigger), and each author sees the moderators' notice on the model page. Returns how
    many reviews this call hid."""
    moderator_name(staff=staff)
    return ModelReview.objects.filter(pk__in=list(review_ids), is_hidden=False).update(is_hidden=True)


@transaction.atomic
def review_reports_hide(*, report_ids: Iterable, staff: User) -> int:
    """Hide the reviews the reports are about, which resolves every open report of them (not only these)."""
    review_ids = ReviewReport.objects.filter(pk__in=list(report_ids)).values_list("review_id", flat=True)
    return reviews_hide(review_ids=list(review_ids), staff=staff)


@transaction.atomic
def review_reports_dismiss(*, report_ids: Iterable, staff: User) -> int:
    """Close open reports without hiding their reviews. Returns how many were open."""
    return (
        ReviewReport.objects.open()
        .filter(pk__in=list(report_ids))
        .update(resolved_at=Now(), resolution=ReportResolution.DISMISSED, resolved_by=staff)
    )
