import pytest
from django.urls import reverse

from activity.models import UserHistory
from activity.tests.factories import UserHistoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(alice, model):
    return UserHistoryFactory(user=alice, model=model, prompt="delete me please")


def url(entry):
    return reverse("history:delete", args=[entry.pk])


def test_visitors_are_sent_to_sign_in(client, entry):
    assert client.post(url(entry)).url.startswith(reverse("accounts:login"))
    assert UserHistory.objects.filter(pk=entry.pk).exists()


def test_get_asks_for_confirmation_and_deletes_nothing(client, alice, entry):
    client.force_login(alice)
    response = client.get(url(entry))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "delete me please" in html
    assert 'method="post"' in html
    assert UserHistory.objects.filter(pk=entry.pk).exists()


def test_post_deletes_the_entry(client, alice, entry):
    client.force_login(alice)
    response = client.post(url(entry))
    assert response.url == reverse("history:list")
    assert not UserHistory.objects.filter(pk=entry.pk).exists()


def test_deleting_the_last_entry_for_a_model_drops_the_models_user_count(client, alice, entry, model):
    model.refresh_from_db()
    assert model.total_users == 1
    client.force_login(alice)
    client.post(url(entry))
    model.refresh_from_db()
    assert model.total_users == 0


def test_a_pending_user_can_delete_their_own_entry(client, pat, model):
    own = UserHistoryFactory(user=pat, model=model)
    client.force_login(pat)
    client.post(url(own))
    assert not UserHistory.objects.filter(pk=own.pk).exists()


@pytest.mark.parametrize("persona", ["bob", "pat", "staff"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anyone_else_gets_a_404_and_the_entry_stays(client, entry, persona, method, request):
    client.force_login(request.getfixturevalue(persona))
    assert getattr(client, method)(url(entry)).status_code == 404
    assert UserHistory.objects.filter(pk=entry.pk).exists()
