"""The "Verified caller" badge, the verified-only filter and its histogram on the model page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.models import HistoryStatus
from activity.tests.factories import UserHistoryFactory
from catalog.tests.factories import AIModelFactory
from reviews.selectors import ReviewFilter, rating_histogram, verified_call_counts
from reviews.tests.factories import ModelReviewFactory, ReviewReplyFactory, ReviewVoteFactory
from reviews.tests.helpers import verified_users

pytestmark = pytest.mark.django_db


def url(model) -> str:
    return reverse("catalog:model_reviews", args=[model.api_name])


def calls(user, model, count: int, status=HistoryStatus.COMPLETED) -> None:
    for _ in range(count):
        UserHistoryFactory(user=user, model=model, status=status)


def shown(response) -> dict:
    """Title of each review on the page -> its badge text, or None."""
    return {
        review.review_title: review.verified_calls for review in response.context["reviews_page"].object_list
    }


def badge(response, review) -> str | None:
    html = response.content.decode()
    start = html.index(f'id="review-{review.pk}"')
    article = html[start : html.index("</article>", start)]
    found = re.search(r'class="badge badge-ok review-verified"[^>]*>([^<]+)<', article)
    return found.group(1) if found else None


def test_a_review_of_an_author_with_answered_calls_shows_the_verified_badge_with_their_count(
    client, model, alice, bob
):
    calls(alice, model, 12)
    calls(alice, model, 3, status=HistoryStatus.FAILED)
    calls(alice, model, 1, status=HistoryStatus.TIMEOUT)
    calls(alice, AIModelFactory(developer=model.developer), 5)  # another model's calls do not count
    calls(bob, model, 2, status=HistoryStatus.FAILED)  # calls without an answer do not verify
    mine = ModelReviewFactory(model=model, user=alice, review_title="Verified one")
    theirs = ModelReviewFactory(model=model, user=bob, review_title="Unverified one")

    response = client.get(url(model))

    assert shown(response) == {"Verified one": 12, "Unverified one": 0}
    assert badge(response, mine) == "Verified caller · 12 calls"
    assert badge(response, theirs) is None


def test_one_answered_call_reads_in_the_singular(client, model, alice):
    calls(alice, model, 1)
    review = ModelReviewFactory(model=model, user=alice)

    assert badge(client.get(url(model)), review) == "Verified caller · 1 call"


def test_the_counts_come_from_one_query_for_the_whole_page(model, alice, bob, pat):
    calls(alice, model, 2)
    calls(bob, model, 1)
    calls(pat, model, 3, status=HistoryStatus.FAILED)
    quiet = verified_users(1, prefix="quiet")[0]

    with CaptureQueriesContext(connection) as queries:
        counts = verified_call_counts(model=model, user_ids=[alice.pk, bob.pk, pat.pk, quiet.pk, alice.pk])

    assert counts == {alice.pk: 2, bob.pk: 1}
    assert len(queries) == 1
    assert verified_call_counts(model=model, user_ids=[]) == {}


def test_the_filter_shows_verified_callers_reviews_alone_and_says_so(client, model, alice, bob):
    calls(alice, model, 4)
    ModelReviewFactory(model=model, user=alice, review_title="From a caller")
    ModelReviewFactory(model=model, user=bob, review_title="From a browser")

    everyone = client.get(url(model))
    verified = client.get(url(model), {"reviews": "verified"})
    bogus = client.get(url(model), {"reviews": "nonsense"})

    assert set(shown(everyone)) == {"From a caller", "From a browser"}
    assert shown(verified) == {"From a caller": 4}
    assert verified.context["reviews_page"].paginator.count == 1
    assert set(shown(bogus)) == {"From a caller", "From a browser"}
    html = verified.content.decode()
    assert '<span class="sort-link is-current" aria-current="true">Verified callers</span>' in html
    assert "Verified callers&#x27; reviews only." in html or "Verified callers' reviews only." in html


def test_the_filter_works_as_plain_links_kept_with_the_sort_and_pages(client, model):
    authors = verified_users(12)
    for author in authors:
        calls(author, model, 1)
        ModelReviewFactory(model=model, user=author)
    ModelReviewFactory(model=model, user=verified_users(1, prefix="browser")[0])

    first = client.get(url(model), {"review_sort": "newest"})
    html = first.content.decode()
    assert 'href="?review_sort=newest&amp;reviews=verified#reviews"' in html

    verified = client.get(url(model), {"review_sort": "newest", "reviews": "verified"})
    html = verified.content.decode()
    assert verified.context["reviews_page"].paginator.count == 12
    assert 'href="?review_sort=newest&amp;reviews=verified&amp;review_page=2#reviews"' in html
    assert 'href="?review_sort=helpful&amp;reviews=verified#reviews"' in html  # sorting keeps the filter
    assert 'href="?review_sort=newest#reviews"' in html  # back to all reviews, sort kept

    second = client.get(url(model), {"review_sort": "newest", "reviews": "verified", "review_page": "2"})
    assert len(second.context["reviews_page"].object_list) == 2
    assert all(review.verified_calls == 1 for review in second.context["reviews_page"].object_list)


def test_without_verified_reviews_the_filter_says_so_and_links_back(client, model, alice):
    ModelReviewFactory(model=model, user=alice)

    response = client.get(url(model), {"reviews": "verified"})

    assert response.context["reviews_page"].object_list == []
    assert "No reviews by verified callers yet" in response.content.decode()


def test_the_histogram_counts_verified_callers_alone_while_filtered(client, model):
    five, four, one = verified_users(3)
    calls(five, model, 1)
    calls(four, model, 1)
    ModelReviewFactory(model=model, user=five, rating=5)
    ModelReviewFactory(model=model, user=four, rating=4)
    ModelReviewFactory(model=model, user=one, rating=1)

    def counts(response) -> dict:
        rows = re.findall(
            r'<meter class="histogram-bar"[^>]*value="(\d+)"[^>]*>.*?<span class="histogram-count">(\d+)</span>',
            response.content.decode(),
            re.S,
        )
        return {
            stars: (int(count), int(percent))
            for stars, (percent, count) in zip(range(5, 0, -1), rows, strict=True)
        }

    everyone = counts(client.get(url(model)))
    verified = counts(client.get(url(model), {"reviews": "verified"}))

    assert everyone == {5: (1, 33), 4: (1, 33), 3: (0, 0), 2: (0, 0), 1: (1, 33)}
    assert verified == {5: (1, 50), 4: (1, 50), 3: (0, 0), 2: (0, 0), 1: (0, 0)}
    assert rating_histogram(model, review_filter=ReviewFilter.VERIFIED)[4]["count"] == 0


def test_hidden_reviews_stay_out_of_the_verified_view(client, model, alice):
    calls(alice, model, 3)
    ModelReviewFactory(model=model, user=alice, is_hidden=True)

    response = client.get(url(model), {"reviews": "verified"})

    assert response.context["reviews_page"].object_list == []
    assert sum(row["count"] for row in rating_histogram(model, review_filter=ReviewFilter.VERIFIED)) == 0
    assert sum(row["count"] for row in rating_histogram(model)) == 0


def page_with(model, rows: int, prefix: str) -> None:
    voters = verified_users(2, prefix=f"{prefix}-voter")
    for author in verified_users(rows, prefix=prefix):
        calls(author, model, 2)
        review = ModelReviewFactory(model=model, user=author)
        ReviewReplyFactory(review=review)
        for voter in voters:
            ReviewVoteFactory(review=review, user=voter)


@pytest.mark.parametrize("query", [{}, {"reviews": "verified"}], ids=["all", "verified"])
def test_the_model_page_runs_as_many_queries_for_fifty_reviews_as_for_one(
    client, model, alice, query, django_assert_max_num_queries
):
    client.force_login(alice)
    page_with(model, 1, "first")
    with CaptureQueriesContext(connection) as one_review:
        assert client.get(url(model), query).status_code == 200

    page_with(model, 49, "more")
    with django_assert_max_num_queries(len(one_review)):
        response = client.get(url(model), query)

    assert len(response.context["reviews_page"].object_list) == 10
    assert all(review.verified_calls == 2 for review in response.context["reviews_page"].object_list)
