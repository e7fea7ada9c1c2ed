"""Reads of reviews for the model page: one query each, whatever the number of reviews."""

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page
from django.db.models import BooleanField, Count, Exists, OuterRef, QuerySet
from django.db.models.expressions import RawSQL

from accounts.models import User
from catalog.models import AIModel
from core.pagination import CountedPaginator
from core.replicas import read_connection
from reviews.models import ModelReview, ReviewReport, ReviewVote

REVIEWS_PER_PAGE = 10

# "Verified caller": the review's author has at least one completed call to the reviewed model in
# user_history. The activity app owns that table, and reviews may not import activity (the layers contract
# in pyproject.toml: they are siblings), so the rule reads the tables by their names, as DESIGN.md fixes
# them, in plain SQL written once here for the filter, the histogram and the badge.
#
# model_users keeps, per (model, user) pair, the user's completed calls (`answered`, by the triggers on
# user_history): a verified caller is one index probe of its unique (model_id, user_id) index, whatever the
# size of the user's history.
VERIFIED_CALLER_SQL = """
    EXISTS (SELECT 1 FROM model_users mu
             WHERE mu.model_id = model_reviews.model_id AND mu.user_id = model_reviews.user_id
               AND mu.answered > 0)
"""
VERIFIED_CALLS_SQL = """
    SELECT mu.user_id, mu.answered FROM model_users mu
     WHERE mu.user_id = ANY(%s) AND mu.model_id = %s AND mu.answered > 0
"""


class ReviewFilter:
    ALL = "all"
    VERIFIED = "verified"
    choices = [(ALL, "All reviews"), (VERIFIED, "Verified callers")]


def review_filter_from(value: str | None) -> str:
    return ReviewFilter.VERIFIED if value == ReviewFilter.VERIFIED else ReviewFilter.ALL


def by_verified_callers(reviews: QuerySet) -> QuerySet:
    """`reviews` narrowed to those whose author has a completed call to the reviewed model."""
    return reviews.filter(RawSQL(VERIFIED_CALLER_SQL, (), output_field=BooleanField()))


def verified_call_counts(*, model: AIModel, user_ids: Iterable) -> dict:
    """Completed calls to `model` per user, for the users in `user_ids` that have any: one grouped query."""
    distinct = list(set(user_ids))
    if not distinct:
        return {}
    with read_connection().cursor() as cursor:
        cursor.execute(VERIFIED_CALLS_SQL, [distinct, model.pk])
        return dict(cursor.fetchall())


class ReviewSort:
    HELPFUL = "helpful"
    NEWEST = "newest"
    DEFAULT = HELPFUL
    choices = [(HELPFUL, "Most helpful"), (NEWEST, "Newest")]


ORDERINGS = {
    ReviewSort.HELPFUL: ["-helpful_votes", "-created_at", "review_id"],
    ReviewSort.NEWEST: ["-created_at", "review_id"],
}


def review_sort_from(value: str | None) -> str:
    return value if value in ORDERINGS else ReviewSort.DEFAULT


def visible_reviews(
    *, model: AIModel, user: User | AnonymousUser, sort: str, review_filter: str = ReviewFilter.ALL
) -> QuerySet:
    """Visible reviews of `model` (all, or by verified callers) with author, reply and, for a signed-in
    user, `user_has_voted` and `user_has_reported` (an open report of theirs)."""
    reviews = (
        ModelReview.objects.visible()
        .for_model(model)
        .select_related("user", "reply", "reply__developer")
        .order_by(*ORDERINGS[review_sort_from(sort)])
    )
    if review_filter == ReviewFilter.VERIFIED:
        reviews = by_verified_callers(reviews)
    if user.is_authenticated:
        reviews = reviews.annotate(
            user_has_voted=Exists(ReviewVote.objects.filter(review=OuterRef("pk"), user=user)),
            user_has_reported=Exists(ReviewReport.objects.open().filter(review=OuterRef("pk"), user=user)),
        )
    return reviews


