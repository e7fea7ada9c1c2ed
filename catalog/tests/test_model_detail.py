import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import DeveloperStatus, UserStatus
from activity.tests.factories import ApiUsageLogFactory, UserHistoryFactory
from catalog.models import ModelStatus
from catalog.selectors import get_model_for_viewer
from catalog.tests.factories import AIModelFactory
from catalog.views.model_page import TAB_NAMES
from reviews.tests.factories import ModelReviewFactory, ReviewReplyFactory, ReviewVoteFactory
from reviews.tests.helpers import verified_users

pytestmark = pytest.mark.django_db


def url(model, tab=None):
    """The model page: its bare address, or the address of one tab."""
    name = "catalog:model_detail" if tab is None else f"catalog:model_{tab}"
    return reverse(name, args=[model.api_name])


def panel(body: str) -> str:
    """The open tab's panel of a model page."""
    return body.split('<div class="tab-panel', 1)[1]


def test_it_shows_the_model_to_an_anonymous_visitor_with_one_h1(client, model):
    response = client.get(url(model))
    body = response.content.decode()

    assert response.status_code == 200
    assert body.count("<h1") == 1
    assert "Dana Summarizer" in body
    assert f'href="{reverse("catalog:developer_profile", args=["dana"])}"' in body
    assert model.get_category_display() in body


def test_it_links_each_tag_to_the_filtered_catalog(client, dana):
    model = AIModelFactory(developer=dana, tags=["nlp", "legal docs"])
    body = client.get(url(model)).content.decode()

    assert 'href="/models/?tag=nlp"' in body
    assert 'href="/models/?tag=legal%20docs"' in body


def test_it_shows_price_requests_and_distinct_users(client, model, alice, bob):
    ApiUsageLogFactory.create_batch(3, model=model)
    UserHistoryFactory.create_batch(2, model=model, user=alice)
    UserHistoryFactory(model=model, user=bob)
    body = client.get(url(model)).content.decode()

    assert "$0.01" in body
    assert "<dt>Requests</dt><dd>3</dd>" in body
    assert "<dt>Users</dt><dd>2</dd>" in body


def test_it_shows_the_average_rating_and_a_histogram_of_visible_reviews(client, model):
    for rating in (5, 5, 4, 1):
        ModelReviewFactory(model=model, rating=rating)
    ModelReviewFactory(model=model, rating=2, is_hidden=True)

    response = client.get(url(model, "reviews"))

    histogram = {row["stars"]: row["count"] for row in response.context["histogram"]}
    assert histogram == {5: 2, 4: 1, 3: 0, 2: 0, 1: 1}
    body = response.content.decode()
    assert '<p class="rating-big">3.8</p>' in body  # 3.75, one decimal
    assert 'value="50"' in body


def test_it_reads_latency_and_success_rate_of_the_last_30_days_from_the_rollups(client, model):
    ApiUsageLogFactory.create_batch(3, model=model, processing_time_ms=100)
    ApiUsageLogFactory(model=model, response_code=502, processing_time_ms=2000)
    long_ago = timezone.now() - timedelta(days=45)
    ApiUsageLogFactory.create_batch(10, model=model, response_code=500, created_at=long_ago)

    usage = client.get(url(model)).context["usage"]

    assert usage["calls"] == 4
    assert usage["success_rate"] == 75.0
    assert 90 <= usage["p50_ms"] <= 120


def test_it_says_when_there_were_no_calls(client, model):
    body = client.get(url(model)).content.decode()
    assert body.count("no calls yet") == 2


CARD = """## Usage

Send **one article** per call; it answers with *three* sentences.

- keeps names and figures
- says when the text is too short

### Limits

Up to `8,000` words. <b>bold</b> <script>x()</script> [docs](https://example.com/docs)
"""


