"""A user changes their email address: /me/email/ with the password, a link mailed to the new address, a
notice to the old one, the change made only when the link is followed."""

import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import CreditKind, CreditLedgerEntry, User, UserStatus
from accounts.services import email_change as service
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("me:email_change")
LINK = re.compile(r"https?://[^\s\"<>]+/accounts/email/confirm/[^\s\"<>]+/")


@pytest.fixture
def ask(alice_client, password, django_capture_on_commit_callbacks):
    """POST the form as alice, running the mails it queues; returns the response."""

    def post(email: str, password_typed: str = password):
        with django_capture_on_commit_callbacks(execute=True):
            return alice_client.post(URL, {"email": email, "password": password_typed})

    return post


def link_in(message) -> str:
    found = LINK.findall(message.body)
    assert len(found) == 1, message.body
    return urlsplit(found[0]).path


def confirm(client, link: str, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(link)


def test_the_page_asks_for_the_new_address_and_the_password(alice_client):
    html = alice_client.get(URL).content.decode()
    assert 'name="email"' in html and 'type="email"' in html
    assert 'name="password"' in html and 'autocomplete="current-password"' in html


def test_the_change_waits_for_the_link_mailed_to_the_new_address(
    ask, alice, alice_client, django_capture_on_commit_callbacks
):
    response = ask("Alice.New@Example.org")

    assert response.status_code == 302 and response["Location"] == reverse("me:profile")
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"  # not yet
    assert alice.pending_email == "Alice.New@example.org"
    to_new = [m for m in mail.outbox if m.to == ["Alice.New@example.org"]]
    assert len(to_new) == 1 and "confirm" in to_new[0].subject.lower()

    link = link_in(to_new[0])
    page = alice_client.get(link)
    assert page.status_code == 200 and "Alice.New@example.org" in page.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"  # a GET changes nothing (mail scanners)

    response = confirm(alice_client, link, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse("me:profile")
    alice.refresh_from_db()
    assert alice.email == "Alice.New@example.org"
    assert alice.email_verified is True
    assert alice.pending_email is None and alice.pending_email_requested_at is None


def test_the_old_address_is_told_of_the_request_and_of_the_change_with_the_new_one_masked(
    ask, alice_client, django_capture_on_commit_callbacks
):
    ask("alice.new@example.org")
    notices = [m for m in mail.outbox if m.to == ["alice@example.com"]]
    assert len(notices) == 1
    assert "alice.new@example.org" not in notices[0].body
    assert "al…@e…e.org" in notices[0].body
    assert "cancel" in notices[0].body.lower()

    link = link_in(next(m for m in mail.outbox if m.to == ["alice.new@example.org"]))
    confirm(alice_client, link, django_capture_on_commit_callbacks)
    notices = [m for m in mail.outbox if m.to == ["alice@example.com"]]
    assert len(notices) == 2
    assert "was changed" in notices[1].subject
    assert "alice.new@example.org" not in notices[1].body + notices[1].alternatives[0][0]
    assert "al…@e…e.org" in notices[1].body


def test_a_wrong_password_changes_nothing_and_sends_nothing(ask, alice):
    response = ask("alice.new@example.org", "not-my-password")

    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()
    alice.refresh_from_db()
    assert alice.pending_email is None
    assert mail.outbox == []


@pytest.mark.parametrize("typed", ["BOB@example.com", "bob@EXAMPLE.com"])
def test_an_address_of_another_account_is_refused_whatever_its_case(ask, alice, bob, typed):
    response = ask(typed)

    assert response.status_code == 200
    assert "A user with that email address already exists." in response.content.decode()
    alice.refresh_from_db()
    assert alice.pending_email is None
    assert mail.outbox == []


def test_the_current_address_is_refused(ask):
    response = ask("ALICE@example.com")
    assert "That is already your address." in response.content.decode()
    assert mail.outbox == []


def test_a_link_works_once(ask, alice, alice_client, django_capture_on_commit_callbacks):
    ask("alice.new@example.org")
    link = link_in(next(m for m in mail.outbox if m.to == ["alice.new@example.org"]))
    confirm(alice_client, link, django_capture_on_commit_callbacks)

    again = confirm(alice_client, link, django_capture_on_commit_callbacks)
    assert again.status_code == 400
    assert "This link no longer works" in again.content.decode()


def test_only_the_latest_link_works(ask, alice, alice_client, django_capture_on_commit_callbacks):
    ask("first@example.org")
    first = link_in(next(m for m in mail.outbox if m.to == ["first@example.org"]))
    ask("second@example.org")

    assert confirm(alice_client, first, django_capture_on_commit_callbacks).status_code == 400
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    assert alice.pending_email == "second@example.org"


def test_an_expired_link_is_refused(
    ask, alice, alice_client, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_CHANGE_MAX_AGE = timedelta(hours=1)
    now = time.time()
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: now - 2 * 3600)
        ask("alice.new@example.org")
    link = link_in(next(m for m in mail.outbox if m.to == ["alice.new@example.org"]))

    response = confirm(alice_client, link, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_an_altered_link_is_refused(ask, alice_client, django_capture_on_commit_callbacks):
    ask("alice.new@example.org")
    link = link_in(next(m for m in mail.outbox if m.to == ["alice.new@example.org"]))
    altered = link[:-3] + ("x" if link[-3] != "x" else "y") + link[-2:]

    assert confirm(alice_client, altered, django_capture_on_commit_callbacks).status_code == 400


def test_an_address_taken_between_the_request_and_the_link_is_refused_then(
    ask, alice, alice_client, django_capture_on_commit_callbacks
):
    ask("wanted@example.org")
    link = link_in(next(m for m in mail.outbox if m.to == ["wanted@example.org"]))
    UserFactory(username="quick", email="WANTED@example.org")

    assert alice_client.get(link).status_code == 409
    response = confirm(alice_client, link, django_capture_on_commit_callbacks)
    assert response.status_code == 409
    assert "That address is taken now" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_the_database_decides_a_race_the_check_missed(alice, monkeypatch, django_capture_on_commit_callbacks):
    service.email_change_request(user=alice, new_email="race@example.org")
    from accounts import tokens

    token = tokens.make_email_change_token(alice)
    UserFactory(username="racer", email="race@example.org")
    monkeypatch.setattr(service, "address_taken", lambda **kwargs: False)  # the check sees nothing

    with pytest.raises(service.EmailTaken):
        service.email_change_confirm(token=token)
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"


def test_the_profile_shows_a_pending_change_that_can_be_cancelled(
    ask, alice, alice_client, django_capture_on_commit_callbacks
):
    ask("alice.new@example.org")
    link = link_in(next(m for m in mail.outbox if m.to == ["alice.new@example.org"]))

    profile = alice_client.get(reverse("me:profile")).content.decode()
    assert "Changing to <strong>alice.new@example.org</strong>" in profile
    assert f'action="{reverse("me:email_change_cancel")}"' in profile

    response = alice_client.post(reverse("me:email_change_cancel"))
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.pending_email is None
    assert "Changing to" not in alice_client.get(reverse("me:profile")).content.decode()
    assert confirm(alice_client, link, django_capture_on_commit_callbacks).status_code == 400


def test_cancelling_takes_a_post(alice_client):
    assert alice_client.get(reverse("me:email_change_cancel")).status_code == 405


def test_the_page_needs_a_signed_in_user(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_changes_are_throttled_per_user(ask, alice, settings):
    settings.THROTTLE_EMAIL_CHANGES_PER_USER = 2
    assert ask("one@example.org").status_code == 302
    assert ask("two@example.org").status_code == 302
    mails_before = len(mail.outbox)

    refused = ask("three@example.org")
    assert refused.status_code == 429
    assert "too many times" in refused.content.decode()
    assert len(mail.outbox) == mails_before
    alice.refresh_from_db()
    assert alice.pending_email == "two@example.org"


def test_changes_are_throttled_per_client_address(
    client, bob, password, settings, django_capture_on_commit_callbacks
):
    settings.THROTTLE_RESENDS_PER_CLIENT = 1
    users = [UserFactory(username=f"neighbour{n}") for n in range(2)]
    statuses = []
    for n, user in enumerate(users):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            statuses.append(
                client.post(URL, {"email": f"n{n}@example.org", "password": password}).status_code
            )
    assert statuses == [302, 429]


def test_a_pending_user_confirming_a_new_address_is_verified_and_credited(
    client, pat, password, settings, django_capture_on_commit_callbacks
):
    settings.WELCOME_CREDITS = "5.00"
    client.force_login(pat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"email": "pat.fixed@example.org", "password": password})
    link = link_in(next(m for m in mail.outbox if m.to == ["pat.fixed@example.org"]))

    confirm(client, link, django_capture_on_commit_callbacks)
    pat.refresh_from_db()
    assert pat.email == "pat.fixed@example.org"
    assert pat.email_verified and pat.status == UserStatus.ACTIVE
    assert CreditLedgerEntry.objects.filter(user=pat, kind=CreditKind.GRANT).count() == 1


def test_the_link_works_without_a_session(ask, alice, django_capture_on_commit_callbacks):
    ask("alice.new@example.org")
    link = link_in(next(m for m in mail.outbox if m.to == ["alice.new@example.org"]))

    response = confirm(Client(), link, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert User.objects.get(pk=alice.pk).email == "alice.new@example.org"


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("jane.doe@example.com", "ja…@e…e.com"),
        ("bob@mail.example.org", "b…@m…e.org"),
        ("x@ab.io", "x…@a….io"),
    ],
)
def test_masking_keeps_too_little_to_write_to(address, masked):
    assert service.mask_email(address) == masked
