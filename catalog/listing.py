"""The catalog's page of results and its category counts, in as few passes over the matches as possible.

Every catalog page shows the categories with their number of matches (ignoring the category filter), and
those counts add up to the number of results, so no COUNT(*) runs. How they are read depends on the page:

- Browsing (no search text): one GROUP BY that PostgreSQL answers from models_listed_idx, and the page
  read in index order with LIMIT. Both are cheap whatever the size of the catalog.
- Searching: both would evaluate the full-text match over every matching row, twice. Instead one query
  reads the id and category of every match, in the page's order, at most ONE_PASS_LIMIT of them; the
  counts and the page's ids come from that list, and the page's models are read by primary key. A search
  matching more than that (a one- or two-letter prefix) then also runs the browsing plan: three passes
  over its matches instead of two, the price of making the common, narrower searches take one.
"""

from collections import Counter
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet

from catalog.cards import CARD_FIELDS
from catalog.filters import AIModelFilter
from catalog.models import AIModel, Category
from config.pagination import CountedPaginator

ONE_PASS_LIMIT = 2_000


def category_facets(counts: dict[str, int]) -> list[dict]:
    """Every category, in the usual order, with its count (zero when absent)."""
    return [
        {"value": value, "label": label, "count": counts.get(value, 0)} for value, label in Category.choices
    ]


def category_counts(queryset: QuerySet) -> list[dict]:
    """Every category with its number of models in `queryset` (one GROUP BY query). COUNT(*), not
    COUNT(model_id), so that PostgreSQL can answer the unfiltered catalog from models_listed_idx alone."""
    return category_facets(dict(queryset.order_by().values_list("category").annotate(count=Count("*"))))


@dataclass(frozen=True)
class CatalogResults:
    page_obj: Page
    category_counts: list[dict]


def catalog_results(filterset: AIModelFilter, page_number, per_page: int) -> CatalogResults:
    """The requested page of `filterset`'s results (its models loaded for cards) and the category counts."""
    selected = filterset.selected_category
    everywhere = filterset.without("category").qs
    if filterset.search_text:
        matches = list(
            everywhere.prefetch_related(None).values_list("model_id", "category")[: ONE_PASS_LIMIT + 1]
        )
        if len(matches) <= ONE_PASS_LIMIT:
            ids = [pk for pk, category in matches if not selected or category == selected]
            page_obj = Paginator(ids, per_page).get_page(page_number)
            found = (
                AIModel.objects.public()
                .only(*CARD_FIELDS)
                .prefetch_related("developer")
                .in_bulk(page_obj.object_list)
            )
            # A model unlisted between the two reads is left out of its page rather than shown.
            page_obj.object_list = [found[pk] for pk in page_obj.object_list if pk in found]
            counts = Counter(category for _, category in matches)
            return CatalogResults(page_obj=page_obj, category_counts=category_facets(counts))
    facets = category_counts(everywhere)
    total = sum(c["count"] for c in facets if not selected or c["value"] == selected)
    page_obj = CountedPaginator(filterset.qs, per_page, count=total).get_page(page_number)
    return CatalogResults(page_obj=page_obj, category_counts=facets)