def test_it_renders_the_description_as_a_markdown_model_card_under_the_h1(client, dana):
    model = AIModelFactory(developer=dana, description=CARD)
    body = client.get(url(model)).content.decode()

    assert "<h2>Usage</h2>" in body  # the card's shallowest heading sits right under the page's <h1>
    assert "<h3>Limits</h3>" in body
    assert "<strong>one article</strong>" in body and "<em>three</em>" in body
    assert "<li>keeps names and figures</li>" in body
    assert "<code>8,000</code>" in body
    assert '<a href="https://example.com/docs" rel="nofollow noopener">docs</a>' in body


def test_html_in_a_description_is_shown_as_text_never_run(client, dana):
    model = AIModelFactory(developer=dana, description=CARD + '\n<img src=x onerror="alert(1)">')
    body = client.get(url(model)).content.decode()

    assert "&lt;b&gt;bold&lt;/b&gt; &lt;script&gt;x()&lt;/script&gt;" in body
    assert "<script>x()" not in body and "<b>bold" not in body
    assert "&lt;img src=x onerror=" in body and "<img" not in panel(body)


def test_the_page_description_and_cards_show_the_card_as_plain_text(client, dana):
    model = AIModelFactory(developer=dana, description=CARD)
    page = client.get(url(model)).content.decode()
    catalog = client.get(reverse("catalog:model_list")).content.decode()

    assert model.summary.startswith(
        "Usage Send one article per call; it answers with three sentences. keeps names"
    )
    assert f'<meta name="description" content="{escape(model.summary)}">' in page
    assert f'<p class="model-card-desc">{escape(model.summary)}</p>' in catalog
    assert "##" not in model.summary and "**" not in model.summary


def test_it_shows_copyable_curl_python_and_javascript_snippets_for_the_site(client, model):
    body = client.get(url(model, "api")).content.decode()

    assert "curl http://testserver/api/v1/chat/completions" in body
    assert "base_url=&quot;http://testserver/api/v1&quot;" in body
    assert "model=&quot;dana-summarizer&quot;" in body
    assert "fetch(&quot;http://testserver/api/v1/chat/completions&quot;" in body
    assert "http://testserver/api/v1/models/dana-summarizer/invoke" in body
    for language in ("curl", "python", "javascript"):
        assert f'data-copy="snippet-{language}"' in body and f'id="snippet-{language}"' in body
    assert "127.0.0.1:8000" not in body


