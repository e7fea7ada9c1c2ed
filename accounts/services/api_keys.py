"""Personal API keys: created and revoked by their user at /me/keys/.

A key is shown once, when it is made; the database keeps only its SHA-256 and display prefix.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import keys
from accounts.models import User, UserApiKey

MAX_ACTIVE_KEYS = 10


@transaction.atomic
def user_api_key_create(*, user: User, name: str) -> tuple[UserApiKey, str]:
    """Make a personal key for a verified user. Returns the row and the plain key, shown once."""
    if not user.is_verified:
        raise PermissionDenied("Verify your email address before creating API keys.")
    # Lock the user's row so two requests at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).get()
    if UserApiKey.objects.filter(user=user).active().count() >= MAX_ACTIVE_KEYS:
        raise ValidationError(
            f"You already have {MAX_ACTIVE_KEYS} active keys, the most allowed. Revoke one you no longer use first.",
            code="key_limit",
        )
    plain = keys.generate_personal_key()
    api_key = UserApiKey(
        user=user, name=name.strip(), key_hash=keys.hash_key(plain), key_prefix=keys.display_prefix(plain)
    )
    api_key.full_clean()
    api_key.save()
    return api_key, plain


@transaction.atomic
def user_api_key_revoke(*, api_key: UserApiKey) -> UserApiKey:
    """Revoke the key; the next call with it gets 401. Revoking a revoked key changes nothing."""
    UserApiKey.objects.filter(pk=api_key.pk, revoked_at=None).update(revoked_at=timezone.now())
    api_key.refresh_from_db(fields=["revoked_at"])
    return api_key
