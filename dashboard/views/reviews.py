"""/dashboard/reviews/: reviews of the developer's models, newest first, each with the reply form."""

from django.db import connection
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from catalog.access import get_active_developer, own_models
from core.pagination import CountedPaginator
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
