"""One call through the gateway: the fixed order of checks, the quota, the upstream and the records.

Whoever takes a call (the JSON API's endpoints, the playground) identifies its caller and its model, and
hands run() a function that reads the call's body; run() takes it from there, in this order:

1. access: the caller may see the model (404 otherwise), and the model is in service (410, 403);
2. the body: the taker's read() parses and validates it (400);
3. the prompt's size (413);
4. the reservation (activity.gateway.reservation): the key's spending limit (402), the price out of the
   user's credits (402), the user's monthly share of the model (429) and one call of the developer's
   monthly quota (429), all or nothing; then the request's database connection is given back while the
   upstream answers;
5. the upstream, called for an answer in one piece or for a stream (502, 504 come back in the outcome:
   the call was forwarded and counts);
6. the records: one api_usage_logs row per call and, for a user's call that was forwarded, one user_history
   row, with the reservation's settlement (the price released, and charged when the upstream answered).
   They are written once the answer's size is known: by Outcome.record() for an answer in one piece or a
   refusal, by the outcome's relay when a stream ends (activity.gateway.streaming).

Before step 1 the JSON API refuses a key in the query string (400) and an unknown or refused key (401, 403),
in activity.gateway.call; such a refusal is recorded the same way (refusal()) when it names a model. Refused
calls reserve nothing and do not count against the quota; forwarded calls count whatever the upstream
answers, and cost their caller only when it answered.
"""

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, cast

from django.utils import timezone

from activity.gateway.access import check_serving, check_visible
from activity.gateway.auth import Caller
from activity.gateway.errors import GatewayError, error
from activity.gateway.media import MediaFile
from activity.gateway.quota import QuotaState
from activity.gateway.records import Exchange, call_record
from activity.gateway.reservation import Reservation, reserve
from activity.gateway.service import (
    ZERO,
    Forwarded,
    elapsed_ms,
    exchange_for,
    price_for,
    prompt_check,
    session_id_new,
)
from activity.gateway.streaming import StreamEnd, StreamRelay
from activity.gateway.upstream import UpstreamAnswer, UpstreamStream, call_upstream, stream_upstream
from activity.media import MediaItem, keep_media
from catalog.kinds import kinds_label
from catalog.models import AIModel
from core.db import release_connection

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CallInput:
    """What a call's body asks for, as its taker parsed it."""

    prompt: str  # what the upstream is sent (a chat's conversation, flattened)
    parameters: dict
    history_prompt: str | None = (
        None  # what the user's history keeps, when not the prompt (a chat's last turn)
    )
    messages: list[dict] | None = None  # the conversation, for chat-shaped upstreams
    session_id: str | None = None
    stream: bool = False
    files: tuple[MediaFile, ...] = ()  # images and audio the caller sent, checked (activity.gateway.media)
    texts: tuple[str, ...] | None = None  # an embeddings call's texts
    options: dict = field(default_factory=dict)  # a media call's options (dimensions, n, size, voice, …)
    want: str | None = None  # the kind of output the endpoint answers with (vector, image, …), if one

    @property
    def sends(self) -> tuple[str, ...]:
        """The kinds this call sends."""
        kinds = ["text"] if self.prompt or self.texts else []
        return tuple(dict.fromkeys([*kinds, *(media.kind for media in self.files)]))


@dataclass(frozen=True)
class Origin:
    """Where the call came from, for its usage row and history row."""

    ip: str | None
    request_size: int
    method: str = "POST"
    key_prefix: str = ""  # the key's loggable prefix, when no caller was identified
    # A streamed answer's response_size: the bytes its caller was sent (the API), or the answer's text alone
    # (the playground, whose page around the answer is not the model's).
    size_of_text: bool = False
    log_id: uuid.UUID = field(default_factory=uuid.uuid4)
    started: float = field(default_factory=time.perf_counter)


