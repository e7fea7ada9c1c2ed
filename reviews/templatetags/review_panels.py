"""What reviews show on a model's page, which the catalog app owns and which cannot import reviews."""

from django import template

from reviews.forms import ReviewForm
from reviews.selectors import (
    ReviewFilter,
    ReviewSort,
    rating_histogram,
    review_filter_from,
    review_of_user,
    review_page,
    review_sort_from,
)
from reviews.services import review_refusal

register = template.Library()

# The query parameter of the model page that narrows its reviews and histogram: ?reviews=verified.
FILTER_PARAM = "reviews"


def _review_filter(context) -> str:
    request = context.get("request")
    return review_filter_from(request.GET.get(FILTER_PARAM) if request is not None else None)


def _histogram(context, model) -> list[dict]:
    """The page's histogram, read once per request: in the verified view the reviews section counts its
    pages from it too, instead of a second pass over the model's reviews."""
    review_filter = _review_filter(context)
    request = context.get("request")
    kept = getattr(request, "_review_histograms", None)
    if kept is None:
        kept = {}
        if request is not None:
            request._review_histograms = kept
    key = (model.pk, review_filter)
    if key not in kept:
        kept[key] = rating_histogram(model, review_filter=review_filter)
    return kept[key]


@register.simple_tag(takes_context=True)
def model_rating_histogram(context, model):
    """Rows of stars, count and percent, five to one, over the model's visible reviews, or over those of
    verified callers alone while the page shows only theirs (?reviews=verified)."""
    return _histogram(context, model)


@register.inclusion_tag("reviews/_histogram_scope.html", takes_context=True)
def rating_histogram_scope(context, model):
    """Under the histogram: whose ratings it counts, with the link to the other view."""
    return {"request": context.get("request"), "model": model, "review_filter": _review_filter(context)}


@register.inclusion_tag("reviews/_section.html", takes_context=True)
def model_reviews(context, model):
    """The reviews section: filter and sort links, the user's own review or the form to write one (or why
    not), and a page of visible reviews (all, or verified callers' only)."""
    request = context["request"]
    user = request.user
    sort = review_sort_from(request.GET.get("review_sort"))
    review_filter = _review_filter(context)
    own_review = review_of_user(model=model, user=user)
    refusal = review_refusal(user=user, model=model) if model.is_listed else None
    return {
        "request": request,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "model": model,
        "is_owner": context.get("is_owner", False),
        "reviews_page": review_page(
            model=model,
            user=user,
            sort=sort,
            page_number=request.GET.get("review_page"),
            review_filter=review_filter,
            verified_count=(
                sum(row["count"] for row in _histogram(context, model))
                if review_filter == ReviewFilter.VERIFIED
                else None
            ),
        ),
        "review_sort": sort,
        "review_sort_choices": ReviewSort.choices,
        "review_filter": review_filter,
        "review_filter_choices": ReviewFilter.choices,
        "own_review": own_review,
        "review_refusal": refusal,
        "review_form": ReviewForm() if model.is_listed and not refusal and not own_review else None,
    }
