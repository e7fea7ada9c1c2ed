"""Reads of reviews for the model page: one query each, whatever the number of reviews."""

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page
from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet

from accounts.models import User
from catalog.models import AIModel
from core.pagination import CountedPaginator
from reviews.models import ModelReview, ReviewVote

REVIEWS_PER_PAGE = 10


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


def visible_reviews(*, model: AIModel, user: User | AnonymousUser, sort: str) -> QuerySet:
    """Visible reviews of `model` with author, reply and (for a signed-in user) `user_has_voted`."""
    reviews = (
        ModelReview.objects.visible()
        .for_model(model)
        .select_related("user", "reply", "reply__developer")
        .order_by(*ORDERINGS[review_sort_from(sort)])
    )
    if user.is_authenticated:
        reviews = reviews.annotate(
            user_has_voted=Exists(ReviewVote.objects.filter(review=OuterRef("pk"), user=user))
        )
    return reviews


def review_page(
    *, model: AIModel, user: User | AnonymousUser, sort: str, page_number: int | str | None
) -> Page:
    # rating_count is the trigger-kept number of visible reviews: no COUNT(*) over a popular model's reviews.
    paginator = CountedPaginator(
        visible_reviews(model=model, user=user, sort=sort), REVIEWS_PER_PAGE, count=model.rating_count
    )
    page = paginator.get_page(page_number)
    for review in page.object_list:
        review.model = model  # already loaded: saves one query per review in the templates
    return page


def rating_histogram(model: AIModel) -> list[dict]:
    """Visible ratings of `model` per star, 5 down to 1, with each star's share in percent."""
    counts = dict(
        ModelReview.objects.visible()
        .for_model(model)
        .order_by()
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
        with connection.cursor() as cursor:
            cursor.execute(self.SQL, [self.model_ids, stop, stop - start, start])
            ids = [row[0] for row in cursor.fetchall()]
        rows = ModelReview.objects.filter(pk__in=ids).select_related("user", "reply").in_bulk()
        return [rows[pk] for pk in ids]
