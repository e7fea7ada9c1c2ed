import pytest
from django.urls import reverse

from accounts.models import UserStatus
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:login")
GENERIC = "That username or email and password do not match an account."


def sign_in(client, username, password, **extra):
    return client.post(URL, {"username": username, "password": password, **extra})


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_it_shows_the_form_with_labels(client):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert '<label for="id_username">Username or email:</label>' in html
    assert 'for="id_password"' in html


def test_it_signs_in_by_username_in_any_letter_case(client, alice, password):
    response = sign_in(client, "ALICE", password)
    assert response.status_code == 302
    assert response.url == "/"
    assert signed_in_user_id(client) == str(alice.pk)


def test_it_signs_in_by_email_in_any_letter_case(client, alice, password):
    sign_in(client, "Alice@Example.com", password)
    assert signed_in_user_id(client) == str(alice.pk)


def test_it_follows_a_safe_next_and_ignores_an_outside_one(client, alice, password):
    assert sign_in(client, "alice", password, next="/me/history/").url == "/me/history/"
    client.logout()
    assert sign_in(client, "alice", password, next="https://evil.example/").url == "/"


def test_a_wrong_password_gets_a_generic_message_and_keeps_the_username(client, alice):
    response = sign_in(client, "alice", "not-the-password")
    html = response.content.decode()
    assert response.status_code == 200
    assert GENERIC in html
    assert 'value="alice"' in html
    assert signed_in_user_id(client) is None


def test_an_unknown_user_gets_the_same_generic_message(client):
    assert GENERIC in sign_in(client, "nobody", "whatever-password").content.decode()


def test_a_pending_user_can_sign_in(client, pat, password):
    sign_in(client, "pat", password)
    assert signed_in_user_id(client) == str(pat.pk)


@pytest.mark.parametrize("status", [UserStatus.SUSPENDED, UserStatus.INACTIVE])
def test_a_blocked_user_with_the_right_password_is_told_the_account_is_suspended(client, password, status):
    UserFactory(username="carol", status=status)
    response = sign_in(client, "carol", password)
    html = response.content.decode()
    assert "This account is suspended" in html
    assert GENERIC not in html
    assert signed_in_user_id(client) is None


def test_a_blocked_user_with_a_wrong_password_learns_nothing_more(client):
    UserFactory(username="carol", status=UserStatus.SUSPENDED)
    html = sign_in(client, "carol", "wrong-password").content.decode()
    assert GENERIC in html
    assert "suspended" not in html


def test_signed_in_visitors_skip_the_form(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 302


def test_a_next_pointing_at_the_sign_in_page_does_not_loop(client, alice):
    client.force_login(alice)
    response = client.get(URL, {"next": URL})
    assert response.status_code == 302
    assert response.url == "/"


def test_sign_out_refuses_get(client, alice):
    client.force_login(alice)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert signed_in_user_id(client) == str(alice.pk)


def test_sign_out_by_post_ends_the_session(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == "/"
    assert signed_in_user_id(client) is None