def test_the_snippets_use_the_host_and_scheme_the_page_was_requested_at(client, model, settings):
    settings.ALLOWED_HOSTS = ["models.example.com", "api.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    first = client.get(url(model, "api"), headers={"host": "models.example.com"}).content.decode()
    second = client.get(
        url(model, "api"), headers={"host": "api.example.org", "x-forwarded-proto": "https"}
    ).content.decode()

    assert "curl http://models.example.com/api/v1/chat/completions" in first
    assert "api.example.org" not in first
    assert "curl https://api.example.org/api/v1/chat/completions" in second
    assert "base_url=&quot;https://api.example.org/api/v1&quot;" in second
    assert "models.example.com" not in second


def test_the_anonymous_page_cache_keeps_a_page_per_host(client, model, settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 60
    settings.ALLOWED_HOSTS = ["models.example.com", "api.example.org"]

    for _ in range(2):  # the second round is served from the cache
        first = client.get(url(model, "api"), headers={"host": "models.example.com"}).content.decode()
        second = client.get(url(model, "api"), headers={"host": "api.example.org"}).content.decode()
        assert "curl http://models.example.com/api/v1/chat/completions" in first
        assert "curl http://api.example.org/api/v1/chat/completions" in second
    assert client.get(url(model, "api"), headers={"host": "evil.example.net"}).status_code == 400


def test_it_keeps_a_deprecated_models_page_with_a_badge(client, dana):
    model = AIModelFactory(developer=dana, status=ModelStatus.DEPRECATED)
    response = client.get(url(model))
    body = response.content.decode()

    assert response.status_code == 200
    assert '<span class="badge badge-danger">Deprecated</span>' in body
    assert "This model no longer answers" in body
    assert ">Try it</a>" not in body
    assert "snippet-curl" not in client.get(url(model, "api")).content.decode()
    assert "cannot be tried here" in client.get(url(model, "playground")).content.decode()


@pytest.mark.parametrize(
    "changes",
    [
        {"status": ModelStatus.UNDER_REVIEW},
        {"status": ModelStatus.INACTIVE},
        {"is_public": False},
    ],
)
@pytest.mark.parametrize("persona", [None, "alice", "bob", "pat", "eve"])
def test_it_hides_an_unlisted_model_from_everyone_but_its_owner_and_staff(
    client, request, dana, changes, persona
):
    model = AIModelFactory(developer=dana, **changes)
    if persona:
        who = request.getfixturevalue(persona)
        client.force_login(getattr(who, "user", who))

    for tab in (None, *TAB_NAMES):
        assert client.get(url(model, tab)).status_code == 404


@pytest.mark.parametrize("changes", [{"status": ModelStatus.UNDER_REVIEW}, {"is_public": False}])
def test_it_shows_an_unlisted_model_to_its_owner_with_a_notice(client, dana, changes):
    model = AIModelFactory(developer=dana, **changes)
    client.force_login(dana.user)
    response = client.get(url(model))

    assert response.status_code == 200
    assert "Not publicly listed." in response.content.decode()
    assert "Only you and staff can see this page." in response.content.decode()


def test_it_shows_an_unlisted_model_to_staff_with_a_notice(client, dana, staff):
    model = AIModelFactory(developer=dana, status=ModelStatus.UNDER_REVIEW)
    client.force_login(staff)
    response = client.get(url(model))

    assert response.status_code == 200
    assert "Only its developer and staff can see this page." in response.content.decode()


def test_it_hides_models_of_a_suspended_developer(client, model, dana):
    dana.status = DeveloperStatus.SUSPENDED
    dana.save()
    assert client.get(url(model)).status_code == 404


def test_it_hides_models_of_a_developer_whose_account_is_suspended(client, model, dana):
    dana.user.status = UserStatus.SUSPENDED
    dana.user.save()
    assert client.get(url(model)).status_code == 404


def test_it_answers_404_for_an_unknown_model(client, db):
    assert client.get("/models/no-such-model/").status_code == 404


def test_it_invites_an_anonymous_visitor_to_sign_in_to_review(client, model):
    body = client.get(url(model, "reviews")).content.decode()
    assert "Sign in to write a review." in body
    assert 'action="/models/dana-summarizer/reviews/new/"' not in body


def test_it_tells_a_pending_user_why_they_cannot_review(client, model, pat):
    client.force_login(pat)
    body = client.get(url(model, "reviews")).content.decode()
    assert "Verify your email address to write reviews" in body
    assert 'action="/models/dana-summarizer/reviews/new/"' not in body


def test_it_offers_a_verified_user_the_review_form(client, model, alice):
    client.force_login(alice)
    body = client.get(url(model, "reviews")).content.decode()
    assert 'action="/models/dana-summarizer/reviews/new/"' in body
    assert 'name="rating"' in body and 'name="review_title"' in body and 'name="review_text"' in body


def test_it_shows_a_reviewer_their_review_with_edit_and_delete_links(client, model, alice):
    review = ModelReviewFactory(model=model, user=alice)
    client.force_login(alice)
    body = client.get(url(model, "reviews")).content.decode()
    assert "Your review:" in body
    assert f"/models/dana-summarizer/reviews/{review.pk}/edit/" in body
    assert f"/models/dana-summarizer/reviews/{review.pk}/delete/" in body
    assert 'action="/models/dana-summarizer/reviews/new/"' not in body


def test_it_tells_the_owner_they_cannot_review_their_own_model_but_can_reply(client, model, dana, bob):
    review = ModelReviewFactory(model=model, user=bob)
    client.force_login(dana.user)
    body = client.get(url(model, "reviews")).content.decode()
    assert "You cannot review your own model." in body
    assert f'action="/models/dana-summarizer/reviews/{review.pk}/reply/"' in body


def test_it_offers_reply_forms_to_nobody_but_the_owner(client, model, bob, eve, staff):
    ModelReviewFactory(model=model, user=bob)
    for who in (bob, eve.user, staff):
        client.force_login(who)
        assert "/reply/" not in client.get(url(model, "reviews")).content.decode()


def test_it_shows_the_developer_reply_under_a_review(client, model, bob):
    review = ModelReviewFactory(model=model, user=bob)
    ReviewReplyFactory(review=review, reply_text="Thanks!\nFixed in v2.")
    body = client.get(url(model, "reviews")).content.decode()
    assert "Thanks!<br>Fixed in v2." in body


def test_it_sorts_reviews_by_helpfulness_or_by_date(client, model, alice, bob):
    older = ModelReviewFactory(model=model, review_title="Older but helpful")
    newer = ModelReviewFactory(model=model, review_title="Newer")
    type(older).objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=2))
    ReviewVoteFactory(review=older, user=alice)
    ReviewVoteFactory(review=older, user=bob)

    helpful = client.get(url(model, "reviews")).context["reviews_page"].object_list
    newest = client.get(url(model, "reviews"), {"review_sort": "newest"}).context["reviews_page"].object_list
    fallback = client.get(url(model, "reviews"), {"review_sort": "bogus"}).context["reviews_page"].object_list

    assert [r.pk for r in helpful] == [older.pk, newer.pk]
    assert [r.pk for r in newest] == [newer.pk, older.pk]
    assert [r.pk for r in fallback] == [older.pk, newer.pk]


