"""What a call reserves before it is forwarded, and how the reservation ends.

One call of SQL (gateway_reserve, activity/sql/functions/gateway_reserve.sql) reserves, in one transaction,
every limit the call is under, and refuses the call whole when one of them is reached:

- a personal key's spending limit for its period (402 key_limit_reached),
- the price, out of the user's credits, as a negative `reservation` entry of credit_ledger (402
  insufficient_credits),
- one call of the user's monthly share of the model, when its developer set one (429
  consumer_limit_reached),
- one call of the developer's monthly quota (429 quota_exceeded).

A call that costs its caller nothing (a model's own key, a free model) reserves neither credits nor key
spending. The reservation ends when the call is recorded (activity.gateway.records): credit_settle
releases the reserved price and charges what the call cost, the price when the upstream answered and
nothing when it failed. Calls forwarded count against the quota and the consumer share whatever the
upstream answers, as before.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from accounts.models import LimitPeriod, UserApiKey
from accounts.spending import KeyPeriod, key_period, keys_spending
from activity.gateway.errors import GatewayError, error
from activity.gateway.quota import (
    QuotaState,
    async_commit_enabled,
    month_retry_after,
    month_start,
    next_month_start,
    quota_exceeded,
)
from activity.gateway.rows import prepared_cursor
from catalog.models import AIModel

RESERVE_SQL = """SELECT used, refusal, detail
  FROM gateway_reserve(%s::uuid, %s::date, %s::integer, %s::boolean, %s::uuid, %s::uuid, %s::integer, %s::uuid,
                       %s::numeric, %s::timestamptz, %s::numeric, %s::uuid)"""


@dataclass(frozen=True)
class Reservation:
    """What a forwarded call holds until it is recorded."""

    quota: QuotaState
    price: Decimal  # credits reserved; zero when the call costs its caller nothing
    user_id: uuid.UUID | None
    model_id: uuid.UUID
    history_id: uuid.UUID | None
    key_id: uuid.UUID | None = None  # the key whose spending limit holds the price, when it has one
    key_period_start: datetime | None = None

    @property
    def holds_credits(self) -> bool:
        return self.price > 0 and self.user_id is not None

    def settlement(self, *, cost: Decimal) -> list:
        """credit_settle's arguments for a call that cost `cost` (see activity.gateway.records)."""
        return [
            self.user_id,
            self.model_id,
            self.history_id,
            self.price,
            cost,
            self.key_id,
            self.key_period_start,
        ]


def reserve(
    *,
    model: AIModel,
    user_id: uuid.UUID | None,
    api_key: UserApiKey | None,
    price: Decimal,
    history_id: uuid.UUID | None,
    now: datetime,
) -> Reservation:
    """Reserve everything a call of `model` needs (see the module's docstring), or raise the GatewayError
    of the first limit it reaches, with nothing reserved.

    Must run as its own transaction (autocommit), so that no row stays locked while the upstream answers."""
    developer = model.developer
    limited_key = api_key if api_key is not None and api_key.spend_limit is not None else None
    period = key_period(period=limited_key.limit_period, now=now) if limited_key else None
    params: list[Any] = [
        developer.pk,
        month_start(now),
        developer.api_quota,
        async_commit_enabled(),
        model.pk,
        user_id,
        model.consumer_monthly_limit if user_id is not None else None,
        limited_key.pk if limited_key else None,
        limited_key.spend_limit if limited_key else None,
        period.start if period else None,
        price,
        history_id,
    ]
    with prepared_cursor() as cursor:
        cursor.execute(RESERVE_SQL, params)
        used, refusal, detail = cursor.fetchone()
    if refusal is not None:
        raise _refusal(
            refusal, detail or "", model=model, api_key=limited_key, period=period, price=price, now=now
        )
    quota = QuotaState(limit=developer.api_quota, used=used, reset=next_month_start(now))
    return Reservation(
        quota=quota,
        price=price if user_id is not None else Decimal(0),
        user_id=user_id,
        model_id=model.pk,
        history_id=history_id,
        key_id=limited_key.pk if limited_key and price > 0 else None,
        key_period_start=period.start if period and price > 0 else None,
    )


def _refusal(
    code: str,
    detail: str,
    *,
    model: AIModel,
    api_key: UserApiKey | None,
    period: KeyPeriod | None,
    price: Decimal,
    now: datetime,
) -> GatewayError:
    """The GatewayError for one of gateway_reserve's refusals, saying the figures it came with."""
    if code == "quota_exceeded":
        return quota_exceeded(limit=model.developer.api_quota, now=now)
    if code == "consumer_limit_reached":
        return error(
            code,
            f"You have made this month's {detail} calls of {model.api_name!r} that its developer allows "
            f"each user; the limit resets at {next_month_start(now):%Y-%m-%dT%H:%M:%SZ}.",
            headers={"Retry-After": month_retry_after(now)},
        )
    if code == "insufficient_credits":
        return error(
            code,
            f"Your balance of {_credits(Decimal(detail))} does not cover this call's price of "
            f"{_credits(price)}. Nothing was charged.",
        )
    if code == "key_limit_reached" and api_key is not None and period is not None:
        assert api_key.spend_limit is not None
        span = LimitPeriod(api_key.limit_period).label
        message = (
            f"This key's spending limit of {_credits(api_key.spend_limit)} {span} is reached "
            f"({_credits(Decimal(detail))} spent; this call costs {_credits(price)})."
        )
        headers = {}
        if period.reset is not None:
            message += f" It resets at {period.reset:%Y-%m-%dT%H:%M:%SZ}."
            headers["Retry-After"] = str(max(1, int((period.reset - now).total_seconds()) + 1))
        return error(code, message, headers=headers)
    return error(code)


def _credits(amount: Decimal) -> str:
    return f"${amount.quantize(Decimal('0.0001'))}"


def key_spending(*, api_key: UserApiKey, now: datetime) -> dict:
    """What a personal key has spent in its current period, against its limit (GET /api/v1/key)."""
    return keys_spending(api_keys=[api_key], now=now)[api_key.pk].as_dict()
