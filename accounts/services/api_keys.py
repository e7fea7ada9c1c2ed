"""Personal API keys: created and revoked by their user at /me/keys/.

A key is shown once, when it is made; the database keeps only its SHA-256 and display prefix.
"""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts import keys
from accounts.models import LimitPeriod, User, UserApiKey
from accounts.spending import key_period

MAX_ACTIVE_KEYS = 10


@transaction.atomic
def user_api_key_create(
    *,
    user: User,
    name: str,
    spend_limit: Decimal | None = None,
    limit_period: str = LimitPeriod.NONE,
    expires_at: datetime | None = None,
) -> tuple[UserApiKey, str]:
    """Make a personal key for a verified user, with an optional spending limit (credits per
    `limit_period`) and expiry. Returns the row and the plain key, shown once."""
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
        user=user,
        name=name.strip(),
        key_hash=keys.hash_key(plain),
        key_prefix=keys.display_prefix(plain),
        spend_limit=spend_limit,
        limit_period=limit_period,
        expires_at=expires_at,
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


@transaction.atomic
def user_api_key_limits_update(
    *, api_key: UserApiKey, spend_limit: Decimal | None, limit_period: str, expires_at: datetime | None
) -> UserApiKey:
    """Change a key's spending limit and expiry. What it spent in the new limit's current period still
    counts, whatever limit it had before (none, or one of another period): a lower limit can stop it at
    once."""
    api_key.spend_limit = spend_limit
    api_key.limit_period = limit_period
    api_key.expires_at = expires_at
    api_key.full_clean()
    api_key.save(update_fields=["spend_limit", "limit_period", "expires_at"])
    if spend_limit is not None:
        _carry_spending(api_key)
    return api_key


# What a key spent since a period's start, from its calls' history entries (user_history, by its name:
# accounts sits below activity), raised into the period's counter if the counter shows less. The gateway
# counts only while a key has a limit, in the limit's own period: this is what a new limit starts from.
CARRY_SPENDING_SQL = """
INSERT INTO api_key_spend AS s (id, key_id, period_start, spent)
SELECT gen_random_uuid(), %(key_id)s, %(start)s, COALESCE(sum(h.cost_incurred), 0)
  FROM user_history h
 WHERE h.user_id = %(user_id)s AND h.api_key_used = %(prefix)s AND h.request_timestamp >= %(start)s
ON CONFLICT (key_id, period_start) DO UPDATE SET spent = greatest(s.spent, EXCLUDED.spent)
"""


def _carry_spending(api_key: UserApiKey) -> None:
    period = key_period(period=api_key.limit_period, now=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            CARRY_SPENDING_SQL,
            {
                "key_id": api_key.pk,
                "start": period.start,
                "user_id": api_key.user_id,
                "prefix": api_key.key_prefix,
            },
        )