def test_it_paginates_reviews_by_ten_and_keeps_the_sort(client, model):
    for author in verified_users(12):
        ModelReviewFactory(model=model, user=author)
    first = client.get(url(model, "reviews"), {"review_sort": "newest"})
    second = client.get(url(model, "reviews"), {"review_sort": "newest", "review_page": "2"})
    odd = client.get(url(model, "reviews"), {"review_page": "zzz"})

    assert len(first.context["reviews_page"].object_list) == 10
    assert len(second.context["reviews_page"].object_list) == 2
    assert odd.status_code == 200
    assert 'href="?review_sort=newest&amp;review_page=2#reviews"' in first.content.decode()


# Queries of each tab for a signed-in user (session, user, model, the header's likes and inbox badge; then
# what its panel reads). The whole page, every panel at once, used to take 13.
TAB_BUDGETS = {None: 8, "overview": 7, "playground": 8, "api": 6, "reviews": 11, "stats": 7}


@pytest.mark.parametrize("tab", list(TAB_BUDGETS))
@pytest.mark.parametrize("rows", [1, 50])
def test_each_tab_runs_a_fixed_number_of_queries(
    client, model, alice, rows, tab, django_assert_max_num_queries
):
    voters = verified_users(2, prefix="voter")
    for author in verified_users(rows):
        review = ModelReviewFactory(model=model, user=author)
        ReviewReplyFactory(review=review)
        for voter in voters:
            ReviewVoteFactory(review=review, user=voter)
        ReviewVoteFactory(review=review, user=alice)
    ApiUsageLogFactory.create_batch(rows, model=model)
    UserHistoryFactory.create_batch(min(rows, 12), model=model, user=alice)
    client.force_login(alice)
    with django_assert_max_num_queries(TAB_BUDGETS[tab]):
        response = client.get(url(model, tab))
    assert response.status_code == 200
    if tab == "reviews":
        assert len(response.context["reviews_page"].object_list) == min(rows, 10)


@pytest.mark.parametrize("tab", list(TAB_BUDGETS))
def test_an_anonymous_visitor_gets_each_tab_in_few_queries(client, model, tab, django_assert_max_num_queries):
    ModelReviewFactory.create_batch(3, model=model)
    ApiUsageLogFactory.create_batch(3, model=model)
    with django_assert_max_num_queries(4):
        assert client.get(url(model, tab)).status_code == 200


