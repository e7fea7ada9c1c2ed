"""What reviews show on a model's page, which the catalog app owns and which cannot import reviews."""

from django import template

from reviews.forms import ReviewForm
from reviews.selectors import ReviewSort, rating_histogram, review_of_user, review_page, review_sort_from
from reviews.services import review_refusal

register = template.Library()


@register.simple_tag
def model_rating_histogram(model):
    """Rows of stars, count and percent, five to one, over the model's visible reviews."""
    return rating_histogram(model)


@register.inclusion_tag("reviews/_section.html", takes_context=True)
def model_reviews(context, model):
    """The reviews section: sort links, the user's own review or the form to write one (or why not),
    and a page of visible reviews."""
    request = context["request"]
    user = request.user
    sort = review_sort_from(request.GET.get("review_sort"))
    own_review = review_of_user(model=model, user=user)
    refusal = review_refusal(user=user, model=model) if model.is_listed else None
    return {
        "request": request,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        "model": model,
        "is_owner": context.get("is_owner", False),
        "reviews_page": review_page(
            model=model, user=user, sort=sort, page_number=request.GET.get("review_page")
        ),
        "review_sort": sort,
        "review_sort_choices": ReviewSort.choices,
        "own_review": own_review,
        "review_refusal": refusal,
        "review_form": ReviewForm() if model.is_listed and not refusal and not own_review else None,
    }
