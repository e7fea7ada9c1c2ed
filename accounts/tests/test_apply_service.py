"""accounts.services.developer_apply: the application a verified user files."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.models import Developer, DeveloperStatus
from accounts.services import DeveloperApplicationError, developer_apply
from catalog.models import AIModel
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db

FIELDS = {
    "username": "alice-labs",
    "email": "hello@alice-labs.example.com",
    "first_name": "Alice",
    "last_name": "Liddell",
    "company_name": "Alice Labs",
    "website_url": "https://alice-labs.example.com",
    "github_profile": "https://github.com/alice",
    "expertise_areas": ["nlp", "speech"],
    "years_experience": 7,
}


def test_it_files_a_pending_application_with_the_default_quota(alice):
    developer = developer_apply(user=alice, **FIELDS)
    developer.refresh_from_db()
    assert developer.user == alice
    assert developer.status == DeveloperStatus.PENDING_APPROVAL
    assert developer.api_quota == settings.DEFAULT_DEVELOPER_QUOTA
    assert developer.expertise_areas == ["nlp", "speech"]
    assert developer.total_models_created == 0


def test_it_refuses_a_user_who_has_not_verified_their_email(pat):
    with pytest.raises(DeveloperApplicationError):
        developer_apply(user=pat, **FIELDS)
    assert not Developer.objects.exists()


def test_it_refuses_a_second_application(alice):
    developer_apply(user=alice, **FIELDS)
    with pytest.raises(DeveloperApplicationError):
        developer_apply(user=alice, **{**FIELDS, "username": "alice-2", "email": "two@example.com"})


def test_it_refuses_a_taken_username_or_email(alice, bob, dana):
    with pytest.raises(ValidationError) as error:
        developer_apply(user=alice, **{**FIELDS, "username": dana.username})
    assert "username" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        developer_apply(user=bob, **{**FIELDS, "email": dana.email})
    assert "email" in error.value.message_dict


def test_it_refuses_years_of_experience_outside_0_to_80(alice):
    with pytest.raises(ValidationError):
        developer_apply(user=alice, **{**FIELDS, "years_experience": 81})


def test_a_pending_developers_models_are_not_served(dana, model):
    assert AIModel.objects.served().filter(pk=model.pk).exists()
    dana.status = DeveloperStatus.PENDING_APPROVAL
    dana.save()
    assert not AIModel.objects.served().filter(pk=model.pk).exists()
    AIModelFactory(developer=dana)
    assert not AIModel.objects.served().filter(developer=dana).exists()