def test_the_model_comes_with_its_developers_account_for_the_playground(
    rf, alice, model, django_assert_num_queries
):
    request = rf.get(url(model))
    request.user = alice

    loaded = get_model_for_viewer(request, model.api_name)

    with django_assert_num_queries(0):
        assert loaded.developer.user.status == UserStatus.ACTIVE


def tab_links(body: str) -> dict[str, str]:
    """{label: href} of the tab links, with the label of the current one in CURRENT."""
    nav = body.split('aria-label="Model page sections"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'<a id="tab-(\w+)" class="tab-link" href="([^"]+)"( aria-current="page")?>', nav)
    return {name: href for name, href, _ in links} | {"CURRENT": [name for name, _, cur in links if cur]}


def test_the_header_has_the_essentials_and_a_try_it_action(client, dana):
    model = AIModelFactory(
        developer=dana, api_name="painter", display_name="Painter", category="image_generation",
        price_per_request="0.0020",
    )  # fmt: skip
    for rating in (5, 4, 4):
        ModelReviewFactory(model=model, rating=rating)
    ApiUsageLogFactory.create_batch(3, model=model)
    header = client.get(url(model)).content.decode().split('<header class="model-header">', 1)[1]
    header = header.split("</header>", 1)[0]

    assert '<h1 class="model-title">Painter' in header
    assert f"{dana.username}</a> / <span>painter</span>" in header
    assert (
        '<a class="badge badge-category" href="/models/?category=image_generation">Image generation</a>'
        in header
    )
    assert "Takes text" in header and "gives images" in header
    assert '4.3 <span class="muted">(3)</span>' in header
    assert "<dt>Calls</dt><dd>3</dd>" in header
    assert "<dt>Price</dt><dd>$0.002" in header
    assert '<a class="button" href="/models/painter/playground/"' in header and ">Try it</a>" in header
    assert "{# header actions" not in header  # a template comment, for the buttons other features add


def test_each_tab_is_a_page_of_its_own_marked_current_in_the_tab_links(client, model):
    titles = {
        "overview": "Model card",
        "playground": "Try Dana Summarizer",
        "api": "Call it from your code",
        "reviews": "Reviews",
        "stats": "The last 30 days",
    }
    for tab, title in titles.items():
        response = client.get(url(model, tab))
        body = response.content.decode()
        links = tab_links(body)

        assert response.status_code == 200
        assert body.count("<h1") == 1
        assert title in panel(body)
        assert links["CURRENT"] == [tab]
        assert f'class="tab-panel tab-panel-{tab}"' in body
    # A visitor's first tab is the bare address; the others have addresses of their own.
    assert {name: href for name, href in links.items() if name != "CURRENT"} == {
        "overview": "/models/dana-summarizer/",
        "playground": "/models/dana-summarizer/playground/",
        "api": "/models/dana-summarizer/api/",
        "reviews": "/models/dana-summarizer/reviews/",
        "stats": "/models/dana-summarizer/stats/",
    }
    assert "<title>Dana Summarizer · Stats · AI Model Platform</title>" in body


def test_only_the_open_tabs_panel_is_drawn(client, model):
    overview = panel(client.get(url(model)).content.decode())
    api = panel(client.get(url(model, "api")).content.decode())

    assert "At a glance" in overview and "snippet-curl" not in overview and 'id="reviews"' not in overview
    assert "snippet-curl" in api and "At a glance" not in api and 'id="playground"' not in api


def test_an_anonymous_visitor_lands_on_the_overview_and_is_asked_to_sign_in_in_the_playground(client, model):
    first = client.get(url(model))
    playground = client.get(url(model, "playground")).content.decode()

    assert first.context["tab"] == "overview"
    assert tab_links(first.content.decode())["CURRENT"] == ["overview"]
    assert "Sign in</a> to try Dana Summarizer" in playground


