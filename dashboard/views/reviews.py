"""/dashboard/reviews/: reviews of the developer's models, newest first, each with the reply form."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from catalog.access import get_active_developer, own_models
from core.pagination import CountedPaginator
from reviews.selectors import NewestReviews

PAGE_SIZE = 20


@require_GET
def review_list(request):
    developer = get_active_developer(request)
    models = own_models(developer)
    selected = None
    api_name = request.GET.get("model", "")
    if api_name:
        selected = next((m for m in models if m.api_name == api_name), None)
        if selected is None:
            raise Http404("No such model.")
    shown = [selected] if selected else models
    by_id = {model.pk: model for model in shown}
    # Counted by the trigger-kept rating_count (visible reviews), not a COUNT over them.
    paginator = CountedPaginator(
        NewestReviews(list(by_id)), PAGE_SIZE, count=sum(model.rating_count for model in shown)
    )
    page = paginator.get_page(request.GET.get("page"))
    for review in page.object_list:
        review.model = by_id[review.model_id]
    return render(
        request,
        "dashboard/reviews.html",
        {"page": page, "models": models, "selected": selected, "developer": developer},
    )
