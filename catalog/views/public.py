"""Public pages: home, catalog, model page, developer profile.

Each runs a fixed number of queries whatever the number of rows: lists load their developer with a
join, counts come from one GROUP BY, usage figures from the per-day rollups.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.models import Developer
from catalog import selectors
from catalog.cards import CARD_FIELDS
from catalog.filters import AIModelFilter, SortChoice
from catalog.listing import catalog_results, category_counts
from catalog.models import AIModel, Category, ModelStatus
from catalog.selectors import get_model_for_viewer, is_model_owner
from catalog.views.caching import cache_for_anonymous

HOME_ROWS = 8
TOP_RATED_MIN_RATINGS = 3
TRENDING_DAYS = 7
MODELS_PER_PAGE = 24
CATEGORY_LABELS = dict(Category.choices)


@cache_for_anonymous
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "top_rated": selectors.top_rated_models(min_ratings=TOP_RATED_MIN_RATINGS, limit=HOME_ROWS),
        "newest": selectors.newest_models(limit=HOME_ROWS),
        "categories": [c for c in category_counts(AIModel.objects.public()) if c["count"]],
        "top_rated_min": TOP_RATED_MIN_RATINGS,
        "trending_days": TRENDING_DAYS,
        "home_rows": HOME_ROWS,
    }
    return render(request, "catalog/home.html", context)


@cache_for_anonymous
def model_list(request: HttpRequest) -> HttpResponse:
    # The page's developers come by primary key after the LIMIT (prefetch), not by joining every match.
    filterset = AIModelFilter(
        request.GET,
        queryset=AIModel.objects.public().only(*CARD_FIELDS).prefetch_related("developer"),
        request=request,
    )
    results = catalog_results(filterset, request.GET.get("page"), MODELS_PER_PAGE)
    page_obj = results.page_obj
    paginator = page_obj.paginator
    requested_page = request.GET.get("page")
    page_notice = ""
    if requested_page not in (None, "", str(page_obj.number)) and paginator.count:
        page_notice = f"There is no page {requested_page[:10]}; showing page {page_obj.number}."
    context = {
        "filter": filterset,
        "form": filterset.form,
        "page_obj": page_obj,
        "models": page_obj.object_list,
        "category_counts": results.category_counts,
        "selected_category": filterset.selected_category,
        "active_filters": _active_filters(request, filterset),
        "search_text": filterset.search_text,
        "sort": filterset.sort_order,
        "sort_choices": [
            (value, label)
            for value, label in SortChoice.choices
            if value != SortChoice.RELEVANCE or filterset.search_text
        ],
        "page_notice": page_notice,
    }
    return render(request, "catalog/model_list.html", context)


def _active_filters(request: HttpRequest, filterset: AIModelFilter) -> list[dict]:
    """Chips for the filters in use, each with the catalog URL that removes just that filter."""
    cleaned = filterset.form.cleaned_data
    chips = []

    def without(name: str, value=None) -> str:
        query = request.GET.copy()
        query.pop("page", None)
        if value is None:
            query.pop(name, None)
        else:
            query.setlist(name, [v for v in query.getlist(name) if v.strip().lower() != value])
        encoded = query.urlencode()
        return f"?{encoded}" if encoded else "?"

    if filterset.search_text:
        chips.append({"label": f"“{filterset.search_text}”", "remove_url": without("q")})
    if cleaned.get("category"):
        chips.append({"label": CATEGORY_LABELS[cleaned["category"]], "remove_url": without("category")})
    for tag in filterset.active_tags:
        chips.append({"label": f"#{tag}", "remove_url": without("tag", tag)})
    if cleaned.get("developer"):
        chips.append({"label": f"by {cleaned['developer']}", "remove_url": without("developer")})
    if cleaned.get("min_rating") is not None:
        chips.append({"label": f"{cleaned['min_rating']:g}★ and up", "remove_url": without("min_rating")})
    if cleaned.get("min_price") is not None:
        chips.append({"label": f"from ${cleaned['min_price']:g}", "remove_url": without("min_price")})
    if cleaned.get("max_price") is not None:
        chips.append({"label": f"up to ${cleaned['max_price']:g}", "remove_url": without("max_price")})
    return chips


def _snippets(model: AIModel) -> dict:
    base = settings.SITE_URL.rstrip("/")
    curl = (
        f"curl {base}/api/v1/chat/completions \\\n"
        '  -H "Authorization: Bearer $AMP_API_KEY" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        f'  -d \'{{"model": "{model.api_name}", '
        '"messages": [{"role": "user", "content": "Hello!"}]}\''
    )
    python = (
        "import os\n\n"
        "from openai import OpenAI\n\n"
        f'client = OpenAI(base_url="{base}/api/v1", api_key=os.environ["AMP_API_KEY"])\n'
        "reply = client.chat.completions.create(\n"
        f'    model="{model.api_name}",\n'
        '    messages=[{"role": "user", "content": "Hello!"}],\n'
        ")\n"
        "print(reply.choices[0].message.content)"
    )
    return {"curl": curl, "python": python, "invoke_url": f"{base}/api/v1/models/{model.api_name}/invoke"}


@cache_for_anonymous
def model_detail(request: HttpRequest, api_name: str) -> HttpResponse:
    model = get_model_for_viewer(request, api_name)
    # Usage figures, the playground and reviews come from the activity and reviews apps' template tags
    # (activity_panels, playground, review_panels): those apps sit above the catalog.
    context = {
        "model": model,
        "is_owner": is_model_owner(request.user, model),
        "is_served": model.status == ModelStatus.ACTIVE or model.sunset_ahead,
        "snippets": _snippets(model),
        # A model deprecated with notice keeps its playground: until the sunset it answers, after it the
        # playground says why it does not.
        "show_playground": model.status == ModelStatus.ACTIVE or model.sunset_at is not None,
    }
    return render(request, "catalog/model_detail.html", context)


def developer_profile(request: HttpRequest, username: str) -> HttpResponse:
    if "\x00" in username:
        # No username holds U+0000, and PostgreSQL refuses it in a query parameter.
        raise Http404("No such developer.")
    developer = get_object_or_404(Developer.objects.active(), username=username)
    models = selectors.developer_catalog_models(developer=developer)
    totals = selectors.catalog_totals(models)
    paginator = Paginator(models, MODELS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    context = {
        "developer": developer,
        "page_obj": page_obj,
        "models": page_obj.object_list,
        "totals": totals,
    }
    return render(request, "catalog/developer_profile.html", context)
