import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import AIModel
from favourites.models import ModelLike
from favourites.tests.factories import ModelLikeFactory

pytestmark = pytest.mark.django_db


def url(model) -> str:
    return reverse("favourites:like", args=[model.api_name])


def count(model) -> int:
    return AIModel.objects.get(pk=model.pk).like_count


def test_a_user_likes_a_model_from_its_page_and_comes_back(alice_client, model):
    response = alice_client.post(url(model), {"liked": "1"})

    assert response.status_code == 302
    assert response["Location"] == model.get_absolute_url()
    assert count(model) == 1
    page = alice_client.get(model.get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in page
    assert "Liked" in page


def test_the_button_takes_the_like_back(alice_client, alice, model):
    ModelLikeFactory(user=alice, model=model)

    alice_client.post(url(model), {"liked": "0"})

    assert count(model) == 0


def test_htmx_gets_the_button_with_the_new_count(alice_client, model):
    response = alice_client.post(url(model), {"liked": "1"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="like-box"' in html and "<html" not in html
    assert 'aria-pressed="true"' in html
    assert ">1<" in html.replace("\n", "")


def test_a_pending_user_is_told_to_verify(client, pat, model):
    client.force_login(pat)

    response = client.post(url(model), follow=True)

    assert "Verify your email address to like models" in response.content.decode()
    assert count(model) == 0


def test_a_refusal_over_htmx_is_a_403_with_the_reason(client, dana, model):
    client.force_login(dana.user)

    response = client.post(url(model), headers={"HX-Request": "true"})

    assert response.status_code == 403
    assert "your own model" in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, model):
    response = client.post(url(model))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert count(model) == 0


def test_it_rejects_get(alice_client, model):
    assert alice_client.get(url(model)).status_code == 405


def test_the_like_post_needs_the_csrf_token(alice, model):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    assert client.post(url(model), {"liked": "1"}).status_code == 403
    assert not ModelLike.objects.exists()


def test_a_visitor_sees_the_count_and_no_form(client, alice, model):
    ModelLikeFactory(user=alice, model=model)

    html = client.get(model.get_absolute_url()).content.decode()

    assert "1 like" in html
    assert "Sign in to like" in html
    assert "csrfmiddlewaretoken" not in html  # the page stays kept for visitors


def test_the_next_address_stays_on_the_site(alice_client, model):
    response = alice_client.post(url(model), {"liked": "1", "next": "https://evil.example/"})
    assert response["Location"] == model.get_absolute_url()


def test_my_likes_lists_the_liked_models(alice_client, alice, model, other_model):
    ModelLikeFactory(user=alice, model=model)
    ModelLikeFactory(user=alice, model=other_model)

    html = alice_client.get(reverse("favourites:my_likes")).content.decode()

    assert "Dana Summarizer" in html and "Eve Writer" in html


def test_my_likes_is_for_signed_in_users(client):
    response = client.get(reverse("favourites:my_likes"))
    assert response.status_code == 302


def test_my_likes_runs_a_fixed_number_of_queries(alice_client, alice, dana, django_assert_max_num_queries):
    from catalog.tests.factories import AIModelFactory

    for model in AIModelFactory.create_batch(12, developer=dana):
        ModelLikeFactory(user=alice, model=model)

    with django_assert_max_num_queries(8):
        response = alice_client.get(reverse("favourites:my_likes"))
    assert response.status_code == 200


def test_the_catalog_sorts_by_likes(client, alice, bob, model, other_model):
    ModelLikeFactory(user=alice, model=other_model)
    ModelLikeFactory(user=bob, model=other_model)
    ModelLikeFactory(user=alice, model=model)

    html = client.get(reverse("catalog:model_list"), {"sort": "likes"}).content.decode()

    assert html.index("Eve Writer") < html.index("Dana Summarizer")
    assert "Most liked" in html


def test_the_card_shows_the_new_count_at_once(client, alice, model):
    client.get(reverse("catalog:model_list"))  # the card is kept
    ModelLikeFactory(user=alice, model=model)

    html = client.get(reverse("catalog:model_list")).content.decode()

    assert 'title="1 like"' in html