@dataclass
class Outcome:
    """How a call ended, or, for a stream, how it began: refused (`error`, nothing forwarded), forwarded
    (`forwarded`, with an upstream failure as `error`), or streaming (`relay`, to iterate and close).

    `visible` says whether the caller may know the model exists (its quota headers are shown then)."""

    model: AIModel
    caller: Caller | None
    origin: Origin
    input: CallInput | None = None
    visible: bool = False
    quota: QuotaState | None = None
    reservation: Reservation | None = None
    error: GatewayError | None = None
    forwarded: Forwarded | None = None
    relay: StreamRelay | None = None
    history_id: uuid.UUID | None = None
    exchange: Exchange | None = None
    processing_ms: int | None = None
    recorded: bool = False

    @property
    def status_code(self) -> int:
        return self.error.status if self.error is not None else 200

    @property
    def answer(self) -> UpstreamAnswer | None:
        return self.forwarded.answer if self.forwarded else None

    @property
    def session_id(self) -> str | None:
        if self.forwarded is not None:
            return self.forwarded.session_id
        return self.input.session_id if self.input else None

    @property
    def history_prompt(self) -> str:
        if self.input is None:
            return ""
        return self.input.prompt if self.input.history_prompt is None else self.input.history_prompt

    def finish(self) -> None:
        """Fix the call's time and, for a user's forwarded call, its history entry: an answer in one piece
        names them before it is recorded."""
        if self.processing_ms is not None:
            return
        self.processing_ms = elapsed_ms(self.origin.started)
        if self.forwarded is not None and self.history_id is not None:
            self.exchange = exchange_for(
                history_id=self.history_id,
                forwarded=self.forwarded,
                prompt=self.history_prompt,
                processing_ms=self.processing_ms,
                ip=self.origin.ip,
            )

    def record(self, *, response_size: int, status_code: int | None = None) -> None:
        """Write the call's rows: for a refusal, or an answer in one piece of `response_size` bytes."""
        assert self.relay is None, "a stream is recorded by its relay"
        self.finish()
        assert self.processing_ms is not None
        self._write(
            status_code=self.status_code if status_code is None else status_code,
            response_size=response_size,
            processing_ms=self.processing_ms,
            exchange=self.exchange,
        )

    def _record_stream(self, end: StreamEnd) -> None:
        assert self.forwarded is not None
        self.processing_ms = end.processing_ms
        if self.history_id is not None:
            self.exchange = end.exchange(
                history_id=self.history_id,
                forwarded=self.forwarded,
                prompt=self.history_prompt,
                ip=self.origin.ip,
            )
        self._write(
            status_code=end.status_code,
            response_size=len(end.text.encode()) if self.origin.size_of_text else end.response_size,
            processing_ms=end.processing_ms,
            exchange=self.exchange,
            first_chunk_ms=end.first_chunk_ms,
        )

    def _write(
        self,
        *,
        status_code: int,
        response_size: int,
        processing_ms: int,
        exchange: Exchange | None,
        first_chunk_ms: int | None = None,
    ) -> None:
        if self.recorded:
            return
        self.recorded = True
        caller = self.caller
        settlement = None
        if self.reservation is not None and self.reservation.holds_credits:
            settlement = self.reservation.settlement(cost=exchange.cost if exchange else ZERO)
        call_record(
            log_id=self.origin.log_id,
            model=self.model,
            user=caller.user if caller else None,
            developer=caller.developer if caller else None,
            key_prefix=caller.key_prefix if caller else self.origin.key_prefix,
            method=self.origin.method,
            status_code=status_code,
            request_size=self.origin.request_size,
            response_size=response_size,
            processing_ms=processing_ms,
            exchange=exchange,
            first_chunk_ms=first_chunk_ms,
            settlement=settlement,
        )
        if exchange is not None and caller is not None and caller.user is not None:
            self._keep_media(user_id=caller.user.pk, history_id=exchange.history_id)

    def _keep_media(self, *, user_id: uuid.UUID, history_id: uuid.UUID) -> None:
        """The files the user sent and the answer's, kept with the history entry (activity.media). The call
        is recorded and charged already: a storage failure loses the files, never the call's records."""
        answer = self.answer
        sent = self.input.files if self.input else ()
        items = [_media_item("input", media) for media in sent] + [
            _media_item("output", media) for media in (answer.files if answer else ())
        ]
        if not items:
            return
        try:
            keep_media(history_id=history_id, user_id=user_id, items=items)
        except Exception:
            logger.exception("The files of history entry %s could not be kept", history_id)


def _media_item(direction: str, media: MediaFile) -> MediaItem:
    return MediaItem(
        direction=cast(Literal["input", "output"], direction),
        kind=cast(Literal["image", "audio"], media.kind),
        mime=media.mime,
        data=media.data,
        width=media.width,
        height=media.height,
    )


