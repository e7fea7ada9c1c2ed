from django.db import connection
from django.test.utils import CaptureQueriesContext

from activity.tests.factories import ApiUsageLogFactory, UserHistoryFactory
from dashboard.selectors import headline_figures
from reviews.tests.factories import ModelReviewFactory


def view_reads(queries) -> int:
    return sum("developer_dashboard_stats" in q["sql"] for q in queries.captured_queries)


def test_it_reads_the_view_once_while_nothing_changes(model):
    with CaptureQueriesContext(connection) as queries:
        first = headline_figures(developer=model.developer)
        second = headline_figures(developer=model.developer)

    assert view_reads(queries) == 1
    assert first.total_requests == second.total_requests


def test_a_new_call_refused_or_not_shows_at_once(model):
    assert headline_figures(developer=model.developer).calls_this_month == 0

    ApiUsageLogFactory(model=model, response_code=401)  # touches no model row, only today's rollup
    assert headline_figures(developer=model.developer).calls_this_month == 1

    ApiUsageLogFactory(model=model, response_code=200)
    assert headline_figures(developer=model.developer).total_requests == 1


def test_revenue_and_ratings_show_at_once(model, alice, bob):
    UserHistoryFactory(model=model, user=alice, cost_incurred="0.5000")
    assert headline_figures(developer=model.developer).total_revenue == 0.5

    UserHistoryFactory(model=model, user=alice, cost_incurred="0.2500")  # a known pair: no model row moves
    assert headline_figures(developer=model.developer).total_revenue == 0.75

    ModelReviewFactory(model=model, user=bob, rating=2)
    assert headline_figures(developer=model.developer).average_rating == 2