def review_page(
    *,
    model: AIModel,
    user: User | AnonymousUser,
    sort: str,
    page_number: int | str | None,
    review_filter: str = ReviewFilter.ALL,
    verified_count: int | None = None,
) -> Page:
    """A page of visible reviews; each carries `verified_calls`, its author's completed calls to `model`."""
    reviews = visible_reviews(model=model, user=user, sort=sort, review_filter=review_filter)
    # rating_count is the trigger-kept number of visible reviews: no COUNT(*) over a popular model's reviews.
    # Verified reviews have no kept count: the caller passes the sum of their histogram, which the page
    # shows anyway, or they are counted here.
    if review_filter == ReviewFilter.VERIFIED:
        count = reviews.count() if verified_count is None else verified_count
    else:
        count = model.rating_count
    paginator = CountedPaginator(reviews, REVIEWS_PER_PAGE, count=count)
    page = paginator.get_page(page_number)
    page_reviews = list(page.object_list)
    page.object_list = page_reviews
    calls = verified_call_counts(model=model, user_ids=[review.user_id for review in page_reviews])
    for review in page_reviews:
        review.model = model  # already loaded: saves one query per review in the templates
        review.verified_calls = calls.get(review.user_id, 0)
    return page


def rating_histogram(model: AIModel, *, review_filter: str = ReviewFilter.ALL) -> list[dict]:
    """Visible ratings of `model` (all, or by verified callers) per star, 5 down to 1, with each star's
    share in percent."""
    reviews = ModelReview.objects.visible().for_model(model)
    if review_filter == ReviewFilter.VERIFIED:
        reviews = by_verified_callers(reviews)
    counts = dict(
        reviews.order_by()
        .values_list("rating")
        .annotate(count=Count("*"))  # "*" lets the partial (model, rating) index answer alone
    )
    total = sum(counts.values())
    return [
        {
            "stars": stars,
            "count": counts.get(stars, 0),
            "percent": round(100 * counts.get(stars, 0) / total) if total else 0,
        }
        for stars in range(5, 0, -1)
    ]


def review_of_user(*, model: AIModel, user: User | AnonymousUser) -> ModelReview | None:
    """The user's own review of `model`, hidden or not (they see why it does not show)."""
    if not user.is_authenticated:
        return None
    review = ModelReview.objects.filter(model=model, user=user).select_related("reply").first()
    if review is not None:
        review.model = model
    return review


def has_open_report(*, review: ModelReview, user: User | AnonymousUser) -> bool:
    return user.is_authenticated and ReviewReport.objects.open().filter(review=review, user=user).exists()


class NewestReviews:
    """The visible reviews of some models, newest first, sliced the way Paginator slices.

    A busy developer's models hold 100,000 reviews or more: sorting them all for one page of 20 took
    250-550 ms. A slice [a:b] instead reads, per model, its b newest reviews from the (model_id,
    created_at) index and merges those: page n costs n x 20 rows per model.
    """

    SQL = """
        SELECT newest.review_id
          FROM unnest(%s::uuid[]) AS own(model_id)
         CROSS JOIN LATERAL (
               SELECT r.review_id, r.created_at FROM model_reviews r
                WHERE r.model_id = own.model_id AND NOT r.is_hidden
                ORDER BY r.created_at DESC, r.review_id DESC
                LIMIT %s) newest
         ORDER BY newest.created_at DESC, newest.review_id DESC
         LIMIT %s OFFSET %s
    """

    def __init__(self, model_ids: list):
        self.model_ids = model_ids

    def __getitem__(self, window: slice) -> list[ModelReview]:
        start, stop = window.start or 0, window.stop
        with read_connection().cursor() as cursor:
            cursor.execute(self.SQL, [self.model_ids, stop, stop - start, start])
            ids = [row[0] for row in cursor.fetchall()]
        rows = ModelReview.objects.filter(pk__in=ids).select_related("user", "reply").in_bulk()
        return [rows[pk] for pk in ids]
