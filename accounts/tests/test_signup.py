import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services
from accounts.models import User, UserStatus
from accounts.tests.factories import UserFactory

URL = reverse("accounts:signup")
STRONG = "violet-harbour-lantern-42"


def form_data(**overrides):
    data = {
        "username": "newcomer",
        "email": "newcomer@example.com",
        "password1": STRONG,
        "password2": STRONG,
    }
    data.update(overrides)
    return data


def field_errors(response, field):
    return response.context["form"].errors.get(field, [])


@pytest.mark.django_db
def test_it_shows_the_form_with_a_label_for_every_input(client):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    for field in ("username", "email", "password1", "password2"):
        assert f'for="id_{field}"' in html


def test_it_sends_signed_in_users_to_their_account(client, alice):
    client.force_login(alice)
    assert client.get(URL).url == reverse("me:profile")


@pytest.mark.django_db
def test_it_creates_a_pending_user_signs_them_in_and_mails_a_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form_data())

    assert response.status_code == 302
    assert response.url == reverse("me:profile")
    user = User.objects.get(username="newcomer")
    assert user.status == UserStatus.PENDING_VERIFICATION
    assert user.email_verified is False
    assert user.check_password(STRONG)
    assert client.session["_auth_user_id"] == str(user.pk)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newcomer@example.com"]
    link = re.search(r"http://testserver/accounts/verify/\S+/", message.body)
    assert link, message.body
    assert link.group(0) in message.alternatives[0][0]


@pytest.mark.django_db
def test_the_mail_waits_for_the_commit(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(URL, form_data())
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_it_rejects_an_email_taken_in_another_letter_case(client, alice):
    response = client.post(URL, form_data(email="ALICE@Example.COM"))
    assert response.status_code == 200
    assert field_errors(response, "email") == ["A user with that email address already exists."]
    assert 'value="newcomer"' in response.content.decode()
    assert not User.objects.filter(username="newcomer").exists()


def test_it_rejects_a_username_taken_in_another_letter_case(client, alice):
    response = client.post(URL, form_data(username="Alice"))
    assert response.status_code == 200
    assert field_errors(response, "username") == ["A user with that username already exists."]
    assert 'value="newcomer@example.com"' in response.content.decode()


@pytest.mark.django_db
def test_it_rejects_a_username_with_an_at_sign(client):
    response = client.post(URL, form_data(username="new@comer"))
    assert "cannot contain @" in field_errors(response, "username")[0]


@pytest.mark.django_db
def test_it_applies_djangos_password_validators_beside_the_password(client):
    response = client.post(URL, form_data(password1="12345678", password2="12345678"))
    errors = field_errors(response, "password1")
    assert any("too common" in error for error in errors)
    assert any("entirely numeric" in error for error in errors)
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_password_too_close_to_the_username(client):
    response = client.post(URL, form_data(username="marigold", password1="marigold1", password2="marigold1"))
    assert any("too similar" in error for error in field_errors(response, "password1"))


@pytest.mark.django_db
def test_it_rejects_a_confirmation_that_does_not_match(client):
    response = client.post(URL, form_data(password2=STRONG + "x"))
    assert field_errors(response, "password2") == ["The two password fields didn’t match."]


@pytest.mark.django_db
def test_it_answers_missing_and_malformed_fields_with_errors_not_a_500(client):
    response = client.post(URL, {"username": "x" * 400, "email": "not-an-email", "password1": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert {"username", "email", "password1", "password2"} <= set(form.errors)


@pytest.mark.django_db
def test_it_turns_a_concurrent_sign_up_with_the_same_email_into_a_field_error(client, monkeypatch):
    real_signup = services.user_signup

    def signup_after_someone_else(**kwargs):
        # Another request wins the race between this form's checks and its insert.
        UserFactory(username="quicker", email="NEWCOMER@example.com")
        return real_signup(**kwargs)

    monkeypatch.setattr(services, "user_signup", signup_after_someone_else)
    response = client.post(URL, form_data())

    assert response.status_code == 200
    assert field_errors(response, "email") == ["A user with that email address already exists."]
    assert list(User.objects.values_list("username", flat=True)) == ["quicker"]
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_service_reports_a_duplicate_username_by_field():
    services.user_signup(username="twin", email="one@example.com", password=STRONG)
    with pytest.raises(ValidationError) as excinfo:
        services.user_signup(username="twin", email="two@example.com", password=STRONG)
    assert list(excinfo.value.error_dict) == ["username"]


@pytest.mark.django_db
def test_the_service_reports_a_username_taken_in_another_letter_case_by_field():
    # Two sign-ups at once ("twin", "TWIN") both pass the form; only the case-insensitive index sees both.
    services.user_signup(username="twin", email="one@example.com", password=STRONG)
    with pytest.raises(ValidationError) as excinfo:
        services.user_signup(username="TWIN", email="two@example.com", password=STRONG)
    assert excinfo.value.message_dict == {"username": ["A user with that username already exists."]}
