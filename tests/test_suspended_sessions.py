"""A suspended or deactivated user is signed out on their very next request.

users.is_active is a column PostgreSQL generates from status, and the auth backend refuses a user whose
is_active is false each time it loads the session's user, so no session outlives a suspension.
"""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user
from django.test import Client
from django.urls import reverse

from accounts.models import User, UserStatus
from accounts.tests.factories import StaffFactory
from tests.conftest import sql


def session_user(client, rf):
    request = rf.get("/")
    request.session = client.session
    return get_user(request)


def test_a_signed_in_user_stays_signed_in_while_active(client, rf, alice):
    client.force_login(alice)

    assert session_user(client, rf) == alice


@pytest.mark.parametrize("status", [UserStatus.SUSPENDED, UserStatus.INACTIVE])
def test_suspending_a_user_by_sql_ends_their_session(client, rf, alice, status):
    client.force_login(alice)

    sql("UPDATE users SET status = %s WHERE user_id = %s", [status, alice.pk])

    assert sql("SELECT is_active FROM users WHERE user_id = %s", [alice.pk]) == [(False,)]
    assert session_user(client, rf).is_anonymous


def test_a_user_waiting_for_email_verification_keeps_their_session(client, rf, pat):
    client.force_login(pat)

    assert session_user(client, rf) == pat


def test_staff_suspended_from_the_admin_lose_the_admin_on_their_next_request(staff_client):
    colleague = StaffFactory(username="colleague")
    client = Client()
    client.force_login(colleague)
    assert client.get("/admin/").status_code == 200

    staff_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "suspend_users", admin.helpers.ACTION_CHECKBOX_NAME: [str(colleague.pk)]},
    )

    assert User.objects.get(pk=colleague.pk).status == UserStatus.SUSPENDED
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
