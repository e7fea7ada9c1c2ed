"""django-axes locks one account from one address after five wrong passwords, and nobody else."""

import pytest
from django.test import override_settings
from django.urls import reverse

URL = reverse("accounts:login")
ATTACKER = "10.0.0.1"
ELSEWHERE = "10.0.0.2"


def attempt(client, username, password, ip):
    return client.post(URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail_five_times(client, username, ip=ATTACKER):
    return [attempt(client, username, "wrong-password", ip) for _ in range(5)]


def test_four_wrong_passwords_do_not_lock_the_account(client, alice, password):
    for _ in range(4):
        assert attempt(client, "alice", "wrong-password", ATTACKER).status_code == 200
    assert attempt(client, "alice", password, ATTACKER).status_code == 302


def test_the_fifth_wrong_password_shows_the_lockout_page(client, alice):
    responses = fail_five_times(client, "alice")
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    html = responses[-1].content.decode()
    assert html.count("<h1") == 1
    assert "Sign-in paused" in html
    assert "15 minutes" in html


def test_the_locked_account_cannot_sign_in_even_with_the_right_password(client, alice, password):
    fail_five_times(client, "alice")
    response = attempt(client, "alice", password, ATTACKER)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_another_account_from_the_same_address_still_signs_in(client, alice, bob, password):
    fail_five_times(client, "alice")
    response = attempt(client, "bob", password, ATTACKER)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bob.pk)


def test_the_same_account_from_another_address_still_signs_in(client, alice, password):
    fail_five_times(client, "alice")
    response = attempt(client, "alice", password, ELSEWHERE)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


@override_settings(AXES_USERNAME_CALLABLE="accounts.throttling.axes_username")
def test_every_spelling_of_an_account_shares_one_counter(client, alice, bob, password):
    for login in ("alice", "ALICE", "Alice", "alice@example.com", "ALICE@EXAMPLE.COM"):
        attempt(client, login, "wrong-password", ATTACKER)
    assert attempt(client, "aLiCe", password, ATTACKER).status_code == 429
    assert attempt(client, "bob", password, ATTACKER).status_code == 302


@pytest.mark.django_db
def test_the_lockout_page_has_its_own_address(client):
    response = client.get(reverse("accounts:locked_out"))
    assert response.status_code == 200
    assert "15 minutes" in response.content.decode()
