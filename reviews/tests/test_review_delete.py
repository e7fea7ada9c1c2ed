import pytest
from django.urls import reverse

from reviews.models import ModelReview
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.django_db


def url(review):
    return reverse("reviews:delete", args=[review.model.api_name, review.pk])


@pytest.fixture
def review(model, alice):
    return ModelReviewFactory(model=model, user=alice, rating=3)


def test_the_author_is_asked_to_confirm(client, review, alice):
    client.force_login(alice)
    response = client.get(url(review))
    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1
    assert ModelReview.objects.filter(pk=review.pk).exists()


def test_the_author_deletes_the_review_and_the_rating_follows(client, review, alice, model):
    client.force_login(alice)

    response = client.post(url(review))

    assert response.status_code == 302
    assert response["Location"] == f"/models/{model.api_name}/reviews/#reviews"
    assert not ModelReview.objects.filter(pk=review.pk).exists()
    model.refresh_from_db()
    assert (model.rating_count, str(model.average_rating)) == (0, "0.00")


def test_after_deleting_the_author_may_write_a_new_review(client, review, alice, model):
    client.force_login(alice)
    client.post(url(review))
    data = {"rating": "5", "review_title": "Second thoughts", "review_text": "Better."}
    assert client.post(reverse("reviews:create", args=[model.api_name]), data).status_code == 302
    assert ModelReview.objects.get(user=alice).rating == 5


@pytest.mark.parametrize("persona", ["bob", "staff"])
def test_anyone_but_the_author_gets_404(client, request, review, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url(review)).status_code == 404
    assert ModelReview.objects.filter(pk=review.pk).exists()


def test_the_model_developer_cannot_delete_a_review(client, review, dana):
    client.force_login(dana.user)
    assert client.post(url(review)).status_code == 404
    assert ModelReview.objects.filter(pk=review.pk).exists()
