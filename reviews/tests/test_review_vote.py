import pytest
from django.urls import reverse

from catalog.models import ModelStatus
from reviews.models import ModelReview, ReviewVote
from reviews.tests.factories import ModelReviewFactory, ReviewVoteFactory
from reviews.tests.helpers import reviews_tab

pytestmark = pytest.mark.django_db


def url(review):
    return reverse("reviews:vote", args=[review.model.api_name, review.pk])


def votes(review) -> int:
    return ModelReview.objects.get(pk=review.pk).helpful_votes


def test_another_user_marks_a_review_helpful(client, review, bob):
    client.force_login(bob)

    response = client.post(url(review))

    assert response.status_code == 302
    assert response["Location"] == f"/models/{review.model.api_name}/reviews/#review-{review.pk}"
    assert votes(review) == 1
    assert ReviewVote.objects.filter(review=review, user=bob).exists()


def test_a_second_press_takes_the_vote_back(client, review, bob):
    client.force_login(bob)
    client.post(url(review))
    client.post(url(review))
    assert votes(review) == 0
    assert not ReviewVote.objects.exists()


def test_votes_of_several_users_add_up(client, review, bob, eve, staff):
    for who in (bob, eve.user, staff):
        client.force_login(who)
        client.post(url(review))
    assert votes(review) == 3


def test_nobody_votes_on_their_own_review(client, review, alice):
    client.force_login(alice)
    response = client.post(url(review), follow=True)
    assert "You cannot vote on your own review." in response.content.decode()
    assert votes(review) == 0


def test_a_pending_user_cannot_vote(client, review, pat):
    client.force_login(pat)
    response = client.post(url(review), follow=True)
    assert "Verify your email address to mark reviews helpful." in response.content.decode()
    assert votes(review) == 0


def test_an_anonymous_visitor_is_sent_to_sign_in(client, review):
    response = client.post(url(review))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert votes(review) == 0


def test_it_rejects_get(client, review, bob):
    client.force_login(bob)
    assert client.get(url(review)).status_code == 405


def test_it_returns_to_a_safe_next_address_only(client, review, bob):
    client.force_login(bob)
    back = f"/models/{review.model.api_name}/reviews/?review_sort=newest#review-{review.pk}"
    assert client.post(url(review), {"next": back})["Location"] == back
    assert client.post(url(review), {"next": "https://evil.example.com/"})["Location"].startswith("/models/")


def test_an_htmx_request_gets_the_button_alone_with_the_new_count(client, review, bob):
    ReviewVoteFactory(review=review)
    client.force_login(bob)

    response = client.post(url(review), {"next": "/models/x/"}, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'aria-pressed="true"' in body
    assert '<span class="vote-count">2</span>' in body
    assert 'name="next" value="/models/x/"' in body

    again = client.post(url(review), HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-pressed="false"' in again
    assert '<span class="vote-count">1</span>' in again


def test_an_htmx_self_vote_is_refused(client, review, alice):
    client.force_login(alice)
    assert client.post(url(review), HTTP_HX_REQUEST="true").status_code == 403


def test_a_hidden_review_cannot_be_voted_on(client, model, alice, bob):
    hidden = ModelReviewFactory(model=model, user=alice, is_hidden=True)
    client.force_login(bob)
    assert client.post(url(hidden)).status_code == 404


def test_a_review_of_an_unlisted_model_cannot_be_voted_on(client, review, bob, model):
    model.status = ModelStatus.UNDER_REVIEW
    model.save()
    client.force_login(bob)
    assert client.post(url(review)).status_code == 404


def test_the_model_page_shows_the_button_pressed_for_a_voter(client, review, bob):
    ReviewVoteFactory(review=review, user=bob)
    client.force_login(bob)
    body = client.get(reviews_tab(review.model)).content.decode()
    assert f'action="{url(review)}"' in body
    assert 'aria-pressed="true"' in body


def test_the_model_page_shows_no_button_on_the_authors_own_review(client, review, alice):
    client.force_login(alice)
    body = client.get(reviews_tab(review.model)).content.decode()
    assert f'action="{url(review)}"' not in body
    assert "0 found this helpful" in body
