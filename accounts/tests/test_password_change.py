import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("accounts:password_change")
NEW = "quiet-meadow-orbit-77"


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_form_has_labels_for_every_password(client, alice):
    client.force_login(alice)
    html = client.get(URL).content.decode()
    assert html.count("<h1") == 1
    for field in ("old_password", "new_password1", "new_password2"):
        assert f'for="id_{field}"' in html


def test_a_wrong_current_password_is_refused_beside_the_field(client, alice, password):
    client.force_login(alice)
    response = client.post(URL, {"old_password": "nope", "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    alice.refresh_from_db()
    assert alice.check_password(password)


def test_it_changes_the_password_and_keeps_the_user_signed_in(client, alice, password):
    client.force_login(alice)
    response = client.post(URL, {"old_password": password, "new_password1": NEW, "new_password2": NEW})
    assert response.url == reverse("accounts:password_change_done")
    alice.refresh_from_db()
    assert alice.check_password(NEW)
    assert client.get(reverse("accounts:password_change_done")).status_code == 200
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_a_pending_user_can_change_their_password(client, pat, password):
    client.force_login(pat)
    client.post(URL, {"old_password": password, "new_password1": NEW, "new_password2": NEW})
    pat.refresh_from_db()
    assert pat.check_password(NEW)
