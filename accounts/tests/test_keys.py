"""/me/keys/: list, create (shown once), revoke — at each permission level."""

import re

import pytest
from django.test import Client

from accounts import keys
from accounts.models import UserApiKey
from accounts.services import MAX_ACTIVE_KEYS
from accounts.tests.factories import UserApiKeyFactory

# Anonymous ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method, path", [("get", "/me/keys/"), ("post", "/me/keys/new/")])
def test_anonymous_visitors_are_sent_to_sign_in(client, db, method, path):
    response = getattr(client, method)(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


# Pending verification ----------------------------------------------------------------------------------


def test_a_user_pending_verification_sees_the_page_without_a_create_form(client, pat):
    client.force_login(pat)

    html = client.get("/me/keys/").content.decode()

    assert "Verify your email address first" in html
    assert 'action="/me/keys/new/"' not in html


def test_a_user_pending_verification_cannot_create_a_key(client, pat):
    client.force_login(pat)

    assert client.post("/me/keys/new/", {"name": "x"}).status_code == 403
    assert not UserApiKey.objects.exists()


# Verified ----------------------------------------------------------------------------------------------


def test_a_verified_user_lists_their_keys_with_prefix_dates_and_status(alice_client, alice, bob):
    UserApiKeyFactory(user=alice, name="laptop")
    revoked = UserApiKeyFactory(user=alice, name="old ci")
    revoked.revoke()
    revoked.save()
    UserApiKeyFactory(user=bob, name="bobs key")

    response = alice_client.get("/me/keys/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "laptop" in html and "old ci" in html and "bobs key" not in html
    assert "amp_pk_" in html
    assert "Never" in html
    assert "Revoked" in html


def test_creating_a_key_shows_it_once_and_stores_only_its_hash(alice_client, alice):
    response = alice_client.post("/me/keys/new/", {"name": "script"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    plain = re.search(r'<code id="new-key">(amp_pk_\w+)</code>', html).group(1)
    assert keys.has_valid_checksum(plain)
    api_key = UserApiKey.objects.get()
    assert (api_key.user, api_key.name) == (alice, "script")
    assert api_key.key_hash == keys.hash_key(plain)
    assert api_key.key_prefix == plain[:12]
    assert plain not in alice_client.get("/me/keys/").content.decode()
    assert all(plain not in str(value) for value in alice_client.session.values())


def test_a_key_needs_a_name_and_keeps_the_input(alice_client):
    response = alice_client.post("/me/keys/new/", {"name": "x" * 101})

    html = response.content.decode()
    assert "Ensure this value has at most 100 characters" in html
    assert 'value="' + "x" * 101 + '"' in html
    assert not UserApiKey.objects.exists()


def test_the_key_limit_is_explained(alice_client, alice):
    UserApiKeyFactory.create_batch(MAX_ACTIVE_KEYS, user=alice)

    assert "the most allowed" in alice_client.get("/me/keys/").content.decode()
    response = alice_client.post("/me/keys/new/", {"name": "one more"})
    assert "the most allowed" in response.content.decode()
    assert UserApiKey.objects.count() == MAX_ACTIVE_KEYS


def test_revoking_asks_for_confirmation_then_revokes_on_post(alice_client, alice):
    api_key = UserApiKeyFactory(user=alice, name="laptop")

    confirm = alice_client.get(f"/me/keys/{api_key.key_id}/revoke/")
    assert "Revoke key" in confirm.content.decode()
    api_key.refresh_from_db()
    assert api_key.revoked_at is None

    response = alice_client.post(f"/me/keys/{api_key.key_id}/revoke/")

    assert response.status_code == 302
    assert response["Location"] == "/me/keys/"
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None


def test_creating_needs_a_post(alice_client):
    assert alice_client.get("/me/keys/new/").status_code == 405


def test_forms_are_csrf_protected(alice):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)

    assert strict.post("/me/keys/new/", {"name": "x"}).status_code == 403


@pytest.mark.parametrize("rows", [1, 50])
def test_the_list_runs_a_fixed_number_of_queries(alice_client, alice, rows, django_assert_max_num_queries):
    UserApiKeyFactory.create_batch(rows, user=alice)

    with django_assert_max_num_queries(4):
        assert alice_client.get("/me/keys/").status_code == 200


# Another user ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_users_key_is_a_404(alice_client, bob, method):
    bobs = UserApiKeyFactory(user=bob)

    assert getattr(alice_client, method)(f"/me/keys/{bobs.key_id}/revoke/").status_code == 404
    bobs.refresh_from_db()
    assert bobs.revoked_at is None
