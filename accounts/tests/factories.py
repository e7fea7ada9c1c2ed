from decimal import Decimal

import factory
from django.conf import settings
from factory.django import DjangoModelFactory

from accounts import keys
from accounts.models import (
    CreditKind,
    Developer,
    DeveloperStatus,
    Notification,
    NotificationKind,
    User,
    UserApiKey,
    UserStatus,
)
from accounts.services.credits import WELCOME_NOTE, credits_add

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    status = UserStatus.ACTIVE
    email_verified = True
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def credits(user, create, extracted, **kwargs):
        """A verified user has the welcome grant (settings.WELCOME_CREDITS), as verification gives it;
        `credits=` sets the grant instead (0 for none)."""
        if not create or not user.email_verified:
            return
        amount = Decimal(settings.WELCOME_CREDITS) if extracted is None else Decimal(extracted)
        if amount > 0:
            credits_add(user=user, amount=amount, kind=CreditKind.GRANT, note=WELCOME_NOTE)
            user.refresh_from_db(fields=["credit_balance"])


class PendingUserFactory(UserFactory):
    status = UserStatus.PENDING_VERIFICATION
    email_verified = False


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True


class DeveloperFactory(DjangoModelFactory):
    class Meta:
        model = Developer

    user = factory.SubFactory(UserFactory)
    username = factory.LazyAttribute(lambda d: f"dev-{d.user.username}")
    email = factory.LazyAttribute(lambda d: f"{d.username}@studio.example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    company_name = factory.Faker("company")
    expertise_areas = factory.LazyFunction(lambda: ["nlp"])
    years_experience = 5
    api_quota = 10_000
    status = DeveloperStatus.ACTIVE


class UserApiKeyFactory(DjangoModelFactory):
    """Pass `key=` to choose the plain key; the factory stores only its hash, like the real flow."""

    class Meta:
        model = UserApiKey
        exclude = ["key"]

    user = factory.SubFactory(UserFactory)
    name = "laptop"
    key = factory.LazyFunction(keys.generate_personal_key)
    key_hash = factory.LazyAttribute(lambda k: keys.hash_key(k.key))
    key_prefix = factory.LazyAttribute(lambda k: keys.display_prefix(k.key))


class NotificationFactory(DjangoModelFactory):
    """An inbox row as accounts.notifications.notify writes it (without its mail)."""

    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = NotificationKind.REVIEW_REPLY
    payload = factory.Sequence(lambda n: {"title": f"Notice {n}", "url": "/models/"})
