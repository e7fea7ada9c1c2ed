"""A personal key's spending limit: the period it is counted over, and what the key spent in it.

The gateway reserves against the limit (activity.gateway.reservation, in SQL); the keys page and
GET /api/v1/key read it from here.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db.models import Q

from accounts.models import ApiKeySpend, LimitPeriod, UserApiKey

NO_PERIOD_START = datetime(1970, 1, 1, tzinfo=UTC)  # the one "period" of a limit that never resets
ZERO = Decimal("0.0000")


@dataclass(frozen=True)
class KeyPeriod:
    """The period a key's spending limit is counted over: its start, and when the next one starts (None
    for a limit that never resets)."""

    start: datetime
    reset: datetime | None


def key_period(*, period: str, now: datetime) -> KeyPeriod:
    """The current period of a spending limit that resets `period` (a LimitPeriod), in UTC: days start at
    midnight, weeks on Monday, months on the first."""
    day = datetime.combine(now.astimezone(UTC).date(), datetime.min.time(), tzinfo=UTC)
    if period == LimitPeriod.DAY:
        return KeyPeriod(day, day + timedelta(days=1))
    if period == LimitPeriod.WEEK:
        monday = day - timedelta(days=day.weekday())
        return KeyPeriod(monday, monday + timedelta(days=7))
    if period == LimitPeriod.MONTH:
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return KeyPeriod(first, following)
    return KeyPeriod(NO_PERIOD_START, None)


@dataclass(frozen=True)
class KeySpending:
    spend_limit: Decimal | None
    limit_period: str
    spent: Decimal
    spend_remaining: Decimal | None
    spend_reset_at: datetime | None

    def as_dict(self) -> dict:
        return {
            "spend_limit": self.spend_limit,
            "limit_period": self.limit_period,
            "spent": self.spent,
            "spend_remaining": self.spend_remaining,
            "spend_reset_at": self.spend_reset_at,
        }


def keys_spending(*, api_keys: list[UserApiKey], now: datetime) -> dict:
    """Each key's spending in its current period, by key id: one query for any number of keys."""
    periods = {key.pk: key_period(period=key.limit_period, now=now) for key in api_keys}
    spent: dict = {}
    if api_keys:
        # Only each key's current period: a daily limit leaves a row a day, and the list reads none of them.
        current = Q()
        for key_id, period in periods.items():
            current |= Q(api_key_id=key_id, period_start=period.start)
        spent = dict(ApiKeySpend.objects.filter(current).values_list("api_key_id", "spent"))
    result = {}
    for key in api_keys:
        amount = spent.get(key.pk, ZERO)
        limit = key.spend_limit
        result[key.pk] = KeySpending(
            spend_limit=limit,
            limit_period=key.limit_period,
            spent=amount,
            spend_remaining=max(limit - amount, ZERO) if limit is not None else None,
            spend_reset_at=periods[key.pk].reset if limit is not None else None,
        )
    return result
