from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import HistoryStatus
from activity.tests.factories import UserHistoryFactory
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db

URL = reverse("history:list")
T0 = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def prompts(response):
    return [entry.prompt for entry in response.context["page"].object_list]


@pytest.fixture
def other_model():
    return AIModelFactory(api_name="eve-translator", display_name="Eve Translator")


@pytest.fixture
def alice_history(alice, model, other_model):
    rows = [
        ("summarise the tides", model, HistoryStatus.COMPLETED, "s-1", T0),
        ("translate bonjour", other_model, HistoryStatus.COMPLETED, "s-1", T0 + timedelta(days=1)),
        ("summarise a poem", model, HistoryStatus.FAILED, "s-2", T0 + timedelta(days=2)),
        ("why the timeout", model, HistoryStatus.TIMEOUT, "s-3", T0 + timedelta(days=5)),
    ]
    return [
        UserHistoryFactory(user=alice, model=m, prompt=p, status=s, session_id=sid, request_timestamp=ts)
        for p, m, s, sid, ts in rows
    ]


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={URL}"


def test_it_lists_only_the_users_own_interactions_newest_first(client, alice, bob, model, alice_history):
    UserHistoryFactory(
        user=bob, model=model, prompt="bob's question", request_timestamp=T0 + timedelta(days=9)
    )
    client.force_login(alice)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert prompts(response) == [
        "why the timeout",
        "summarise a poem",
        "translate bonjour",
        "summarise the tides",
    ]
    assert "bob's question" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"model": "eve-translator"}, ["translate bonjour"]),
        ({"status": "failed"}, ["summarise a poem"]),
        ({"session": "s-1"}, ["translate bonjour", "summarise the tides"]),
        ({"q": "SUMMARISE"}, ["summarise a poem", "summarise the tides"]),
        ({"date_from": "2025-03-11", "date_to": "2025-03-12"}, ["summarise a poem", "translate bonjour"]),
        ({"date_from": "2025-03-15"}, ["why the timeout"]),
        ({"model": "dana-summarizer", "status": "completed"}, ["summarise the tides"]),
    ],
)
def test_it_filters(client, alice, alice_history, query, expected):
    client.force_login(alice)
    assert prompts(client.get(URL, query)) == expected


def test_the_model_select_offers_only_models_the_user_used(client, alice, bob, alice_history):
    AIModelFactory(api_name="never-used", display_name="Never Used")
    bobs = AIModelFactory(api_name="bobs-model")
    UserHistoryFactory(user=bob, model=bobs)
    client.force_login(alice)
    html = client.get(URL).content.decode()
    assert 'value="dana-summarizer"' in html
    assert 'value="eve-translator"' in html
    assert "never-used" not in html
    assert "bobs-model" not in html


def test_the_model_select_reads_the_users_model_pairs_not_every_call(client, alice, alice_history):
    client.force_login(alice)

    with CaptureQueriesContext(connection) as captured:
        client.get(URL)

    choices = [q["sql"] for q in captured.captured_queries if 'FROM "models"' in q["sql"]]
    assert choices
    assert all("model_users" in sql and "user_history" not in sql for sql in choices)


def test_a_model_the_user_never_used_shows_an_error_and_no_rows(client, alice, bob, alice_history):
    bobs = AIModelFactory(api_name="bobs-model")
    UserHistoryFactory(user=bob, model=bobs)
    client.force_login(alice)
    response = client.get(URL, {"model": "bobs-model"})
    assert response.status_code == 200
    assert prompts(response) == []
    assert response.context["filter"].form.errors["model"]


def test_bad_dates_get_errors_beside_the_fields_not_a_500(client, alice, alice_history):
    client.force_login(alice)
    response = client.get(URL, {"date_from": "2025-13-45", "q": "kept text"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["date_from"]
    assert 'value="kept text"' in response.content.decode()


def test_an_end_date_before_the_start_date_is_refused(client, alice, alice_history):
    client.force_login(alice)
    response = client.get(URL, {"date_from": "2025-03-12", "date_to": "2025-03-11"})
    assert response.context["filter"].form.errors["date_to"] == ["The end date is before the start date."]


def test_it_paginates_by_25_and_the_page_links_keep_the_filters(client, alice, model):
    for n in range(30):
        UserHistoryFactory(
            user=alice, model=model, prompt=f"question {n}", request_timestamp=T0 + timedelta(minutes=n)
        )
    client.force_login(alice)

    first = client.get(URL, {"q": "question", "status": "completed"})
    assert len(prompts(first)) == 25
    html = first.content.decode()
    assert 'href="?q=question&amp;status=completed&amp;page=2"' in html

    second = client.get(URL, {"q": "question", "status": "completed", "page": 2})
    assert prompts(second) == [f"question {n}" for n in range(4, -1, -1)]


def test_an_out_of_range_page_shows_the_last_page(client, alice, alice_history):
    client.force_login(alice)
    assert len(prompts(client.get(URL, {"page": 99}))) == 4


def test_the_export_link_carries_the_filters_without_the_page(client, alice, alice_history):
    client.force_login(alice)
    html = client.get(URL, {"status": "failed", "page": 1}).content.decode()
    assert f'href="{reverse("history:export")}?status=failed"' in html


def test_a_pending_user_sees_an_empty_history_and_the_banner(client, pat):
    client.force_login(pat)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your history is empty" in html
    assert "Confirm your email address" in html


def test_a_pending_user_sees_their_own_interactions(client, pat, model):
    UserHistoryFactory(user=pat, model=model, prompt="pat asked via an API key")
    client.force_login(pat)
    assert prompts(client.get(URL)) == ["pat asked via an API key"]


def test_staff_see_only_their_own_history(client, staff, alice_history):
    client.force_login(staff)
    assert prompts(client.get(URL)) == []


@pytest.mark.parametrize("rows", [1, 50])
def test_it_runs_a_fixed_number_of_queries(
    client, alice, model, other_model, rows, django_assert_max_num_queries
):
    models = [model, other_model, AIModelFactory()]
    for n in range(rows):
        UserHistoryFactory(user=alice, model=models[n % 3], request_timestamp=T0 + timedelta(minutes=n))
    client.force_login(alice)
    with django_assert_max_num_queries(6):
        response = client.get(URL, {"status": "completed"})
    assert len(prompts(response)) == min(rows, 25)


def test_its_unfiltered_page_counts_from_the_pair_counts_not_the_history(client, alice):
    """The page total comes from model_users (trigger-kept), so it must equal the real number of rows."""
    from activity.tests.factories import UserHistoryFactory
    from catalog.tests.factories import AIModelFactory

    first, second = AIModelFactory.create_batch(2)
    UserHistoryFactory.create_batch(3, user=alice, model=first)
    UserHistoryFactory.create_batch(27, user=alice, model=second)
    client.force_login(alice)

    page = client.get("/me/history/").context["page"]

    assert page.paginator.count == 30
    assert page.paginator.num_pages == 2


def test_its_model_select_offers_the_most_used_models_only(client, alice):
    from activity.filters import MODEL_CHOICES
    from activity.tests.factories import UserHistoryFactory
    from catalog.tests.factories import AIModelFactory

    favourite = AIModelFactory(display_name="Favourite")
    UserHistoryFactory.create_batch(2, user=alice, model=favourite)
    for model in AIModelFactory.create_batch(MODEL_CHOICES):
        UserHistoryFactory(user=alice, model=model)
    client.force_login(alice)

    choices = client.get("/me/history/").context["filter"].form.fields["model"].queryset

    assert choices.count() == MODEL_CHOICES
    assert favourite in choices
