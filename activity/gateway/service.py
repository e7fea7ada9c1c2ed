"""What every call through the gateway shares: its client's address, its clock, its price, the record of a
forwarded call (Forwarded) and its history entry. The call's path itself is activity.gateway.pipeline."""

import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings

from activity.gateway.auth import Caller
from activity.gateway.errors import GatewayError, error
from activity.gateway.quota import QuotaState, quota_state
from activity.gateway.records import Exchange
from activity.gateway.upstream import UpstreamAnswer, UpstreamStream
from activity.models import HistoryStatus
from catalog.models import AIModel

ZERO = Decimal("0.0000")


def session_id_new() -> str:
    return f"sess_{secrets.token_hex(8)}"


def elapsed_ms(started: float) -> int:
    return max(0, round((time.perf_counter() - started) * 1000))


def prompt_check(prompt: str) -> None:
    limit = settings.GATEWAY_MAX_PROMPT_CHARS
    if len(prompt) > limit:
        raise error("prompt_too_large", f"The prompt has {len(prompt)} characters; the limit is {limit}.")


def price_for(*, caller: Caller, model: AIModel) -> Decimal:
    """What an answer costs the caller: users pay for answers; a model key's calls are its developer's own
    and cost nothing."""
    return model.price_per_request if caller.writes_history else ZERO


@dataclass(frozen=True)
class Forwarded:
    """A call that passed every check and was sent upstream: it counted against the quota.

    A streamed call whose upstream began to answer carries the open `stream` (answer None, cost zero until
    the stream ends: see activity.gateway.streaming)."""

    quota: QuotaState
    answer: UpstreamAnswer | None
    error: GatewayError | None
    session_id: str
    request_timestamp: datetime
    cost: Decimal
    stream: UpstreamStream | None = None

    @property
    def status_code(self) -> int:
        return 200 if self.error is None else self.error.status

    @property
    def history_status(self) -> str:
        if self.error is None:
            return HistoryStatus.COMPLETED
        if self.error.code == "upstream_timeout":
            return HistoryStatus.TIMEOUT
        return HistoryStatus.FAILED


def quota_headers(
    *, caller: Caller | None, model: AIModel | None, visible: bool, quota: QuotaState | None
) -> dict[str, str]:
    """X-RateLimit-* for an answer: the called model's developer once the caller may see the model, else
    the model key's own developer; none for unauthenticated callers or models the caller may not see."""
    if quota is not None:
        return quota.headers()
    developer = None
    if visible and model is not None:
        developer = model.developer
    elif caller is not None and caller.is_model_key:
        developer = caller.developer
    if developer is None:
        return {}
    return quota_state(developer=developer).headers()


def exchange_for(
    *, history_id: uuid.UUID, forwarded: Forwarded, prompt: str, processing_ms: int, ip: str | None
) -> Exchange:
    return Exchange(
        history_id=history_id,
        session_id=forwarded.session_id,
        prompt=prompt,
        response=forwarded.answer.history_text if forwarded.answer else "",
        status=forwarded.history_status,
        request_timestamp=forwarded.request_timestamp,
        response_time_ms=processing_ms,
        cost=forwarded.cost,
        ip_address=ip,
    )
