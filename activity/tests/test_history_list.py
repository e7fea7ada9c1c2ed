import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activity.filters import HistoryFilter
from activity.models import HistoryStatus, UserHistory
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


# --- the list at scale: rows formatted in Python, counts from counters, pages through the index ---------

# The row markup as the template wrote it with filters, before the cells were formatted in the view.
ROW_WITH_FILTERS = """{% load figures %}{% for entry in entries %}
<tr>
  <td data-label="When"><time datetime="{{ entry.request_timestamp|date:'c' }}">{{ entry.request_timestamp|date:"j M Y, H:i" }}</time></td>
  <td data-label="Model">{{ entry.model.display_name }}<br><span class="muted history-sub">{{ entry.session_id }}</span></td>
  <td class="history-prompt" data-label="Prompt"><a href="{% url 'history:detail' entry.pk %}">{{ entry.prompt|truncatechars:120 }}</a></td>
  <td data-label="Status"><span class="badge history-status history-status-{{ entry.status }}">{{ entry.get_status_display }}</span></td>
  <td class="num" data-label="Latency">{% if entry.response_time_ms is not None %}{{ entry.response_time_ms }} ms{% else %}—{% endif %}</td>
  <td class="num" data-label="Cost">{{ entry.cost_incurred|money }}</td>
  <td data-label="Rating">{% if entry.user_rating %}{{ entry.user_rating }} / 5{% else %}<span class="muted">—</span>{% endif %}</td>
</tr>
{% endfor %}"""


def table_body(html: str) -> str:
    body = html[html.index("<tbody>") + len("<tbody>") : html.index("</tbody>")]
    return re.sub(r">\s+<", "><", body.strip())


@pytest.fixture
def varied_history(alice):
    """Rows whose cells exercise every filter the list used to apply: dates with a single-digit day or
    microseconds, no latency, costs at the numeric's limits, long, marked-up and decomposed prompts."""
    odd_model = AIModelFactory(display_name="R&D <Lab> Model")

    def at(*args) -> datetime:
        return datetime(*args, tzinfo=UTC)

    cells = [
        ("x" * 121, None, Decimal("0"), None, HistoryStatus.TIMEOUT, at(2025, 1, 5, 3, 7, 9, 123456)),
        ("y" * 120, 0, Decimal("0.0001"), 1, HistoryStatus.FAILED, at(2025, 2, 28, 23, 59)),
        ("<b>bold</b> & 'quoted' " * 8, 45, Decimal("12.5"), 5, HistoryStatus.COMPLETED, T0),
        (
            "e\u0301" * 100 + "tail",
            123456,
            Decimal("999999.9999"),
            3,
            HistoryStatus.COMPLETED,
            at(2025, 9, 26),
        ),
        ("cafe\u0301 " * 20, 8, Decimal("1"), 2, HistoryStatus.FAILED, at(2026, 4, 9, 9, 9)),
        ("short", 7, Decimal("0.0100"), None, HistoryStatus.COMPLETED, at(2026, 10, 1)),
    ]
    for prompt, latency, cost, rating, status, when in cells:
        UserHistoryFactory(
            user=alice,
            model=odd_model,
            prompt=prompt,
            response_time_ms=latency,
            cost_incurred=cost,
            user_rating=rating,
            status=status,
            request_timestamp=when,
        )


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Chatham", "America/St_Johns"])
def test_its_rows_read_as_the_template_filters_wrote_them(client, alice, varied_history, zone):
    entries = list(UserHistory.objects.for_user(alice).newest_first().select_related("model"))
    client.force_login(alice)

    with timezone.override(zone):
        html = client.get(URL).content.decode()
        expected = Template(ROW_WITH_FILTERS).render(Context({"entries": entries}))

    assert table_body(html) == re.sub(r">\s+<", "><", expected.strip())
    assert html.count("<tr>") == len(entries) + 1


