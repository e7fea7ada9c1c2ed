"""One call through the gateway, from the quota to the records; shared by the JSON API and the playground.

The order of checks is fixed and documented in the API: key in the query string (400), key (401/403),
model (404/410/403), body (400), prompt size (413), quota (429), upstream (200/502/504). Every call that
names an existing model leaves one api_usage_logs row; calls forwarded for a user also leave a
user_history row. Refused calls do not count against the quota; forwarded calls count whatever the
upstream answers.

A streamed call passes the same checks and quota; its answer is relayed and recorded by
activity.gateway.streaming (StreamRelay), for the API and for the playground (playground_stream).
"""

import ipaddress
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from activity.gateway.access import check_access
from activity.gateway.auth import Caller, playground_caller
from activity.gateway.errors import GatewayError, error
from activity.gateway.quota import QuotaState, quota_reserve, quota_state
from activity.gateway.records import Exchange, call_record
from activity.gateway.upstream import UpstreamAnswer, UpstreamStream, call_upstream, stream_upstream
from activity.models import HistoryStatus
from catalog.models import AIModel
from core.db import release_connection

if TYPE_CHECKING:
    from activity.gateway.streaming import StreamRelay

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


def call_forward(
    *,
    caller: Caller,
    model: AIModel,
    prompt: str,
    parameters: dict,
    messages: list[dict] | None = None,
    session_id: str | None = None,
    stream: bool = False,
) -> Forwarded:
    """Check the prompt, reserve one call of the developer's quota, and forward it upstream.

    Raises a GatewayError (413, 429) for refused calls; upstream failures (502, 504) come back in the
    result, since they were forwarded and counted. Access must have been checked (check_access).
    With stream, the call asks the upstream to stream and returns once its answer begins (its status and
    headers came): the open UpstreamStream is the result's `stream`, to relay with a StreamRelay.
    """
    prompt_check(prompt)
    request_timestamp = timezone.now()
    quota = quota_reserve(developer=model.developer, now=request_timestamp)
    # The reservation is committed: no connection is held while the upstream answers, however long.
    release_connection()
    answer: UpstreamAnswer | None = None
    opened: UpstreamStream | None = None
    failure: GatewayError | None = None
    try:
        if stream:
            opened = stream_upstream(
                endpoint_url=model.endpoint_url,
                model_name=model.api_name,
                prompt=prompt,
                parameters=parameters,
                messages=messages,
            )
        else:
            answer = call_upstream(
                endpoint_url=model.endpoint_url,
                model_name=model.api_name,
                prompt=prompt,
                parameters=parameters,
                messages=messages,
            )
    except GatewayError as exc:
        failure = exc
    return Forwarded(
        quota=quota,
        answer=answer,
        error=failure,
        session_id=session_id or session_id_new(),
        request_timestamp=request_timestamp,
        cost=price_for(caller=caller, model=model) if answer is not None else ZERO,
        stream=opened,
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


def _playground_forward(
    *,
    caller: Caller,
    model: AIModel,
    prompt: str,
    session_id: str | None,
    parameters: dict | None,
    messages: list[dict] | None,
    stream: bool,
) -> tuple[Forwarded | None, GatewayError | None]:
    """The playground's checks and forward: (the forwarded call, its failure) or (None, the refusal)."""
    try:
        check_access(caller=caller, model=model)
        forwarded = call_forward(
            caller=caller,
            model=model,
            prompt=prompt,
            parameters=parameters or {},
            messages=messages,
            session_id=session_id,
            stream=stream,
        )
    except GatewayError as exc:
        return None, exc
    return forwarded, forwarded.error


def _playground_result(
    *,
    caller: Caller,
    user: User,
    model: AIModel,
    prompt: str,
    forwarded: Forwarded | None,
    failure: GatewayError | None,
    started: float,
    ip: str | None,
    request_size: int,
) -> PlaygroundResult:
    """Record a playground call answered in one piece (or refused, or failed before its answer began)."""
    status_code = forwarded.status_code if forwarded else failure.status if failure else 200
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
    forwarded, failure = _playground_forward(
        caller=caller,
        model=model,
        prompt=prompt,
        session_id=session_id,
        parameters=parameters,
        messages=messages,
        stream=False,
    )
    return _playground_result(
        caller=caller,
        user=user,
        model=model,
        prompt=prompt,
        forwarded=forwarded,
        failure=failure,
        started=started,
        ip=ip,
        request_size=request_size,
    )


@dataclass(frozen=True)
class PlaygroundStream:
    """A playground call with its answer streamed.

    When the call was refused or failed before its answer began, `result` says how, as playground_call's
    would, and it is already recorded. Otherwise iterate `relay`: it yields the answer's text pieces (str)
    as they arrive, then one streaming.StreamEnd (status, whole text, error, times, cost); the call is
    recorded (usage row and history row `history_id`) when the StreamEnd is taken. Close the relay when
    done, and at once when the user goes away or presses stop: the upstream's connection is closed and the
    call recorded as cancelled with the text so far (uncharged).
    """

    session_id: str
    result: PlaygroundResult | None = None
    relay: "StreamRelay | None" = None
    history_id: uuid.UUID | None = None


def playground_stream(
    *,
    user: User,
    model: AIModel,
    prompt: str,
    session_id: str | None,
    ip: str | None,
    request_size: int,
    parameters: dict | None = None,
    messages: list[dict] | None = None,
) -> PlaygroundStream:
    """playground_call with the answer streamed: same checks, quota and records, the records written when
    the stream ends (see PlaygroundStream). `prompt` is what the history keeps (the user's last turn);
    `messages`, when given, is the conversation a chat-shaped upstream is sent."""
    # streaming builds on this module (Forwarded, the clock, prices): imported here, not at the top.
    from activity.gateway.streaming import StreamEnd, StreamRelay

    started = time.perf_counter()
    caller = playground_caller(user=user)
    forwarded, failure = _playground_forward(
        caller=caller,
        model=model,
        prompt=prompt,
        session_id=session_id,
        parameters=parameters,
        messages=messages,
        stream=True,
    )
    if forwarded is None or forwarded.stream is None:
        result = _playground_result(
            caller=caller,
            user=user,
            model=model,
            prompt=prompt,
            forwarded=forwarded,
            failure=failure,
            started=started,
            ip=ip,
            request_size=request_size,
        )
        return PlaygroundStream(
            session_id=forwarded.session_id if forwarded else session_id or "", result=result
        )
    history_id = uuid.uuid4()
    opened = forwarded

    def record(end: StreamEnd) -> None:
        exchange = end.exchange(history_id=history_id, forwarded=opened, prompt=prompt, ip=ip)
        call_record(
            log_id=uuid.uuid4(),
            model=model,
            user=user,
            developer=None,
            key_prefix=caller.key_prefix,
            method="POST",
            status_code=end.status_code,
            request_size=request_size,
            response_size=len(end.text.encode()),
            processing_ms=end.processing_ms,
            exchange=exchange,
            first_chunk_ms=end.first_chunk_ms,
        )

    relay = StreamRelay(
        stream=forwarded.stream, started=started, price=price_for(caller=caller, model=model), record=record
    )
    return PlaygroundStream(session_id=forwarded.session_id, relay=relay, history_id=history_id)
