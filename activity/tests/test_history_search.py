"""/me/history/?q=: the text search of a user's prompts, its index and its one query for a page and its count."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import UserHistory
from activity.tests.factories import UserHistoryFactory
from core.db import has_extension

pytestmark = pytest.mark.django_db

URL = reverse("history:list")


def prompts(response) -> list[str]:
    return [entry.prompt for entry in response.context["page"].object_list]


def fill(user, model, rows: int) -> None:
    """`rows` history rows for `user` in one statement, one in a thousand holding a rare word, committed and
    analysed so that the planner plans with them. The counting triggers are off for it (the test's database
    is flushed after it): they would make it a minute long."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            """
            INSERT INTO user_history (user_id, model_id, session_id, prompt, status, request_timestamp)
            SELECT %s, %s, 's' || g,
                   'prompt number ' || g || CASE WHEN g %% 1000 = 0 THEN ' about a Xylophone' ELSE ' about the sea' END,
                   'completed', now() - g * interval '1 second'
            FROM generate_series(1, %s) g
            """,
            [user.pk, model.pk, rows],
        )
    with connection.cursor() as cursor:
        # What autovacuum does after such an insert: the rows' trigrams leave the GIN index's pending list
        # (which every search reads whole) for the index proper.
        if has_extension("pg_trgm"):  # the embedded server of a fresh laptop has no trigram index
            cursor.execute("SELECT gin_clean_pending_list('user_history_prompt_trgm_idx'::regclass)")
        cursor.execute("ANALYZE user_history")


def test_a_search_of_a_long_history_reads_the_trigram_index(client, alice, model, needs_pg_trgm):
    fill(alice, model, 10_000)
    client.force_login(alice)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"q": "xylophone"})

    assert response.context["page"].paginator.count == 10
    assert len(prompts(response)) == 10
    searches = [q["sql"] for q in captured.captured_queries if "LIKE" in q["sql"]]
    assert len(searches) == 2, searches  # the count (capped) and the page
    assert "LIMIT 10001" in searches[0] and "ORDER BY" not in searches[0]
    # 10,000 rows fit in a few hundred pages, which PostgreSQL rightly reads whole; at a heavy user's millions
    # it picks the index by itself (bench/history_search.py shows the plans). Sequential scans off, the
    # index must win over walking the user's rows through user_history_user_ts_idx.
    for sql in searches:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "user_history_prompt_trgm_idx" in plan, plan


def test_a_search_counts_up_to_its_cap(client, alice, model, monkeypatch):
    from activity.views import history

    monkeypatch.setattr(history, "SEARCH_COUNT_CAP", 5)
    for n in range(8):
        UserHistoryFactory(user=alice, model=model, prompt=f"question {n}", session_id=f"q{n}")
    client.force_login(alice)

    response = client.get(URL, {"q": "question"})
    assert response.context["page"].paginator.count == 5
    assert "More than 5 interactions match your filters" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_trigram_index_is_used_by_a_committed_analysed_history(alice, model, needs_pg_trgm):
    """Committed and analysed, the index is what PostgreSQL chooses for a rare word, sequential scans on."""
    fill(alice, model, 10_000)
    queryset = UserHistory.objects.for_user(alice).filter(prompt__icontains="xylophone")
    assert "user_history_prompt_trgm_idx" in queryset.order_by().explain()


def test_the_index_serves_the_expression_django_writes_for_icontains(alice, model, needs_pg_trgm):
    """Whatever the table's size: with sequential scans off, only this index can answer the search (no
    other index has the prompt), so the plan shows it does."""
    UserHistoryFactory(user=alice, model=model, prompt="A tune on the xylophone")
    queryset = UserHistory.objects.filter(prompt__icontains="XYLOPHONE")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert list(queryset.values_list("prompt", flat=True)) == ["A tune on the xylophone"]
    assert "user_history_prompt_trgm_idx" in plan, plan


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("SEA", ["sea shanty", "Seaside", "the SEA"]),
        ("se", ["sea shanty", "Seaside", "the SEA", "use it"]),  # two letters: no trigram, still found
        ("50%", ["50% off"]),  # % and _ are letters here, as icontains has them
        ("a_b", ["a_b test"]),
    ],
)
def test_a_search_finds_what_icontains_finds(client, alice, model, q, expected):
    for n, text in enumerate(
        ["the SEA", "Seaside", "sea shanty", "use it", "50% off", "5000 off", "a_b test", "axb"]
    ):
        UserHistoryFactory(user=alice, model=model, prompt=text, session_id=f"s{n}")
    client.force_login(alice)

    assert sorted(prompts(client.get(URL, {"q": q}))) == sorted(expected)


def test_a_search_page_past_the_end_shows_the_last_page(client, alice, model):
    for n in range(30):
        UserHistoryFactory(user=alice, model=model, prompt=f"question {n}", session_id=f"q{n}")
    UserHistoryFactory(user=alice, model=model, prompt="something else")
    client.force_login(alice)

    page = client.get(URL, {"q": "question", "page": "7"}).context["page"]
    assert page.number == 2
    assert page.paginator.count == 30
    assert len(page.object_list) == 5


def test_a_search_with_no_match_shows_an_empty_page(client, alice, model):
    UserHistoryFactory(user=alice, model=model, prompt="something")
    client.force_login(alice)

    response = client.get(URL, {"q": "nothing like it"})
    assert response.context["page"].paginator.count == 0
    assert prompts(response) == []


def test_a_search_reads_only_the_users_own_rows(client, alice, bob, model):
    UserHistoryFactory(user=bob, model=model, prompt="bob's secret question")
    UserHistoryFactory(user=alice, model=model, prompt="alice's question")
    client.force_login(alice)

    assert prompts(client.get(URL, {"q": "question"})) == ["alice's question"]
