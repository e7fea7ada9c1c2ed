"""The catalog's page of results and its category counts, in one pass over the matches where that helps.

Every catalog page shows the categories with their number of matches (ignoring the category filter), and
those counts add up to the number of results, so no COUNT(*) runs. How they are read depends on the page:

- Browsing (no search text): one GROUP BY that PostgreSQL answers from models_listed_idx, and the page
  read in index order with LIMIT. Both are cheap whatever the size of the catalog.
- Searching: both would evaluate the full-text match over every matching row, twice. Instead one statement
  numbers the matches in the page's order once (a MATERIALIZED CTE), and returns from them the count of
  each category and the ids of the requested page: a dozen rows whatever the number of matches. The page's
  models are then read by primary key. (Reading every match's id into Python instead cost as much CPU in
  the worker as the second pass had cost PostgreSQL.)
"""

from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import Count, F, OrderBy, QuerySet, Window
from django.db.models.functions import RowNumber

from catalog.cards import CARD_FIELDS
from catalog.filters import AIModelFilter
from catalog.models import AIModel, Category
from core.pagination import CountedPaginator
from core.replicas import read_connection


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


def _window_order(queryset: QuerySet) -> list:
    """The queryset's ORDER BY as expressions a window function can take."""
    order = []
    for item in queryset.query.order_by:
        if isinstance(item, str):
            item = F(item[1:]).desc() if item.startswith("-") else F(item).asc()
        order.append(item if isinstance(item, OrderBy) else item.asc())
    return order


# Around the numbered matches' SQL (its params first), then the category (twice), LIMIT and OFFSET.
_ONE_PASS_HEAD = "WITH matches AS MATERIALIZED ("
_ONE_PASS_TAIL = """)
SELECT NULL::uuid, category, count(*) FROM matches GROUP BY category
UNION ALL
(SELECT model_id, category, position FROM matches
 WHERE %s = '' OR category = %s ORDER BY position LIMIT %s OFFSET %s)
"""


def _first_read(page_number) -> int:
    """The page to read before the number of results is known: the requested one when it is a page
    number at all, else the first (Django's rules then pick the page shown, and a second read follows
    in the rare case they pick another)."""
    try:
        return max(1, int(page_number))
    except (TypeError, ValueError):
        return 1


def _search_results(everywhere: QuerySet, selected: str, page_number, per_page: int) -> CatalogResults:
    numbered = (
        everywhere.prefetch_related(None)
        .annotate(position=Window(RowNumber(), order_by=_window_order(everywhere)))
        .order_by()
        .values_list("model_id", "category", "position")
    )
    matches_sql, matches_params = numbered.query.sql_with_params()
    sql = _ONE_PASS_HEAD + matches_sql + _ONE_PASS_TAIL

    def read(number: int) -> tuple[dict[str, int], list]:
        with read_connection().cursor() as cursor:
            cursor.execute(sql, [*matches_params, selected, selected, per_page, (number - 1) * per_page])
            rows = cursor.fetchall()
        counts = {category: count for model_id, category, count in rows if model_id is None}
        return counts, [model_id for model_id, _, _ in rows if model_id is not None]

    first = _first_read(page_number)
    counts, ids = read(first)
    total = sum(count for category, count in counts.items() if not selected or category == selected)
    paginator = CountedPaginator([], per_page, count=total)
    number = paginator.get_page(page_number).number  # Django's rules: not a number, 1; out of range, the last
    if number != first:
        counts, ids = read(number)
    page_obj = Page([], number, paginator)
    found = AIModel.objects.public().only(*CARD_FIELDS).prefetch_related("developer").in_bulk(ids)
    # A model unlisted between the two reads is left out of its page rather than shown.
    page_obj.object_list = [found[pk] for pk in ids if pk in found]
    return CatalogResults(page_obj=page_obj, category_counts=category_facets(counts))


def _browse_results(
    filterset: AIModelFilter, everywhere: QuerySet, selected: str, page_number, per_page: int
):
    facets = category_counts(everywhere)
    total = sum(c["count"] for c in facets if not selected or c["value"] == selected)
    page_obj = CountedPaginator(filterset.qs, per_page, count=total).get_page(page_number)
    return CatalogResults(page_obj=page_obj, category_counts=facets)


def catalog_results(filterset: AIModelFilter, page_number, per_page: int) -> CatalogResults:
    """The requested page of `filterset`'s results (its models loaded for cards) and the category counts."""
    selected = filterset.selected_category
    everywhere = filterset.without("category").qs
    if filterset.search_text:
        return _search_results(everywhere, selected, page_number, per_page)
    return _browse_results(filterset, everywhere, selected, page_number, per_page)