@pytest.mark.parametrize(
    ("query", "from_counters"),
    [
        ({}, True),
        ({"status": "failed"}, True),
        ({"status": "completed", "page": "1"}, True),
        ({"model": "dana-summarizer"}, True),
        ({"model": "eve-translator", "status": "completed"}, False),
        ({"session": "s-1"}, False),
        ({"date_from": "2025-03-11"}, False),
        ({"q": "summarise"}, False),
        ({"q": "summarise", "page": "9"}, False),
        ({"model": "never-used"}, True),
    ],
)
def test_its_count_is_the_number_of_matching_rows_and_read_from_counters_where_it_can(
    client, alice, bob, model, alice_history, query, from_counters
):
    UserHistoryFactory.create_batch(3, user=bob, model=model, status=HistoryStatus.FAILED)
    AIModelFactory(api_name="never-used")
    client.force_login(alice)
    request = RequestFactory().get(URL)
    request.user = alice
    filterset = HistoryFilter(query, queryset=UserHistory.objects.for_user(alice), request=request)
    expected = filterset.qs.count() if filterset.is_valid() else 0

    with CaptureQueriesContext(connection) as captured:
        page = client.get(URL, query).context["page"]

    assert page.paginator.count == expected
    counted = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert (counted == []) is from_counters


def test_rows_sharing_an_instant_each_appear_once_across_the_pages(client, alice, model):
    rows = [UserHistoryFactory(user=alice, model=model, request_timestamp=T0) for _ in range(30)]
    client.force_login(alice)

    shown = [
        entry.pk
        for number in (1, 2)
        for entry in client.get(URL, {"page": number}).context["page"].object_list
    ]

    assert shown == sorted((row.pk for row in rows), reverse=True)


def test_a_deep_page_shows_the_rows_at_its_offset(client, alice, model):
    rows = [
        UserHistoryFactory(
            user=alice,
            model=model,
            status=HistoryStatus.FAILED if n % 4 else HistoryStatus.TIMEOUT,
            request_timestamp=T0 + timedelta(minutes=n),
        )
        for n in range(130)
    ]
    newest_failed = [row.prompt for row in reversed(rows) if row.status == HistoryStatus.FAILED]
    client.force_login(alice)

    assert prompts(client.get(URL, {"page": 4})) == [row.prompt for row in reversed(rows)][75:100]
    assert prompts(client.get(URL, {"status": "failed", "page": 4})) == newest_failed[75:]


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Chatham", "America/Sao_Paulo"])
def test_a_date_range_keeps_the_days_of_the_current_time_zone(client, alice, model, zone):
    """The range is a timestamp range the index serves; it must select what request_timestamp__date did."""
    for hours in range(-30, 80, 5):
        UserHistoryFactory(user=alice, model=model, request_timestamp=T0 + timedelta(hours=hours, minutes=59))
    client.force_login(alice)
    mine = UserHistory.objects.for_user(alice).newest_first()

    with timezone.override(zone):
        for start, end in [
            ("2025-03-10", "2025-03-11"),
            ("2025-03-12", "2025-03-12"),
            ("2025-03-09", "9999-12-31"),
        ]:
            shown = prompts(client.get(URL, {"date_from": start, "date_to": end}))
            by_date = mine.filter(request_timestamp__date__gte=start, request_timestamp__date__lte=end)
            assert shown == [entry.prompt for entry in by_date[:25]], (start, end)
            assert shown


@pytest.mark.parametrize(
    "query", [{}, {"page": 3}, {"status": "failed"}, {"model": "dana-summarizer", "page": 2}]
)
def test_its_queries_do_not_grow_with_the_history(client, alice, model, query, django_assert_num_queries):
    client.force_login(alice)
    UserHistoryFactory(user=alice, model=model, status=HistoryStatus.FAILED)
    with CaptureQueriesContext(connection) as small:
        client.get(URL, query)
    for n in range(80):
        UserHistoryFactory(
            user=alice, model=model, status=HistoryStatus.FAILED, request_timestamp=T0 + timedelta(minutes=n)
        )

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(URL, query)
    assert len(prompts(response)) == 25
