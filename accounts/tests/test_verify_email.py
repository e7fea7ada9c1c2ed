import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts import tokens
from accounts.models import UserStatus

pytestmark = pytest.mark.django_db

RESEND = reverse("accounts:resend_verification")


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def link_for(user):
    return reverse("accounts:verify_email", args=[tokens.make_email_verification_token(user)])


def link_signed_ago(user, monkeypatch, age: timedelta):
    """A genuine link as it was signed `age` ago: the clock is moved back while signing."""
    now = time.time()
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: now - age.total_seconds())
        return link_for(user)


def test_opening_the_link_shows_the_address_and_a_button_and_changes_nothing(client, pat):
    """Mail scanners and link previews open every link in a message: opening it must not confirm."""
    link = link_for(pat)
    response = client.get(link)

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Is {pat.email} yours?" in html
    assert '<form method="post">' in html
    assert "Confirm my email address" in html
    pat.refresh_from_db()
    assert not pat.email_verified
    assert pat.status == UserStatus.PENDING_VERIFICATION


def test_confirming_needs_the_pages_csrf_token(pat):
    strict = Client(enforce_csrf_checks=True)
    link = link_for(pat)

    assert strict.post(link).status_code == 403
    pat.refresh_from_db()
    assert not pat.email_verified

    page = strict.get(link)
    token = page.cookies["csrftoken"].value
    assert strict.post(link, {"csrfmiddlewaretoken": token}).status_code == 302
    pat.refresh_from_db()
    assert pat.is_verified


def test_the_link_verifies_the_address_and_activates_the_account(client, pat):
    client.force_login(pat)
    response = client.post(link_for(pat), follow=True)

    pat.refresh_from_db()
    assert pat.email_verified is True
    assert pat.status == UserStatus.ACTIVE
    assert response.redirect_chain[-1][0] == reverse("me:profile")
    assert "is confirmed" in response.content.decode()
    assert "Confirm your email address" not in response.content.decode()


def test_the_link_works_for_a_visitor_who_is_not_signed_in(client, pat):
    response = client.post(link_for(pat))
    pat.refresh_from_db()
    assert pat.is_verified
    assert response.url.startswith(reverse("accounts:login"))


def test_the_link_works_only_once(client, pat):
    link = link_for(pat)
    client.post(link)
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 200
        assert "already used" in response.content.decode()
        assert "Confirm my email address" not in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_link_expires_after_three_days(client, pat, monkeypatch, method):
    link = link_signed_ago(pat, monkeypatch, timedelta(days=3, minutes=1))
    response = getattr(client, method)(link)
    html = response.content.decode()
    pat.refresh_from_db()
    assert response.status_code == 400
    assert "This link has expired" in html
    assert pat.status == UserStatus.PENDING_VERIFICATION
    assert not pat.email_verified


def test_the_link_still_works_just_before_it_expires(client, pat, monkeypatch):
    client.post(link_signed_ago(pat, monkeypatch, timedelta(days=2, hours=23)))
    pat.refresh_from_db()
    assert pat.is_verified


def test_the_expired_page_offers_a_new_link_to_the_signed_in_user(client, pat, monkeypatch):
    client.force_login(pat)
    html = client.get(link_signed_ago(pat, monkeypatch, timedelta(days=4))).content.decode()
    assert f'action="{RESEND}"' in html


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_refused(client, pat, method):
    token = tokens.make_email_verification_token(pat)
    response = getattr(client, method)(reverse("accounts:verify_email", args=[token[:-2] + "xx"]))
    pat.refresh_from_db()
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert not pat.email_verified


def test_a_link_for_an_address_the_user_no_longer_has_is_refused(client, pat):
    link = link_for(pat)
    pat.email = "pat.new@example.com"
    pat.save(update_fields=["email"])
    assert client.get(link).status_code == 400
    assert client.post(link).status_code == 400
    pat.refresh_from_db()
    assert not pat.email_verified


def test_verifying_keeps_a_suspended_account_suspended(client, pat):
    pat.status = UserStatus.SUSPENDED
    pat.save(update_fields=["status"])
    client.post(link_for(pat))
    pat.refresh_from_db()
    assert pat.email_verified
    assert pat.status == UserStatus.SUSPENDED


def test_resend_mails_a_fresh_working_link(client, pat, django_capture_on_commit_callbacks):
    client.force_login(pat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESEND, {"next": "/me/history/"})
    assert response.url == "/me/history/"
    assert len(mail.outbox) == 1
    path = mail.outbox[0].body.split("http://testserver", 1)[1].split()[0]
    client.post(path)
    pat.refresh_from_db()
    assert pat.is_verified


def test_resend_is_throttled_to_once_a_minute(client, pat, django_capture_on_commit_callbacks):
    client.force_login(pat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESEND)
        response = client.post(RESEND, follow=True)
    assert len(mail.outbox) == 1
    assert "less than a minute ago" in response.content.decode()


def test_resend_ignores_a_next_address_on_another_site(client, pat):
    client.force_login(pat)
    assert client.post(RESEND, {"next": "https://evil.example/"}).url == reverse("me:profile")


def test_resend_sends_nothing_to_a_verified_user(client, alice, django_capture_on_commit_callbacks):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESEND)
    assert mail.outbox == []


def test_resend_refuses_get(client, pat):
    client.force_login(pat)
    assert client.get(RESEND).status_code == 405


def test_resend_sends_visitors_to_sign_in(client):
    response = client.post(RESEND)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
