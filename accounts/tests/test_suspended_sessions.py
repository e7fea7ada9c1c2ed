"""A suspension deletes the user's sessions, and a reactivation does not revive one: sign in, suspend,
reactivate, and the old cookie is anonymous. Sessions are deleted through the session store (so a
cached_db engine loses them from its cache and its table), found through the user_sessions index; the
session epoch, moved by the database on every suspension however it is written, kills any the index
missed."""

import pytest
from django.contrib import admin
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import User, UserSession, UserStatus
from accounts.tests.factories import PASSWORD
from tests.conftest import scalar, sql

LOGIN = reverse("accounts:login")
PROFILE = reverse("me:profile")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def signed_in_client(user) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(PROFILE).status_code == 200
    return client


def act(staff_client, action, user):
    staff_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": action, admin.helpers.ACTION_CHECKBOX_NAME: [str(user.pk)]},
    )


def is_anonymous(client) -> bool:
    response = client.get(PROFILE)
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_signing_in_indexes_the_session_and_signing_out_removes_it(alice):
    client = signed_in_client(alice)
    key = client.cookies["sessionid"].value
    assert list(UserSession.objects.filter(user=alice).values_list("session_key", flat=True)) == [key]
    client.post(reverse("accounts:logout"))
    assert not UserSession.objects.filter(user=alice).exists()


def test_suspending_from_the_admin_deletes_every_session_of_the_user(staff_client, alice, bob):
    phone, laptop, other = signed_in_client(alice), signed_in_client(alice), signed_in_client(bob)
    keys = [phone.cookies["sessionid"].value, laptop.cookies["sessionid"].value]

    act(staff_client, "suspend_users", alice)

    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not UserSession.objects.filter(user=alice).exists()
    assert is_anonymous(phone) and is_anonymous(laptop)
    assert not is_anonymous(other)


def test_reactivation_does_not_revive_an_old_session(staff_client, alice):
    client = signed_in_client(alice)

    act(staff_client, "suspend_users", alice)
    act(staff_client, "reactivate_users", alice)

    assert User.objects.get(pk=alice.pk).status == UserStatus.ACTIVE
    assert is_anonymous(client)
    signed_in_client(alice)  # and the account signs in again


def test_suspending_in_the_change_form_deletes_the_sessions(staff_client, alice):
    client = signed_in_client(alice)
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    data = {
        "username": "alice",
        "email": "alice@example.com",
        "status": UserStatus.SUSPENDED,
        "email_verified": "on",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert not UserSession.objects.filter(user=alice).exists()
    sql("UPDATE users SET status = 'active' WHERE user_id = %s", [alice.pk])
    assert is_anonymous(client)


@pytest.mark.parametrize("status", [UserStatus.SUSPENDED, UserStatus.INACTIVE])
def test_a_suspension_written_in_plain_sql_also_keeps_the_session_from_coming_back(alice, status):
    """No Python ran to delete the session; the session epoch the database moved refuses it."""
    client = signed_in_client(alice)
    key = client.cookies["sessionid"].value
    sql("UPDATE users SET status = %s WHERE user_id = %s", [status, alice.pk])
    sql("UPDATE users SET status = 'active' WHERE user_id = %s", [alice.pk])

    assert is_anonymous(client)
    assert not Session.objects.filter(session_key=key).exists()  # the refused session was flushed


def test_the_epoch_moves_only_on_leaving_the_sign_in_statuses_and_cannot_be_written(alice, pat):
    def epoch(user):
        return scalar("SELECT session_epoch FROM users WHERE user_id = %s", [user.pk])

    sql("UPDATE users SET status = 'suspended' WHERE user_id = %s", [alice.pk])
    sql("UPDATE users SET status = 'inactive' WHERE user_id = %s", [alice.pk])  # not signed in either way
    sql("UPDATE users SET status = 'active' WHERE user_id = %s", [alice.pk])
    sql("UPDATE users SET status = 'active' WHERE user_id = %s", [pat.pk])  # verified: keeps its sessions
    assert (epoch(alice), epoch(pat)) == (1, 0)

    sql("UPDATE users SET session_epoch = 0 WHERE user_id = %s", [alice.pk])
    alice.save()  # a user loaded before the suspension, saved after it
    assert epoch(alice) == 1


def test_a_password_change_keeps_the_user_signed_in_and_a_later_suspension_still_ends_it(staff_client, alice):
    """The password change gives the session a new key without a sign-in; the index follows it."""
    client = signed_in_client(alice)
    new = "quiet-meadow-orbit-77"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert not is_anonymous(client)
    key = client.cookies["sessionid"].value
    assert UserSession.objects.filter(user=alice, session_key=key).exists()

    act(staff_client, "suspend_users", alice)
    assert not Session.objects.filter(session_key=key).exists()
    act(staff_client, "reactivate_users", alice)
    assert is_anonymous(client)


def test_sessions_are_deleted_from_the_cache_of_a_cached_db_engine(settings, staff_client, alice):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    client = signed_in_client(alice)
    key = client.cookies["sessionid"].value
    assert CachedDbStore(session_key=key).exists(key)

    act(staff_client, "suspend_users", alice)

    from django.core.cache import caches

    assert caches[settings.SESSION_CACHE_ALIAS].get(CachedDbStore.cache_key_prefix + key) is None
    assert not Session.objects.filter(session_key=key).exists()
