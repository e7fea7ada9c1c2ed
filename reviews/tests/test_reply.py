import pytest
from django.urls import reverse

from accounts.models import DeveloperStatus, UserStatus
from reviews.models import ReviewReply
from reviews.tests.factories import ModelReviewFactory, ReviewReplyFactory
from reviews.tests.helpers import reviews_tab

pytestmark = pytest.mark.django_db


def url(review):
    return reverse("reviews:reply", args=[review.model.api_name, review.pk])


def test_the_owning_developer_sees_the_reply_page(client, review, dana):
    client.force_login(dana.user)
    response = client.get(url(review))
    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1
    assert f'id="reply-text-{review.pk}"' in response.content.decode()


def test_the_owning_developer_posts_a_public_reply(client, review, dana):
    client.force_login(dana.user)

    response = client.post(url(review), {"reply_text": "Thanks for trying it!"})

    assert response.status_code == 302
    reply = ReviewReply.objects.get(review=review)
    assert (reply.developer_id, reply.reply_text) == (dana.pk, "Thanks for trying it!")
    assert "Thanks for trying it!" in client.get(reviews_tab(review.model)).content.decode()


def test_a_second_post_edits_the_one_reply(client, review, dana):
    client.force_login(dana.user)
    client.post(url(review), {"reply_text": "First"})
    client.post(url(review), {"reply_text": "Edited"})
    assert list(ReviewReply.objects.values_list("reply_text", flat=True)) == ["Edited"]


def test_it_returns_to_the_page_the_form_came_from(client, review, dana):
    client.force_login(dana.user)
    response = client.post(url(review), {"reply_text": "Hi", "next": "/dashboard/reviews/"})
    assert response["Location"] == "/dashboard/reviews/"
    unsafe = client.post(url(review), {"reply_text": "Hi", "next": "//evil.example.com/"})
    assert unsafe["Location"] == f"/models/{review.model.api_name}/reviews/#review-{review.pk}"


def test_an_empty_reply_gets_a_message_beside_the_field(client, review, dana):
    client.force_login(dana.user)
    response = client.post(url(review), {"reply_text": "   ", "next": "/dashboard/reviews/"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Write your reply before sending it." in body
    assert 'name="next" value="/dashboard/reviews/"' in body
    assert not ReviewReply.objects.exists()


def test_a_too_long_reply_keeps_what_was_typed(client, review, dana):
    client.force_login(dana.user)
    text = "y" * 5001
    response = client.post(url(review), {"reply_text": text})
    assert "at most 5000 characters" in response.content.decode()
    assert text in response.content.decode()


@pytest.mark.parametrize("persona", ["alice", "bob", "staff", "pat"])
def test_nobody_but_the_owning_developer_may_reply(client, request, review, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(review)).status_code == 404
    assert client.post(url(review), {"reply_text": "Not mine"}).status_code == 404
    assert not ReviewReply.objects.exists()


def test_another_developer_gets_404(client, review, eve):
    client.force_login(eve.user)
    assert client.post(url(review), {"reply_text": "Not mine"}).status_code == 404


def test_a_suspended_developer_cannot_reply(client, review, dana):
    dana.status = DeveloperStatus.SUSPENDED
    dana.save()
    client.force_login(dana.user)
    assert client.post(url(review), {"reply_text": "Still here"}).status_code == 404


def test_a_hidden_review_takes_no_reply(client, model, alice, dana):
    hidden = ModelReviewFactory(model=model, user=alice, is_hidden=True)
    client.force_login(dana.user)
    assert client.post(url(hidden), {"reply_text": "Hello"}).status_code == 404


def test_the_reply_is_shown_as_plain_text(client, review):
    ReviewReplyFactory(review=review, reply_text='<img src=x onerror="alert(1)">\nsecond line')
    body = client.get(reviews_tab(review.model)).content.decode()
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;<br>second line" in body
    assert "<img src=x" not in body


def test_the_reply_form_partial_prefills_an_existing_reply(client, review, dana):
    ReviewReplyFactory(review=review, reply_text="Earlier answer")
    client.force_login(dana.user)
    body = client.get(reviews_tab(review.model)).content.decode()
    assert ">Earlier answer</textarea>" in body
    assert "Update reply" in body


def test_a_developer_whose_own_account_is_not_active_gets_404(client, review, dana):
    # Like the dashboard: an active developer profile is not enough when its sign-in account is pending.
    dana.user.status = UserStatus.PENDING_VERIFICATION
    dana.user.save()
    client.force_login(dana.user)

    assert client.get(url(review)).status_code == 404
    assert client.post(url(review), {"reply_text": "Hi"}).status_code == 404
    assert not ReviewReply.objects.exists()
