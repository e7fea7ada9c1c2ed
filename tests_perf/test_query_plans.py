"""At scale-like statistics, the dashboard, the catalog search and the history page use their indexes,
and run as many queries for the busiest developer or the heaviest user as for the smallest.

The test database is seeded by bench/seed_scale.py (5,000 models, 100,000 usage logs) and analysed;
each page is requested through Django, its queries captured and run again under EXPLAIN (FORMAT JSON).
"""

import json
import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Developer, User
from accounts.tests.factories import DeveloperFactory, UserFactory
from activity.tests.factories import UserHistoryFactory
from bench import seed_scale
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db

BIG_TABLES = {"api_usage_logs", "user_history", "model_daily_stats", "model_users", "model_reviews"}
DAILY_STATS_INDEXES = {"model_daily_stats_model_day_unique", "model_daily_stats_day_idx"}
# A page shows a page of rows: no query of it may return more, however much data its user has.
MAX_ROWS_PER_QUERY = 200
SERVER_SIDE_CURSOR = re.compile(r'^DECLARE "[^"]+" NO SCROLL CURSOR (WITH(OUT)? HOLD )?FOR ')


def nodes(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def explain(sql: str) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + SERVER_SIDE_CURSOR.sub("", sql))
        document = cursor.fetchone()[0]
    document = json.loads(document) if isinstance(document, str) else document
    return list(nodes(document[0]["Plan"]))


def page_plans(client, url: str, touching: str) -> list[tuple[str, list[dict]]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [(q["sql"], explain(q["sql"])) for q in captured.captured_queries if touching in q["sql"]]


def seq_scans(plan: list[dict]) -> set[str]:
    return {node["Relation Name"] for node in plan if node["Node Type"] == "Seq Scan"}


def indexes_used(plan: list[dict]) -> set[str]:
    return {node["Index Name"] for node in plan if "Index Name" in node}


def query_count(client, url: str) -> int:
    """Queries of one request with cold caches, so both pages compared do the same work."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.fixture
def busiest(seeded_conninfo, db, client) -> Developer:
    developer = Developer.objects.select_related("user").get(username=seed_scale.BUSIEST)
    client.force_login(developer.user)
    return developer


@pytest.fixture
def heaviest(seeded_conninfo, db, client) -> User:
    user = User.objects.get(username=seed_scale.HEAVIEST)
    client.force_login(user)
    return user


@pytest.mark.parametrize("days", [30, 90])
def test_the_dashboard_reads_the_daily_rollups_through_their_indexes(busiest, client, days):
    plans = page_plans(client, f"/dashboard/?days={days}", "model_daily_stats")
    assert plans, "the dashboard reads model_daily_stats"
    for sql, plan in plans:
        assert not seq_scans(plan) & BIG_TABLES, sql
    assert any(indexes_used(plan) & DAILY_STATS_INDEXES for _, plan in plans)


def test_the_dashboard_headline_reads_todays_rollup_rows_of_the_developers_models_only(busiest, client):
    """Today's row of each of the developer's models, by its (model_id, day) key: not every model's row
    of the day, which is what a hash join over model_daily_stats_day_idx reads."""
    plans = [
        (sql, plan)
        for sql, plan in page_plans(client, "/dashboard/?days=30", "model_daily_stats")
        if "LATERAL" in sql
    ]
    assert len(plans) == 1
    sql, plan = plans[0]
    assert indexes_used(plan) & DAILY_STATS_INDEXES == {"model_daily_stats_model_day_unique"}, sql
    assert not [node for node in plan if node["Node Type"] == "Hash Join"], sql


def test_the_dashboard_never_scans_the_raw_usage_logs(busiest, client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/dashboard/?days=90").status_code == 200
    assert not [q["sql"] for q in captured.captured_queries if "api_usage_logs" in q["sql"]]


@pytest.mark.parametrize("term", ["maritime", "viticulture", "genomics data"])
def test_a_catalog_search_finds_models_through_the_full_text_index(seeded_conninfo, db, client, term):
    plans = page_plans(client, f"/models/?q={term}", "search_vector")
    assert plans, "the catalog search matches on search_vector"
    for sql, plan in plans:
        assert "models_search_vector_gin" in indexes_used(plan), sql
        assert "models" not in seq_scans(plan), sql


def test_the_history_page_reads_the_users_rows_through_their_index(heaviest, client):
    plans = page_plans(client, "/me/history/", "user_history")
    assert plans
    for sql, plan in plans:
        assert "user_history" not in seq_scans(plan), sql
    assert any(indexes_used(plan) & {"user_history_user_ts_idx"} for _, plan in plans)


def test_no_query_of_the_heaviest_users_history_returns_more_than_a_page_of_rows(heaviest, client):
    for sql, plan in page_plans(client, "/me/history/", "user_history"):
        assert plan[0]["Plan Rows"] <= MAX_ROWS_PER_QUERY, sql


def test_the_busiest_developers_dashboard_runs_as_many_queries_as_a_new_developers(busiest, client):
    busy = query_count(client, "/dashboard/?days=90")
    newcomer = DeveloperFactory()
    AIModelFactory(developer=newcomer)
    client.force_login(newcomer.user)
    assert query_count(client, "/dashboard/?days=90") == busy


def test_the_heaviest_users_history_runs_as_many_queries_as_a_one_row_history(heaviest, client):
    heavy = query_count(client, "/me/history/")
    newcomer = UserFactory()
    UserHistoryFactory(user=newcomer)
    client.force_login(newcomer)
    assert query_count(client, "/me/history/") == heavy


@pytest.mark.parametrize(
    ("url", "index"),
    [
        ("/models/?sort=newest", "models_listed_newest_idx"),
        ("/models/?sort=rating&page=2", "models_listed_rating_idx"),
        ("/models/?sort=name", "models_listed_name_idx"),
    ],
)
def test_sorted_catalog_pages_read_listed_models_in_index_order(seeded_conninfo, db, client, url, index):
    plans = page_plans(client, url, 'FROM "models"')
    page = [plan for sql, plan in plans if "LIMIT" in sql]
    assert page and index in indexes_used(page[0])
    counts = [plan for sql, plan in plans if "GROUP BY" in sql]
    assert counts and "models" not in seq_scans(counts[0])


@pytest.mark.parametrize("query", ["page=40", "status=completed&page=30", "page=2"])
def test_history_pages_read_the_users_rows_from_the_index_and_only_a_page_from_the_table(
    heaviest, client, query
):
    """Deep and filtered pages skip rows inside user_history_user_ts_idx (an index-only scan); the wide
    rows are fetched by primary key for the page alone."""
    plans = page_plans(client, f"/me/history/?{query}", '"user_history"')
    scans = [
        node
        for _, plan in plans
        for node in plan
        if node.get("Relation Name") == "user_history" and "Scan" in node["Node Type"]
    ]
    assert scans
    for node in scans:
        if node["Node Type"] == "Index Only Scan":
            assert node["Index Name"] == "user_history_user_ts_idx"
        else:
            assert (node["Node Type"], node["Index Name"]) == ("Index Scan", "user_history_pkey")
