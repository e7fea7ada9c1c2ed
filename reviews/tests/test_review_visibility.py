import pytest

from catalog.models import AIModel
from reviews.models import ModelReview
from reviews.tests.factories import ModelReviewFactory
from reviews.tests.helpers import reviews_tab

pytestmark = pytest.mark.django_db
PAYLOAD = '<script>alert("owned")</script>'


def test_a_hidden_review_vanishes_from_the_page_and_the_rating_and_comes_back(client, model, alice, bob):
    ModelReviewFactory(model=model, user=alice, rating=5, review_title="Loved it")
    hidden = ModelReviewFactory(model=model, user=bob, rating=1, review_title="Spam spam")

    ModelReview.objects.filter(pk=hidden.pk).update(is_hidden=True)
    response = client.get(reviews_tab(model))
    model.refresh_from_db()
    assert "Spam spam" not in response.content.decode()
    assert "Loved it" in response.content.decode()
    assert response.context["reviews_page"].paginator.count == 1
    assert (model.rating_count, str(model.average_rating)) == (1, "5.00")
    assert {r["stars"]: r["count"] for r in response.context["histogram"]}[1] == 0

    ModelReview.objects.filter(pk=hidden.pk).update(is_hidden=False)
    response = client.get(reviews_tab(model))
    model.refresh_from_db()
    assert "Spam spam" in response.content.decode()
    assert (model.rating_count, str(model.average_rating)) == (2, "3.00")
    assert {r["stars"]: r["count"] for r in response.context["histogram"]}[1] == 1


def test_the_author_of_a_hidden_review_is_told_it_is_hidden(client, model, alice):
    ModelReviewFactory(model=model, user=alice, is_hidden=True)
    client.force_login(alice)
    body = client.get(reviews_tab(model)).content.decode()
    assert "Moderators have hidden your review" in body
    assert 'action="/models/dana-summarizer/reviews/new/"' not in body


def test_staff_do_not_see_hidden_reviews_on_the_page_either(client, model, alice, staff):
    ModelReviewFactory(model=model, user=alice, review_title="Hidden title", is_hidden=True)
    client.force_login(staff)
    assert "Hidden title" not in client.get(reviews_tab(model)).content.decode()


def test_a_script_typed_in_a_review_is_shown_as_text_and_never_runs(client, model, alice):
    client.force_login(alice)
    client.post(
        f"/models/{model.api_name}/reviews/new/",
        {"rating": "3", "review_title": PAYLOAD, "review_text": f"line one\n{PAYLOAD}"},
    )
    assert ModelReview.objects.get(user=alice).review_title == PAYLOAD

    for who in (None, alice):
        client.logout()
        if who:
            client.force_login(who)
        body = client.get(reviews_tab(model)).content.decode()
        assert PAYLOAD not in body
        assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in body
        assert "line one<br>&lt;script&gt;" in body


def test_a_script_typed_in_a_rejected_form_is_escaped_when_shown_again(client, model, alice):
    client.force_login(alice)
    response = client.post(
        f"/models/{model.api_name}/reviews/new/",
        {"rating": "", "review_title": PAYLOAD, "review_text": PAYLOAD},
    )
    assert PAYLOAD not in response.content.decode()
    assert not AIModel.objects.get(pk=model.pk).rating_count
