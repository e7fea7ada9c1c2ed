import pytest
from django.urls import reverse

from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory
from reviews.models import ModelReview
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.django_db
GOOD = {"rating": "4", "review_title": "Solid summaries", "review_text": "Short and right.\nRecommended."}


def url(model):
    return reverse("reviews:create", args=[model.api_name])


def test_a_verified_user_publishes_a_review_and_the_rating_follows(client, model, alice):
    client.force_login(alice)

    response = client.post(url(model), GOOD)

    review = ModelReview.objects.get(model=model, user=alice)
    assert response.status_code == 302
    assert response["Location"] == f"/models/{model.api_name}/reviews/#review-{review.pk}"
    assert (review.rating, review.review_title) == (4, "Solid summaries")
    model.refresh_from_db()
    assert (model.rating_count, str(model.average_rating)) == (1, "4.00")


def test_the_new_review_shows_on_the_model_page(client, model, alice):
    client.force_login(alice)
    response = client.post(url(model), GOOD, follow=True)
    body = response.content.decode()
    assert "Thank you: your review is published." in body
    assert "Short and right.<br>Recommended." in body


def test_it_shows_a_standalone_form_on_get(client, model, alice):
    client.force_login(alice)
    response = client.get(url(model))
    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1
    assert 'name="review_title"' in response.content.decode()


def test_it_sends_an_anonymous_visitor_to_sign_in(client, model):
    response = client.post(url(model), GOOD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not ModelReview.objects.exists()


def test_a_pending_user_is_told_to_verify_their_email(client, model, pat):
    client.force_login(pat)
    response = client.post(url(model), GOOD)
    assert response.status_code == 403
    assert "Verify your email address to write reviews" in response.content.decode()
    assert not ModelReview.objects.exists()


def test_the_owning_developer_cannot_review_their_own_model(client, model, dana):
    client.force_login(dana.user)
    response = client.post(url(model), GOOD)
    assert response.status_code == 403
    assert "You cannot review your own model." in response.content.decode()
    assert not ModelReview.objects.exists()


def test_another_developer_may_review(client, model, eve):
    client.force_login(eve.user)
    assert client.post(url(model), GOOD).status_code == 302
    assert ModelReview.objects.filter(user=eve.user).exists()


@pytest.mark.parametrize("changes", [{"status": ModelStatus.UNDER_REVIEW}, {"is_public": False}])
def test_it_answers_404_for_a_model_that_is_not_listed(client, dana, alice, staff, changes):
    model = AIModelFactory(developer=dana, **changes)
    for who in (alice, staff):
        client.force_login(who)
        assert client.post(url(model), GOOD).status_code == 404
    assert not ModelReview.objects.exists()


def test_a_deprecated_model_can_still_be_reviewed(client, dana, alice):
    model = AIModelFactory(developer=dana, status=ModelStatus.DEPRECATED)
    client.force_login(alice)
    assert client.post(url(model), GOOD).status_code == 302


def test_a_second_review_by_the_same_user_is_refused(client, model, alice):
    existing = ModelReviewFactory(model=model, user=alice, rating=2)
    client.force_login(alice)

    response = client.post(url(model), GOOD, follow=True)

    assert "You have already reviewed this model." in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("reviews:edit", args=[model.api_name, existing.pk])
    assert ModelReview.objects.filter(model=model, user=alice).count() == 1
    assert ModelReview.objects.get(pk=existing.pk).rating == 2


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"rating": ""}, "rating", "Choose a rating from 1 to 5 stars."),
        ({"rating": "0"}, "rating", "Choose a rating from 1 to 5 stars."),
        ({"rating": "6"}, "rating", "Choose a rating from 1 to 5 stars."),
        ({"rating": "abc"}, "rating", "Choose a rating from 1 to 5 stars."),
        ({"review_title": "   "}, "review_title", "Give your review a title."),
        ({"review_title": "t" * 201}, "review_title", "at most 200 characters"),
        ({"review_text": ""}, "review_text", "Write a few words about the model."),
        ({"review_text": "x" * 10_001}, "review_text", "at most 10000 characters"),
    ],
)
def test_bad_input_gets_a_message_beside_the_field_and_keeps_the_rest(
    client, model, alice, changes, field, message
):
    client.force_login(alice)

    response = client.post(url(model), {**GOOD, **changes})

    body = response.content.decode()
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert message.split(" ")[0] in body
    if field != "review_title":
        assert 'value="Solid summaries"' in body
    assert not ModelReview.objects.exists()


def test_the_rating_is_checked_by_the_database_too(model, alice):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ModelReview.objects.create(model=model, user=alice, rating=7, review_title="x", review_text="y")
    assert AIModel.objects.get(pk=model.pk).rating_count == 0