def test_a_signed_in_user_lands_on_the_playground_with_the_overview_a_tab_away(client, model, alice):
    client.force_login(alice)
    body = client.get(url(model)).content.decode()
    links = tab_links(body)

    assert links["CURRENT"] == ["playground"]
    assert links["playground"] == "/models/dana-summarizer/"
    assert links["overview"] == "/models/dana-summarizer/overview/"
    assert 'name="prompt"' in panel(body)
    assert '<a class="button" href="/models/dana-summarizer/"' in body  # Try it: the first tab
    assert "At a glance" in panel(client.get(url(model, "overview")).content.decode())


def test_a_signed_in_user_lands_on_the_overview_of_a_model_that_takes_no_calls(client, dana, alice):
    model = AIModelFactory(developer=dana, status=ModelStatus.DEPRECATED)
    client.force_login(alice)

    assert tab_links(client.get(url(model)).content.decode())["CURRENT"] == ["overview"]


def test_the_tab_links_swap_the_tabs_in_place_with_htmx(client, model):
    body = client.get(url(model)).content.decode()
    nav = body.split('aria-label="Model page sections"', 1)[1].split(">", 1)[0]

    assert 'hx-boost="true"' in nav and 'hx-select="#model-tabs"' in nav and 'hx-target="#model-tabs"' in nav
    assert 'role="tab"' not in body


def test_the_stats_tab_charts_30_days_of_forwarded_calls_from_the_rollups(client, model):
    today = timezone.now()
    two_days_ago = today - timedelta(days=2)
    ApiUsageLogFactory.create_batch(3, model=model, processing_time_ms=100, created_at=two_days_ago)
    ApiUsageLogFactory(model=model, response_code=502, processing_time_ms=100, created_at=two_days_ago)
    ApiUsageLogFactory.create_batch(2, model=model, processing_time_ms=1000, created_at=today)
    # Refused before forwarding: never counted. Too old: outside the 30 days.
    ApiUsageLogFactory.create_batch(5, model=model, response_code=401, created_at=today)
    ApiUsageLogFactory.create_batch(4, model=model, response_code=429, created_at=two_days_ago)
    ApiUsageLogFactory.create_batch(7, model=model, created_at=today - timedelta(days=30))

    response = client.get(url(model, "stats"))
    body = response.content.decode()
    stats = response.context["stats"]
    calls, latency, success = stats["charts"]

    assert (stats["calls"], stats["success_rate"]) == (6, 83.3)
    assert "<dt>Calls</dt><dd>6</dd>" in body
    assert len(calls.days) == 30 and calls.days[-1] == today.date()
    assert list(calls.series[0].values)[-3:] == [4, 0, 2]
    assert sum(calls.series[0].values) == 6
    assert list(success.series[0].values)[-3:] == [75.0, None, 100.0]
    p50 = list(latency.series[0].values)
    assert p50[-2] is None and 90 <= p50[-3] <= 120 and 900 <= p50[-1] <= 1200
    for chart_id, title in (
        ("chart-calls", "Calls per day"),
        ("chart-latency", "Typical latency per day (p50)"),
        ("chart-success", "Success rate per day"),
    ):
        assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in body
        assert f'<title id="{chart_id}-title">{title}</title>' in body
        assert f'<figcaption id="{chart_id}-caption" class="chart-caption">{title}</figcaption>' in body
    # The text alternative: a summary in each chart's <desc> and a table of every day's numbers.
    assert "Calls: highest 4 on" in body and "total 6." in body
    day = (today - timedelta(days=2)).date().isoformat()
    assert f'<tr><th scope="row">{day}</th><td>4</td></tr>' in body
    assert f'<tr><th scope="row">{day}</th><td>75.0%</td></tr>' in body


def test_the_stats_tab_says_when_there_were_no_calls(client, model):
    body = client.get(url(model, "stats")).content.decode()

    assert body.count("no calls yet") == 2
    assert "Calls: none in this period." in body
