import pytest
from django.urls import reverse

from activity.tests.factories import UserHistoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(alice, model):
    return UserHistoryFactory(user=alice, model=model)


def url(entry):
    return reverse("history:rate", args=[entry.pk])


def test_it_refuses_get(client, alice, entry):
    client.force_login(alice)
    assert client.get(url(entry)).status_code == 405


def test_visitors_are_sent_to_sign_in(client, entry):
    response = client.post(url(entry), {"rating": 5})
    assert response.url.startswith(reverse("accounts:login"))
    entry.refresh_from_db()
    assert entry.user_rating is None


@pytest.mark.parametrize("rating", [1, 3, 5])
def test_the_owner_rates_an_answer_from_one_to_five(client, alice, entry, rating):
    client.force_login(alice)
    response = client.post(url(entry), {"rating": rating})
    assert response.url == reverse("history:detail", args=[entry.pk])
    entry.refresh_from_db()
    assert entry.user_rating == rating


def test_a_new_rating_replaces_the_old_one(client, alice, entry):
    client.force_login(alice)
    client.post(url(entry), {"rating": 2})
    client.post(url(entry), {"rating": 4})
    entry.refresh_from_db()
    assert entry.user_rating == 4


@pytest.mark.parametrize("rating", ["0", "6", "abc", ""])
def test_an_out_of_range_rating_gets_an_error_beside_the_field(client, alice, entry, rating):
    client.force_login(alice)
    response = client.post(url(entry), {"rating": rating})
    assert response.status_code == 400
    assert response.context["rating_form"].errors["rating"]
    assert 'class="errorlist"' in response.content.decode()
    entry.refresh_from_db()
    assert entry.user_rating is None


def test_a_pending_user_cannot_rate(client, pat, model):
    own = UserHistoryFactory(user=pat, model=model)
    client.force_login(pat)
    response = client.post(url(own), {"rating": 5}, follow=True)
    assert "Confirm your email address before rating" in response.content.decode()
    own.refresh_from_db()
    assert own.user_rating is None


@pytest.mark.parametrize("persona", ["bob", "pat", "staff"])
def test_anyone_else_gets_a_404_and_the_rating_stays(client, entry, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url(entry), {"rating": 1}).status_code == 404
    entry.refresh_from_db()
    assert entry.user_rating is None
