"""One call through the gateway, from the quota to the records; shared by the JSON API and the playground.

The order of checks is fixed and documented in the API: key in the query string (400), key (401/403),
model (404/410/403), body (400), prompt size (413), quota (429), upstream (200/502/504). Every call that
names an existing model leaves one api_usage_logs row; calls forwarded for a user also leave a
user_history row. Refused calls do not count against the quota; forwarded calls count whatever the
upstream answers.
"""

import ipaddress
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from activity.gateway.access import check_access
from activity.gateway.auth import Caller, playground_caller
from activity.gateway.errors import GatewayError, error
from activity.gateway.quota import QuotaState, quota_reserve, quota_state
from activity.gateway.records import Exchange, call_record
from activity.gateway.upstream import UpstreamAnswer, call_upstream
from activity.models import HistoryStatus
from catalog.models import AIModel

ZERO = Decimal("0.0000")


def session_id_new() -> str:
    return f"sess_{secrets.token_hex(8)}"


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the X-Forwarded-For entry
    the outermost trusted proxy added. Entries further left are whatever the client sent, so never read."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()
    ]
    if proxies and len(forwarded) >= proxies:
        address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def elapsed_ms(started: float) -> int:
    return max(0, round((time.perf_counter() - started) * 1000))


def prompt_check(prompt: str) -> None:
    limit = settings.GATEWAY_MAX_PROMPT_CHARS
    if len(prompt) > limit:
        raise error("prompt_too_large", f"The prompt has {len(prompt)} characters; the limit is {limit}.")


@dataclass(frozen=True)
class Forwarded:
    """A call that passed every check and was sent upstream: it counted against the quota."""

    quota: QuotaState
    answer: UpstreamAnswer | None
    error: GatewayError | None
    session_id: str
    request_timestamp: datetime
    cost: Decimal

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


def call_forward(
    *,
    caller: Caller,
    model: AIModel,
    prompt: str,
    parameters: dict,
    messages: list[dict] | None = None,
    session_id: str | None = None,
) -> Forwarded:
    """Check the prompt, reserve one call of the developer's quota, and forward it upstream.

    Raises a GatewayError (413, 429) for refused calls; upstream failures (502, 504) come back in the
    result, since they were forwarded and counted. Access must have been checked (check_access).
    """
    prompt_check(prompt)
    request_timestamp = timezone.now()
    quota = quota_reserve(developer=model.developer, now=request_timestamp)
    try:
        answer, failure = (
            call_upstream(
                endpoint_url=model.endpoint_url,
                model_name=model.api_name,
                prompt=prompt,
                parameters=parameters,
                messages=messages,
            ),
            None,
        )
    except GatewayError as exc:
        answer, failure = None, exc
    # Users pay for answers; a model key's calls are its developer's own and cost nothing.
    cost = model.price_per_request if failure is None and caller.writes_history else ZERO
    return Forwarded(
        quota=quota,
        answer=answer,
        error=failure,
        session_id=session_id or session_id_new(),
        request_timestamp=request_timestamp,
        cost=cost,
    )


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


def exchange_for(*, forwarded: Forwarded, prompt: str, processing_ms: int, ip: str | None) -> Exchange:
    return Exchange(
        history_id=uuid.uuid4(),
        session_id=forwarded.session_id,
        prompt=prompt,
        response=forwarded.answer.text if forwarded.answer else "",
        status=forwarded.history_status,
        request_timestamp=forwarded.request_timestamp,
        response_time_ms=processing_ms,
        cost=forwarded.cost,
        ip_address=ip,
    )


@dataclass(frozen=True)
class PlaygroundResult:
    status_code: int
    error: GatewayError | None = None
    exchange: Exchange | None = None
    latency_ms: int = 0


def playground_call(
    *,
    user: User,
    model: AIModel,
    prompt: str,
    session_id: str | None,
    ip: str | None,
    request_size: int,
    parameters: dict | None = None,
    messages: list[dict] | None = None,
) -> PlaygroundResult:
    """A verified user's call from the model page: same checks, quota, upstream and records as the API.

    Refusals come back as the result's error, like upstream failures; every outcome is logged.
    `parameters` go to the upstream; `messages` (the conversation, for chat-shaped upstreams) as in
    call_forward.
    """
    started = time.perf_counter()
    caller = playground_caller(user=user)
    forwarded = None
    try:
        check_access(caller=caller, model=model)
        forwarded = call_forward(
            caller=caller,
            model=model,
            prompt=prompt,
            parameters=parameters or {},
            messages=messages,
            session_id=session_id,
        )
        failure = forwarded.error
        status_code = forwarded.status_code
    except GatewayError as exc:
        failure = exc
        status_code = exc.status
    processing_ms = elapsed_ms(started)
    exchange = (
        exchange_for(forwarded=forwarded, prompt=prompt, processing_ms=processing_ms, ip=ip)
        if forwarded
        else None
    )
    call_record(
        log_id=uuid.uuid4(),
        model=model,
        user=user,
        developer=None,
        key_prefix=caller.key_prefix,
        method="POST",
        status_code=status_code,
        request_size=request_size,
        response_size=len(exchange.response.encode()) if exchange else 0,
        processing_ms=processing_ms,
        exchange=exchange,
    )
    return PlaygroundResult(
        status_code=status_code, error=failure, exchange=exchange, latency_ms=processing_ms
    )
