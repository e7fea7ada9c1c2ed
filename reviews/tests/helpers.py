"""Test helpers for many rows at once."""

from django.contrib.auth.hashers import make_password
from django.urls import reverse

from accounts.models import User, UserStatus

_UNUSABLE = make_password(None)


def verified_users(count: int, prefix: str = "reader") -> list[User]:
    """`count` verified users in one INSERT; they never sign in, so no password is hashed for each."""
    return User.objects.bulk_create(
        User(
            username=f"{prefix}{index}",
            email=f"{prefix}{index}@example.com",
            status=UserStatus.ACTIVE,
            email_verified=True,
            password=_UNUSABLE,
        )
        for index in range(count)
    )


def reviews_tab(model) -> str:
    """The model page's Reviews tab, where the reviews are."""
    return reverse("catalog:model_reviews", args=[model.api_name])
