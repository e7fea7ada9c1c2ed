import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import UserStatus
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:password_reset")
NEW = "quiet-meadow-orbit-77"


def reset_path(message):
    match = re.search(r"http://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_request_page_has_a_labelled_email_field(client):
    html = client.get(URL).content.decode()
    assert html.count("<h1") == 1
    assert 'for="id_email"' in html


def test_it_mails_a_link_to_the_account_in_any_letter_case(client, alice):
    response = client.post(URL, {"email": "ALICE@example.com"})
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    assert mail.outbox[0].subject == "Reset your AI Model Platform password"
    reset_path(mail.outbox[0])


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = client.post(URL, {"email": "nobody@example.com"})
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_a_suspended_account_gets_no_mail(client):
    UserFactory(username="carol", email="carol@example.com", status=UserStatus.SUSPENDED)
    client.post(URL, {"email": "carol@example.com"})
    assert mail.outbox == []


def test_the_link_sets_a_new_password_once(client, alice):
    client.post(URL, {"email": "alice@example.com"})
    path = reset_path(mail.outbox[0])

    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]
    response = client.post(set_password_url, {"new_password1": NEW, "new_password2": NEW})
    assert response.url == reverse("accounts:password_reset_complete")
    alice.refresh_from_db()
    assert alice.check_password(NEW)

    again = client.get(path, follow=True)
    assert again.context["validlink"] is False
    assert "This link is not valid" in again.content.decode()


def test_a_weak_new_password_is_refused_beside_the_field(client, alice, password):
    client.post(URL, {"email": "alice@example.com"})
    form_page = client.get(reset_path(mail.outbox[0]), follow=True)
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": "abc", "new_password2": "abc"})
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    alice.refresh_from_db()
    assert alice.check_password(password)
