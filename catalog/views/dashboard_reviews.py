"""/dashboard/reviews/: reviews of the developer's models, newest first, each with the reply form."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from catalog.access import get_active_developer, own_models
from reviews.models import ModelReview

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
    scope = {"model": selected} if selected else {"model__developer": developer}
    reviews = (
        ModelReview.objects.visible()
        .filter(**scope)
        .select_related("model", "user", "reply")
        .order_by("-created_at", "-review_id")
    )
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dashboard/reviews.html",
        {"page": page, "models": models, "selected": selected, "developer": developer},
    )
