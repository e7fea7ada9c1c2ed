"""Public pages: home, catalog, developer profile (the model page is catalog.views.model_page).

Each runs a fixed number of queries whatever the number of rows: lists load their developer with a
join, counts come from one GROUP BY, usage figures from the per-day rollups.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from accounts.models import Developer
from catalog import selectors
from catalog.cards import CARD_FIELDS
from catalog.filters import AIModelFilter, ListLayout, SortChoice
from catalog.listing import catalog_results, category_counts
from catalog.models import AIModel, Category
from catalog.search import did_you_mean, suggest_categories
from core.page_cache import cache_for_anonymous

HOME_ROWS = 8
TOP_RATED_MIN_RATINGS = 3
TRENDING_DAYS = 7
MODELS_PER_PAGE = 24
CATEGORY_LABELS = dict(Category.choices)


@cache_for_anonymous
def home(request: HttpRequest) -> HttpResponse:
    # No model shows twice: top rated first; trending (activity's tag, in the template) and the newest
    # come as pools larger than a section, from which the template's {% unshown %} drops the models shown
    # above. The newest pool leaves out the top rated in SQL, so it only has the trending ones to lose.
    top_rated = list(selectors.top_rated_models(min_ratings=TOP_RATED_MIN_RATINGS, limit=HOME_ROWS))
    context = {
        "top_rated": top_rated,
        "newest_pool": selectors.newest_models(limit=HOME_ROWS * 2, exclude=top_rated),
        "categories": [c for c in category_counts(AIModel.objects.public()) if c["count"]],
        "top_rated_min": TOP_RATED_MIN_RATINGS,
        "trending_days": TRENDING_DAYS,
        "home_rows": HOME_ROWS,
        "trending_pool_size": HOME_ROWS * 2,
    }
    return render(request, "catalog/home.html", context)


def _without_empty_parameters(request: HttpRequest) -> str | None:
    """The catalog URL without its empty parameters ("?q=&tag=" from a form sent without JavaScript),
    or None when it has none."""
    pairs = [(name, value) for name, values in request.GET.lists() for value in values]
    kept = [(name, value) for name, value in pairs if value.strip()]
    if len(kept) == len(pairs):
        return None
    return request.path + (f"?{urlencode(kept)}" if kept else "")


def _is_fragment_request(request: HttpRequest) -> bool:
    """An htmx request for the results alone (the filter form's), not one restoring a whole page."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


@cache_for_anonymous
def model_list(request: HttpRequest) -> HttpResponse:
    clean_url = _without_empty_parameters(request)
    if clean_url is not None:
        return redirect(clean_url)
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
    search_text = filterset.search_text
    active_filters = _active_filters(request, filterset)
    context = {
        "filter": filterset,
        "form": filterset.form,
        "page_obj": page_obj,
        "models": page_obj.object_list,
        "category_counts": results.category_counts,
        "selected_category": filterset.selected_category,
        "active_filters": active_filters,
        # The drawer's "Filters (n)": what narrows the list, the search text aside (it stays in view).
        "filter_count": sum(1 for chip in active_filters if chip["name"] != "q"),
        "search_text": search_text,
        "did_you_mean": did_you_mean(search_text) if search_text and not paginator.count else None,
        "sort": filterset.sort_order,
        "sort_choices": _sort_choices(filterset),
        "layout": ListLayout.LIST if request.GET.get("view") == ListLayout.LIST else ListLayout.GRID,
        "page_notice": page_notice,
    }
    if _is_fragment_request(request):
        response = render(request, "catalog/_model_results.html", {**context, "fragment": True})
    else:
        response = render(request, "catalog/model_list.html", context)
    # The same URL answers a whole page or, to htmx, the results alone: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


SUGGEST_MAX_CHARS = 100
# One letter matches a good part of a large catalog (a hundred milliseconds to rank) and says little.
SUGGEST_MIN_CHARS = 2


def developer_url(developer: Developer) -> str:
    return reverse("catalog:developer_profile", kwargs={"username": developer.username})


@cache_for_anonymous
def model_suggest(request: HttpRequest) -> HttpResponse:
    """Models and developers whose names start with (or contain) ?q=, for the search boxes' list of
    suggestions: an HTML fragment of options, or JSON with ?format=json. Two indexed queries at most; any
    text, however odd, answers 200 (nothing matches text no name holds)."""
    text = request.GET.get("q", "").replace("\x00", "")[:SUGGEST_MAX_CHARS].strip()
    if len(text) < SUGGEST_MIN_CHARS:
        text = ""
    models = selectors.suggest_models(text) if text else []
    developers = selectors.suggest_developers(text, limit=3) if text else []
    categories = suggest_categories(text) if text else []
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "q": text,
                "models": [
                    {
                        "api_name": m.api_name,
                        "display_name": m.display_name,
                        "developer": m.developer.username,
                        "category": m.category,
                        "url": m.get_absolute_url(),
                    }
                    for m in models
                ],
                "developers": [
                    {"username": d.username, "company_name": d.company_name, "url": developer_url(d)}
                    for d in developers
                ],
                "categories": categories,
            }
        )
    context = {
        "q": text,
        "models": models,
        "developers": [(d, developer_url(d)) for d in developers],
        "categories": categories,
    }
    return render(request, "catalog/_suggestions.html", context)


def _sort_choices(filterset: AIModelFilter) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of the sort control; the order taken without a choice has the empty value,
    which the form leaves out of the URL."""
    search_text = filterset.search_text
    default = SortChoice.RELEVANCE if search_text else SortChoice.POPULAR
    return [
        ("" if value == default else value, label, value == filterset.sort_order)
        for value, label in SortChoice.choices
        if value != SortChoice.RELEVANCE or search_text
    ]


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
        encoded = urlencode([(key, v) for key, values in query.lists() for v in values if v.strip()])
        return f"?{encoded}" if encoded else "?"

    def chip(name: str, label: str, value=None) -> None:
        chips.append({"name": name, "label": label, "remove_url": without(name, value)})

    if filterset.search_text:
        chip("q", f"“{filterset.search_text}”")
    if cleaned.get("category"):
        chip("category", CATEGORY_LABELS[cleaned["category"]])
    for tag in filterset.active_tags:
        chip("tag", f"#{tag}", tag)
    if cleaned.get("developer"):
        chip("developer", f"by {cleaned['developer']}")
    if cleaned.get("min_rating") is not None:
        chip("min_rating", f"{cleaned['min_rating']:g}★ and up")
    if cleaned.get("min_price") is not None:
        chip("min_price", f"from ${cleaned['min_price']:g}")
    if cleaned.get("max_price") is not None:
        chip("max_price", f"up to ${cleaned['max_price']:g}")
    return chips


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
