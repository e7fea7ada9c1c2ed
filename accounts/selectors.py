"""Reads of the accounts app."""

from accounts.models import User, UserApiKey


def user_api_keys(*, user: User) -> list[UserApiKey]:
    """The user's personal keys, working ones first, newest first within each group."""
    return list(UserApiKey.objects.filter(user=user).order_by("revoked_at", "-created_at"))
