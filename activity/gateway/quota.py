"""The developer's monthly quota: one conditional upsert per forwarded call, no scan of the logs.

developer_monthly_usage holds one row per developer and calendar month (UTC). Reserving a call inserts
the row or adds one to it only while calls < api_quota, in a single statement that runs in its own
transaction (autocommit), so exactly api_quota calls pass however many processes ask at once: PostgreSQL
serialises the conflicting updates on the row and re-checks the WHERE clause against the latest value.
The upsert is gateway_reserve's last step (activity.gateway.reservation), which a call reserves with;
quota_reserve() runs that same function with nothing else to reserve.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.models import Developer, UserApiKey
from activity.gateway.errors import GatewayError, error
from activity.gateway.rows import prepared_cursor
from activity.models import ApiUsageLog

# With settings.GATEWAY_ASYNC_COMMIT (off by default) the counter's commit does not wait for the WAL
# flush (synchronous_commit off for the reserving transaction alone). The reservation stays exact either
# way, since row locks and the WHERE clause decide it; with it on, a database crash could lose the last
# fraction of a second of counts (with the usage rows of those same calls).
QUOTA_ONLY_SQL = """SELECT used, refusal
  FROM gateway_reserve(%s::uuid, %s::date, %s::integer, %s::boolean, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL)"""

CURRENT_SQL = "SELECT calls FROM developer_monthly_usage WHERE developer_id = %s AND month = %s"


def async_commit_enabled() -> bool:
    return settings.GATEWAY_ASYNC_COMMIT


def month_start(now: datetime) -> date:
    return now.astimezone(UTC).date().replace(day=1)


def next_month_start(now: datetime) -> datetime:
    first = month_start(now)
    days = calendar.monthrange(first.year, first.month)[1]
    following = first + timedelta(days=days)
    return datetime(following.year, following.month, 1, tzinfo=UTC)


@dataclass(frozen=True)
class QuotaState:
    limit: int
    used: int
    reset: datetime

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def reset_epoch(self) -> int:
        return int(self.reset.timestamp())

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_epoch),
        }


def month_retry_after(now: datetime) -> str:
    """Retry-After for a monthly limit: the seconds until the next month starts (UTC), at least 1."""
    return str(max(1, int((next_month_start(now) - now).total_seconds()) + 1))


def quota_exceeded(*, limit: int, now: datetime) -> GatewayError:
    """The 429 of a spent quota, with its X-RateLimit-* headers and Retry-After."""
    reset = next_month_start(now)
    state = QuotaState(limit=limit, used=limit, reset=reset)
    return error(
        "quota_exceeded",
        f"The monthly quota of {limit} calls for this model's developer is spent; "
        f"it resets at {reset:%Y-%m-%dT%H:%M:%SZ}.",
        headers={**state.headers(), "Retry-After": month_retry_after(now)},
    )


def quota_reserve(*, developer: Developer, now: datetime | None = None) -> QuotaState:
    """Count one forwarded call against the developer's quota, or raise a 429 GatewayError.

    Must not run inside a transaction that stays open during the upstream call: the row lock would
    serialise every call of the developer behind it.
    """
    now = now or timezone.now()
    limit = developer.api_quota
    with prepared_cursor() as cursor:
        cursor.execute(QUOTA_ONLY_SQL, [developer.pk, month_start(now), limit, async_commit_enabled()])
        used, refusal = cursor.fetchone()
    if refusal is not None:
        raise quota_exceeded(limit=limit, now=now)
    return QuotaState(limit=limit, used=used, reset=next_month_start(now))


def quota_state(*, developer: Developer, now: datetime | None = None) -> QuotaState:
    """The developer's quota this month, read without reserving anything."""
    now = now or timezone.now()
    with prepared_cursor() as cursor:
        cursor.execute(CURRENT_SQL, [developer.pk, month_start(now)])
        row = cursor.fetchone()
    return QuotaState(limit=developer.api_quota, used=row[0] if row else 0, reset=next_month_start(now))


def personal_key_calls(*, api_key: UserApiKey, now: datetime | None = None) -> int:
    """Forwarded calls made with one personal key this month (they counted against developers' quotas)."""
    now = now or timezone.now()
    first = month_start(now)
    since = datetime(first.year, first.month, 1, tzinfo=UTC)
    forwarded = Q(response_code__gte=200, response_code__lt=300) | Q(response_code__in=[502, 504])
    return (
        ApiUsageLog.objects.filter(
            user_id=api_key.user_id, api_key_used=api_key.key_prefix, created_at__gte=since
        )
        .filter(forwarded)
        .count()
    )
