"""core.pagination.CountedPaginator: pages from a count the caller already knows, never a COUNT(*)."""

import pytest

from catalog.models import AIModel
from catalog.tests.factories import AIModelFactory
from core.pagination import CountedPaginator


@pytest.fixture
def five_models(dana):
    return [AIModelFactory(developer=dana, display_name=f"Model {number}") for number in range(5)]


def by_name():
    return AIModel.objects.order_by("display_name")


def test_its_count_and_page_numbers_cost_no_query(five_models, django_assert_num_queries):
    paginator = CountedPaginator(by_name(), 2, count=5)

    with django_assert_num_queries(0):
        assert paginator.count == 5
        assert paginator.num_pages == 3
        assert list(paginator.page_range) == [1, 2, 3]


def test_a_page_reads_only_its_slice(five_models, django_assert_num_queries):
    paginator = CountedPaginator(by_name(), 2, count=5)

    with django_assert_num_queries(1) as captured:
        page = paginator.get_page(2)
        names = [model.display_name for model in page]

    assert names == ["Model 2", "Model 3"]
    assert page.has_previous() and page.has_next()
    assert "COUNT(" not in captured.captured_queries[0]["sql"].upper()
    assert "LIMIT 2 OFFSET 2" in captured.captured_queries[0]["sql"]


def test_the_count_it_is_told_wins_over_the_rows_it_could_count(five_models):
    paginator = CountedPaginator(by_name(), 2, count=40)

    assert paginator.count == 40
    assert paginator.num_pages == 20
    assert paginator.get_page(99).number == 20


def test_a_page_past_the_known_count_falls_back_to_the_last(five_models):
    paginator = CountedPaginator(by_name(), 2, count=5)

    assert [model.display_name for model in paginator.get_page(99)] == ["Model 4"]


def test_an_empty_list_still_has_its_first_page():
    paginator = CountedPaginator([], 24, count=0)

    assert paginator.num_pages == 1
    assert list(paginator.get_page(1)) == []
