"""A search's page and category counts from one pass over its matches agree with the two-query plan."""

from decimal import Decimal

import pytest
from django.http import QueryDict

from catalog import listing
from catalog.filters import AIModelFilter
from catalog.models import AIModel, Category, ModelStatus
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db

PER_PAGE = 3


@pytest.fixture
def catalog(dana):
    categories = [Category.SUMMARIZATION, Category.TRANSLATION, Category.TEXT_GENERATION]
    models = []
    for number in range(11):
        models.append(
            AIModelFactory(
                developer=dana,
                display_name=f"Summarizer {number:02d}",
                description="Summarises reports." if number % 2 else "Condenses long documents.",
                category=categories[number % 3],
                total_requests=number * 7 % 5,
                price_per_request=Decimal(number % 4) / 100,
            )
        )
    AIModelFactory(developer=dana, display_name="Summary draft", status=ModelStatus.UNDER_REVIEW)
    AIModelFactory(developer=dana, display_name="Summary private", is_public=False)
    AIModelFactory(developer=dana, display_name="Unrelated", description="Draws pictures.")
    return models


def results(query: str, page: str | None, *, one_pass: bool) -> tuple[list, list, int, int]:
    filterset = AIModelFilter(
        QueryDict(query),
        queryset=AIModel.objects.public().only(*listing.CARD_FIELDS).prefetch_related("developer"),
    )
    if one_pass:
        found = listing.catalog_results(filterset, page, PER_PAGE)
    else:
        everywhere = filterset.without("category").qs
        found = listing._browse_results(filterset, everywhere, filterset.selected_category, page, PER_PAGE)
    page_obj = found.page_obj
    return (
        [model.pk for model in page_obj.object_list],
        found.category_counts,
        page_obj.paginator.count,
        page_obj.number,
    )


@pytest.mark.parametrize(
    "query",
    [
        "q=summ",
        "q=summar",
        "q=summ&category=translation",
        "q=summ&category=embeddings",
        "q=summ&sort=name",
        "q=summ&sort=price",
        "q=summ&sort=popular&min_rating=0",
        "q=report",
        "q=nothing+matches+this",
    ],
)
@pytest.mark.parametrize("page", [None, "2", "4", "99", "x", "0", "-1", "2.0"])
def test_one_pass_gives_the_page_and_counts_the_two_queries_give(catalog, query, page):
    one_pass = results(query, page, one_pass=True)
    two_queries = results(query, page, one_pass=False)

    assert one_pass == two_queries


def test_the_counts_cover_every_public_match_and_the_page_holds_loaded_cards(catalog):
    ids, counts, total, number = results("q=summ", None, one_pass=True)

    assert total == 11 == sum(c["count"] for c in counts)
    assert {c["value"]: c["count"] for c in counts if c["count"]} == {
        Category.SUMMARIZATION: 4,
        Category.TRANSLATION: 4,
        Category.TEXT_GENERATION: 3,
    }
    assert len(ids) == PER_PAGE and number == 1


def test_a_search_reads_its_matches_once_however_many_there_are(catalog, django_assert_num_queries):
    filterset = AIModelFilter(
        QueryDict("q=summ&page=3"), queryset=AIModel.objects.public().only(*listing.CARD_FIELDS)
    )

    with django_assert_num_queries(3):  # the numbered matches' counts and page, the models, their developers
        found = listing.catalog_results(filterset, "3", PER_PAGE)
        page = list(found.page_obj.object_list)
        [model.developer.username for model in page]

    assert found.page_obj.paginator.count == 11
    assert len(page) == PER_PAGE


def test_a_page_past_the_last_is_read_again_as_the_last(catalog, django_assert_num_queries):
    filterset = AIModelFilter(
        QueryDict("q=summ"), queryset=AIModel.objects.public().only(*listing.CARD_FIELDS)
    )

    with django_assert_num_queries(4):
        found = listing.catalog_results(filterset, "99", PER_PAGE)
        page = list(found.page_obj.object_list)
        [model.developer.username for model in page]

    assert found.page_obj.number == 4
    assert len(page) == 2


def test_the_catalog_page_counts_and_lists_the_search(client, catalog):
    body = client.get("/models/?q=summ&category=translation").content.decode()

    assert "4 models for “summ”" in body
    assert body.count('<article class="model-card">') == 4
