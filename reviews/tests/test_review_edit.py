import pytest
from django.urls import reverse

from accounts.models import UserStatus
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.django_db


def url(review):
    return reverse("reviews:edit", args=[review.model.api_name, review.pk])


@pytest.fixture
def review(model, alice):
    return ModelReviewFactory(model=model, user=alice, rating=2, review_title="Meh", review_text="Slow.")


def test_the_author_sees_the_form_filled_in(client, review, alice):
    client.force_login(alice)
    response = client.get(url(review))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<h1") == 1
    assert 'value="Meh"' in body
    assert 'value="2" id="id_rating_3" required checked' in body


def test_the_author_edits_the_review_and_the_rating_follows(client, review, alice, model):
    client.force_login(alice)

    response = client.post(url(review), {"rating": "5", "review_title": "Better now", "review_text": "Fast."})

    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.rating, review.review_title, review.review_text) == (5, "Better now", "Fast.")
    model.refresh_from_db()
    assert (model.rating_count, str(model.average_rating)) == (1, "5.00")


def test_bad_input_keeps_what_was_typed(client, review, alice):
    client.force_login(alice)
    response = client.post(
        url(review), {"rating": "9", "review_title": "Typed title", "review_text": "Typed"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose a rating from 1 to 5 stars." in body
    assert 'value="Typed title"' in body
    review.refresh_from_db()
    assert review.rating == 2


@pytest.mark.parametrize("persona", ["bob", "staff", "pat"])
def test_anyone_but_the_author_gets_404(client, request, review, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(review)).status_code == 404
    data = {"rating": "1", "review_title": "Hijack", "review_text": "x"}
    assert client.post(url(review), data).status_code == 404
    review.refresh_from_db()
    assert review.review_title == "Meh"


def test_the_model_developer_cannot_edit_a_review(client, review, dana):
    client.force_login(dana.user)
    assert client.get(url(review)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, review):
    response = client.get(url(review))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_review_must_belong_to_the_model_in_the_address(client, review, alice, dana):
    from catalog.tests.factories import AIModelFactory

    other = AIModelFactory(developer=dana)
    client.force_login(alice)
    assert client.get(reverse("reviews:edit", args=[other.api_name, review.pk])).status_code == 404


def test_an_author_whose_address_is_no_longer_verified_cannot_change_the_rating(client, review, alice, model):
    # Staff can send an account back to pending_verification; until it verifies again it may not rate.
    alice.status = UserStatus.PENDING_VERIFICATION
    alice.email_verified = False
    alice.save()
    client.force_login(alice)

    page = client.get(url(review))
    response = client.post(url(review), {"rating": "5", "review_title": "Better", "review_text": "Fast."})

    assert "Verify your email address" in page.content.decode()
    assert 'name="review_title"' not in page.content.decode()
    assert response.status_code == 403
    review.refresh_from_db()
    assert (review.rating, review.review_title) == (2, "Meh")