def kinds_check(*, model: AIModel, call: CallInput) -> None:
    """400 unsupported_kind, before anything counts, for a call that sends the model a kind it does not take,
    sends it none that it takes, or asks it for a kind it does not give (catalog.kinds)."""
    takes, gives = model.takes, model.gives
    sends = call.sends or ("text",)  # an empty prompt is still a text call
    refused = [kind for kind in sends if kind != "text" and kind not in takes]
    if refused:
        raise error(
            "unsupported_kind",
            f"{model.api_name} takes {kinds_label(takes)}; this call sends {kinds_label(tuple(refused))}.",
        )
    if not any(kind in takes for kind in sends):
        raise error(
            "unsupported_kind",
            f"{model.api_name} takes {kinds_label(takes)}; send "
            + ("a file of that kind." if "text" not in takes else "a prompt."),
        )
    if call.want is not None and call.want not in gives:
        raise error(
            "unsupported_kind",
            f"{model.api_name} gives {kinds_label(gives)}, not {kinds_label((call.want,))}: "
            "call it through an endpoint for what it gives.",
        )
    if call.stream and "text" not in gives:
        raise error(
            "unsupported_kind", f"{model.api_name} gives {kinds_label(gives)}: only text answers stream."
        )


def answer_check(answer: UpstreamAnswer, *, call: CallInput) -> None:
    """A 502 for an answer without the kind the endpoint answers with (an embeddings call answered text)."""
    if call.want is None or call.want == "text" and answer.text:
        return
    found = answer.of_kind(call.want)
    expected = len(call.texts) if call.want == "vector" and call.texts else 1
    if len(found) < expected:
        raise error(
            "upstream_invalid_response",
            f"The model's upstream answered without the {kinds_label((call.want,))} this call asks for.",
        )


def refusal(*, model: AIModel, caller: Caller | None, origin: Origin) -> Outcome:
    """A call refused before run() (its key, say), to be recorded with record(status_code=...)."""
    return Outcome(model=model, caller=caller, origin=origin)


def run(*, caller: Caller, model: AIModel, read: Callable[[], CallInput], origin: Origin) -> Outcome:
    """Take one call through the checks, the quota and the upstream (see the module's docstring).

    A refusal or an answer in one piece comes back to be shaped and then recorded (Outcome.record); a stream
    whose upstream began to answer comes back with its relay, which records the call when it ends."""
    outcome = Outcome(model=model, caller=caller, origin=origin)
    try:
        check_visible(caller=caller, model=model)
        outcome.visible = True
        check_serving(model=model)
        call = outcome.input = read()
        prompt_check(call.prompt)
        kinds_check(model=model, call=call)
        request_timestamp = timezone.now()
        price: Decimal = price_for(caller=caller, model=model)
        outcome.history_id = uuid.uuid4() if caller.writes_history else None
        outcome.reservation = reserve(
            model=model,
            user_id=caller.user.pk if caller.user is not None else None,
            api_key=caller.api_key,
            price=price,
            history_id=outcome.history_id,
            now=request_timestamp,
        )
        outcome.quota = outcome.reservation.quota
    except GatewayError as exc:
        outcome.error = exc
        return outcome
    # The reservation is committed: no connection is held while the upstream answers, however long.
    release_connection()
    answer: UpstreamAnswer | None = None
    opened: UpstreamStream | None = None
    request: dict[str, Any] = {
        "endpoint_url": model.endpoint_url,
        "model_name": model.api_name,
        "prompt": call.prompt,
        "parameters": call.parameters,
        "messages": call.messages,
        "files": call.files,
    }
    try:
        if call.stream:
            opened = stream_upstream(**request)
        else:
            answer = call_upstream(**request, texts=call.texts, options=call.options)
            answer_check(answer, call=call)
    except GatewayError as exc:
        outcome.error = exc
        answer = None
    outcome.forwarded = Forwarded(
        quota=outcome.quota,
        answer=answer,
        error=outcome.error,
        session_id=call.session_id or session_id_new(),
        request_timestamp=request_timestamp,
        cost=price if answer is not None else ZERO,
        stream=opened,
    )
    if opened is not None:
        outcome.relay = StreamRelay(
            stream=opened, started=origin.started, price=price, record=outcome._record_stream
        )
    return outcome
