from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import DeveloperStatus, UserStatus
from activity.tests.factories import ApiUsageLogFactory, UserHistoryFactory
from catalog.models import ModelStatus
from catalog.selectors import get_model_for_viewer
from catalog.tests.factories import AIModelFactory
from reviews.tests.factories import ModelReviewFactory, ReviewReplyFactory, ReviewVoteFactory
from reviews.tests.helpers import verified_users

pytestmark = pytest.mark.django_db


def url(model):
    return reverse("catalog:model_detail", args=[model.api_name])


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

    response = client.get(url(model))

    histogram = {row["stars"]: row["count"] for row in response.context["histogram"]}
    assert histogram == {5: 2, 4: 1, 3: 0, 2: 0, 1: 1}
    assert "3.8" in response.content.decode()  # one decimal, rounded half up
    assert 'value="50"' in response.content.decode()


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


def test_it_shows_the_description_as_escaped_text_with_line_breaks(client, dana):
    model = AIModelFactory(developer=dana, description="First line\nSecond <b>bold</b> <script>x()</script>")
    body = client.get(url(model)).content.decode()

    assert "First line<br>Second &lt;b&gt;bold&lt;/b&gt; &lt;script&gt;x()&lt;/script&gt;" in body
    assert "<script>x()" not in body


def test_it_shows_copyable_curl_and_python_snippets_for_the_site(client, model):
    body = client.get(url(model)).content.decode()
    base = settings.SITE_URL.rstrip("/")

    assert f"curl {base}/api/v1/chat/completions" in body
    assert f"base_url=&quot;{base}/api/v1&quot;" in body
    assert "model=&quot;dana-summarizer&quot;" in body
    assert 'data-copy="snippet-curl"' in body and 'id="snippet-curl"' in body
    assert 'data-copy="snippet-python"' in body and 'id="snippet-python"' in body


def test_it_keeps_a_deprecated_models_page_with_a_badge(client, dana):
    model = AIModelFactory(developer=dana, status=ModelStatus.DEPRECATED)
    response = client.get(url(model))
    body = response.content.decode()

    assert response.status_code == 200
    assert '<span class="badge badge-danger">Deprecated</span>' in body
    assert "This model no longer answers" in body
    assert "snippet-curl" not in body


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

    assert client.get(url(model)).status_code == 404


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
    body = client.get(url(model)).content.decode()
    assert "Sign in to write a review." in body
    assert 'action="/models/dana-summarizer/reviews/new/"' not in body


def test_it_tells_a_pending_user_why_they_cannot_review(client, model, pat):
    client.force_login(pat)
    body = client.get(url(model)).content.decode()
    assert "Verify your email address to write reviews" in body
    assert 'action="/models/dana-summarizer/reviews/new/"' not in body


def test_it_offers_a_verified_user_the_review_form(client, model, alice):
    client.force_login(alice)
    body = client.get(url(model)).content.decode()
    assert 'action="/models/dana-summarizer/reviews/new/"' in body
    assert 'name="rating"' in body and 'name="review_title"' in body and 'name="review_text"' in body


def test_it_shows_a_reviewer_their_review_with_edit_and_delete_links(client, model, alice):
    review = ModelReviewFactory(model=model, user=alice)
    client.force_login(alice)
    body = client.get(url(model)).content.decode()
    assert "Your review:" in body
    assert f"/models/dana-summarizer/reviews/{review.pk}/edit/" in body
    assert f"/models/dana-summarizer/reviews/{review.pk}/delete/" in body
    assert 'action="/models/dana-summarizer/reviews/new/"' not in body


def test_it_tells_the_owner_they_cannot_review_their_own_model_but_can_reply(client, model, dana, bob):
    review = ModelReviewFactory(model=model, user=bob)
    client.force_login(dana.user)
    body = client.get(url(model)).content.decode()
    assert "You cannot review your own model." in body
    assert f'action="/models/dana-summarizer/reviews/{review.pk}/reply/"' in body


def test_it_offers_reply_forms_to_nobody_but_the_owner(client, model, bob, eve, staff):
    ModelReviewFactory(model=model, user=bob)
    for who in (bob, eve.user, staff):
        client.force_login(who)
        assert "/reply/" not in client.get(url(model)).content.decode()


def test_it_shows_the_developer_reply_under_a_review(client, model, bob):
    review = ModelReviewFactory(model=model, user=bob)
    ReviewReplyFactory(review=review, reply_text="Thanks!\nFixed in v2.")
    body = client.get(url(model)).content.decode()
    assert "Thanks!<br>Fixed in v2." in body


def test_it_sorts_reviews_by_helpfulness_or_by_date(client, model, alice, bob):
    older = ModelReviewFactory(model=model, review_title="Older but helpful")
    newer = ModelReviewFactory(model=model, review_title="Newer")
    type(older).objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=2))
    ReviewVoteFactory(review=older, user=alice)
    ReviewVoteFactory(review=older, user=bob)

    helpful = client.get(url(model)).context["reviews_page"].object_list
    newest = client.get(url(model), {"review_sort": "newest"}).context["reviews_page"].object_list
    fallback = client.get(url(model), {"review_sort": "bogus"}).context["reviews_page"].object_list

    assert [r.pk for r in helpful] == [older.pk, newer.pk]
    assert [r.pk for r in newest] == [newer.pk, older.pk]
    assert [r.pk for r in fallback] == [older.pk, newer.pk]


def test_it_paginates_reviews_by_ten_and_keeps_the_sort(client, model):
    for author in verified_users(12):
        ModelReviewFactory(model=model, user=author)
    first = client.get(url(model), {"review_sort": "newest"})
    second = client.get(url(model), {"review_sort": "newest", "review_page": "2"})
    odd = client.get(url(model), {"review_page": "zzz"})

    assert len(first.context["reviews_page"].object_list) == 10
    assert len(second.context["reviews_page"].object_list) == 2
    assert odd.status_code == 200
    assert 'href="?review_sort=newest&amp;review_page=2#reviews"' in first.content.decode()


@pytest.mark.parametrize("rows", [1, 50])
def test_it_runs_a_fixed_number_of_queries(client, model, alice, rows, django_assert_max_num_queries):
    voters = verified_users(2, prefix="voter")
    for author in verified_users(rows):
        review = ModelReviewFactory(model=model, user=author)
        ReviewReplyFactory(review=review)
        for voter in voters:
            ReviewVoteFactory(review=review, user=voter)
        ReviewVoteFactory(review=review, user=alice)
    ApiUsageLogFactory.create_batch(rows, model=model)
    client.force_login(alice)
    with django_assert_max_num_queries(13):
        response = client.get(url(model))
    assert response.status_code == 200
    assert len(response.context["reviews_page"].object_list) == min(rows, 10)


def test_the_model_comes_with_its_developers_account_for_the_playground(
    rf, alice, model, django_assert_num_queries
):
    request = rf.get(url(model))
    request.user = alice

    loaded = get_model_for_viewer(request, model.api_name)

    with django_assert_num_queries(0):
        assert loaded.developer.user.status == UserStatus.ACTIVE
