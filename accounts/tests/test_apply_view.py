"""/developers/apply/: the application form, then the application's state at the same address."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Developer, DeveloperStatus

pytestmark = pytest.mark.django_db
URL = reverse("apply:apply")

VALID = {
    "username": "alice-labs",
    "email": "hello@alice-labs.example.com",
    "first_name": "Alice",
    "last_name": "Liddell",
    "company_name": "Alice Labs",
    "website_url": "https://alice-labs.example.com",
    "github_profile": "https://github.com/alice",
    "expertise_areas": "NLP, speech ,nlp, computer vision",
    "years_experience": "7",
}


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert client.post(URL, VALID).status_code == 302
    assert not Developer.objects.exists()


def test_it_tells_a_user_pending_verification_to_verify_first(client, pat):
    client.force_login(pat)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 403
    assert "Verify your email address first" in html
    assert reverse("accounts:resend_verification") in html
    assert client.post(URL, VALID).status_code == 403
    assert not Developer.objects.exists()


def test_it_shows_the_form_with_a_label_for_every_field(signed_in):
    response = signed_in.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    for name in VALID:
        assert f'for="id_{name}"' in html, name
    assert 'value="alice@example.com"' in html


def test_applying_files_a_pending_application_and_shows_its_state(signed_in, alice):
    response = signed_in.post(URL, VALID)
    assert response.status_code == 302
    assert response.url == URL
    developer = Developer.objects.get(user=alice)
    assert developer.status == DeveloperStatus.PENDING_APPROVAL
    assert developer.expertise_areas == ["nlp", "speech", "computer vision"]
    assert developer.years_experience == 7
    page = signed_in.get(URL)
    html = page.content.decode()
    assert "Pending approval" in html
    assert "Staff are reviewing your application" in html
    assert html.count("<h1") == 1


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (DeveloperStatus.ACTIVE, "Go to your dashboard"),
        (DeveloperStatus.SUSPENDED, "suspended"),
        (DeveloperStatus.INACTIVE, "inactive"),
    ],
)
def test_the_applicant_sees_each_state_of_the_application(signed_in, alice, status, text):
    signed_in.post(URL, VALID)
    Developer.objects.filter(user=alice).update(status=status)
    assert text in signed_in.get(URL).content.decode()


def test_posting_again_does_not_file_a_second_application(signed_in, alice):
    signed_in.post(URL, VALID)
    response = signed_in.post(URL, {**VALID, "username": "other-name", "email": "other@example.com"})
    assert response.status_code == 200
    assert Developer.objects.filter(user=alice).count() == 1
    assert Developer.objects.get(user=alice).username == "alice-labs"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "DANA", "A developer with that public username already exists."),
        ("email", "Dana@Studio.example.com", "A developer with that business email already exists."),
        ("username", "bad name!", "Enter a valid username"),
        ("email", "not-an-email", "Enter a valid email address."),
        ("website_url", "ftp://alice.example.com", "http:// or https://"),
        ("github_profile", "https://gitlab.com/alice", "github.com"),
        ("years_experience", "81", "less than or equal to 80"),
        ("years_experience", "-1", "greater than or equal to 0"),
        ("expertise_areas", ",".join(f"a{i}" for i in range(21)), "at most 20 areas"),
        ("expertise_areas", "nlp, a\x00b", "Null characters are not allowed."),
        ("username", "", "This field is required."),
    ],
)
def test_it_shows_errors_beside_the_fields_and_keeps_the_input(signed_in, dana, field, value, message):
    response = signed_in.post(URL, {**VALID, field: value})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    html = response.content.decode()
    assert 'class="field field-error' in html
    assert 'value="Alice Labs"' in html
    assert Developer.objects.count() == 1


def test_a_unique_violation_only_the_database_saw_becomes_a_form_error(signed_in, dana, monkeypatch):
    monkeypatch.setattr(
        "accounts.forms_developer.DeveloperApplicationForm.clean_username",
        lambda self: self.cleaned_data["username"],
    )
    monkeypatch.setattr("django.forms.models.BaseModelForm.validate_unique", lambda self: None)
    monkeypatch.setattr(Developer, "validate_unique", lambda self, exclude=None: None)
    response = signed_in.post(URL, {**VALID, "username": "dana"})
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [
        "A developer with that public username already exists."
    ]
    assert Developer.objects.count() == 1


def test_a_crafted_post_cannot_set_status_quota_counters_or_owner(signed_in, alice, bob):
    crafted = {
        **VALID,
        "status": "active",
        "api_quota": "999999999",
        "total_models_created": "50",
        "user": str(bob.pk),
        "user_id": str(bob.pk),
    }
    signed_in.post(URL, crafted)
    developer = Developer.objects.get()
    assert developer.user == alice
    assert developer.status == DeveloperStatus.PENDING_APPROVAL
    assert developer.api_quota == settings.DEFAULT_DEVELOPER_QUOTA
    assert developer.total_models_created == 0
