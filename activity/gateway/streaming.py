"""Streamed calls: the upstream's answer relayed piece by piece as it arrives, and recorded when it ends.

StreamRelay is what every streamed call shares, whoever shapes the answer (the API's Server-Sent Events,
the playground): it yields the upstream's text pieces as they come, then one StreamEnd, and records the
call exactly once: when the StreamEnd has been taken, or, if it is closed before that (the caller went
away), as cancelled with the text so far, right after closing the upstream's connection. It is a plain
iterator. Under WSGI the response iterates it, and the server closes it when the client disconnects (the
write fails, the server calls close() on the response, which closes sse_body and with it the relay). Under
ASGI (config.asgi) asgi_body drives the same iterator from the request's own thread, one next() per event,
leaving the event loop free while the upstream is silent; when the client goes away, or a clean stop runs
out of time, Django cancels it and abort() wakes the thread's read at once.

Time is counted from the call's start (the request's arrival): first_chunk_ms to the answer's first piece,
processing_ms to its end. Users are charged (the model's price) only for answers the upstream finished.

The API's two event shapes follow (InvokeEvents, ChatChunks), with sse_body(), which turns a relay into the
bytes of a text/event-stream answer, and event_stream_response(), which answers with them.
"""

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Generator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, StreamingHttpResponse

from activity.gateway.errors import GatewayError, error
from activity.gateway.records import Exchange
from activity.gateway.service import ZERO, Forwarded, elapsed_ms
from activity.gateway.upstream import UpstreamStream
from activity.models import HistoryStatus

logger = logging.getLogger(__name__)

EVENT_STREAM = "text/event-stream; charset=utf-8"
DONE = b"data: [DONE]\n\n"
# OpenAI's finish reasons that mean the same here; any other (tool_calls, whose deltas are not relayed) is
# reported as stop, as the answer in one piece is.
FINISH_REASONS = {"stop", "length", "content_filter"}


@dataclass
class StreamEnd:
    """How a streamed call ended: what its records say, and what its last events tell the caller."""

    status: str  # a HistoryStatus: completed, failed, timeout or cancelled
    text: str  # the whole answer, or as much of it as came
    error: GatewayError | None
    first_chunk_ms: int | None
    processing_ms: int
    cost: Decimal
    usage: dict[str, Any] | None
    finish_reason: str
    # What the caller was sent in all; whoever shapes the answer sets it before the call is recorded.
    response_size: int = 0

    @property
    def status_code(self) -> int:
        """The usage log's code: the error's for a stream the upstream broke off, else the 200 it began with."""
        return self.error.status if self.error is not None else 200

    def exchange(
        self, *, history_id: uuid.UUID, forwarded: Forwarded, prompt: str, ip: str | None
    ) -> Exchange:
        """The history row of the stream that ended so, for a call made for a user."""
        return Exchange(
            history_id=history_id,
            session_id=forwarded.session_id,
            prompt=prompt,
            response=self.text,
            status=self.status,
            request_timestamp=forwarded.request_timestamp,
            response_time_ms=self.processing_ms,
            cost=self.cost,
            ip_address=ip,
            first_chunk_ms=self.first_chunk_ms,
        )


class StreamRelay:
    """One upstream stream, relayed: iterate it for the text pieces and the StreamEnd; close it when done
    or when the caller goes away. `record` writes the call's rows; it is called once, with the StreamEnd.

    `sent` counts the bytes the caller has been sent, for the usage log's response_size: whoever shapes the
    answer adds to it.
    """

    def __init__(
        self,
        *,
        stream: UpstreamStream,
        started: float,
        price: Decimal,
        record: Callable[[StreamEnd], None],
    ):
        self.stream = stream
        self.sent = 0
        self.aborted = False
        self.end: StreamEnd | None = None
        self._started = started
        self._price = price
        self._record = record
        self._parts: list[str] = []
        self._first_chunk_ms: int | None = None
        self._events = self._relay()

    def __iter__(self) -> "StreamRelay":
        return self

    def __next__(self) -> str | StreamEnd:
        return next(self._events)

    def close(self) -> None:
        """Stop relaying. Before the StreamEnd was taken this is the caller going away: the upstream's
        connection is closed at once and the call recorded as cancelled, with what came so far."""
        self._events.close()
        if self.end is None:
            self.stream.close()
            self._finish(self._ending(cancelled=True))

    def abort(self) -> None:
        """From another thread, while this one may be waiting on the upstream: the caller has gone. The
        upstream's socket is shut down, which ends that wait at once, and the call ends as cancelled."""
        self.aborted = True
        self.stream.abort()

    def _relay(self) -> Generator[str | StreamEnd, None, None]:
        pieces = self.stream.pieces()
        failure: GatewayError | None = None
        try:
            for piece in pieces:
                if self._first_chunk_ms is None:
                    self._first_chunk_ms = elapsed_ms(self._started)
                self._parts.append(piece)
                yield piece
        except GatewayError as exc:
            failure = exc
        except Exception:
            logger.exception("A streamed call failed while relaying its answer")
            failure = error("internal_error")
        finally:
            pieces.close()
        end = self._ending(failure=failure)
        try:
            yield end
        finally:
            # Taken (or closed right after): the upstream is done with, and the call recorded as it ended.
            self.stream.close()
            self._finish(end)

    def _ending(self, *, failure: GatewayError | None = None, cancelled: bool = False) -> StreamEnd:
        if cancelled or self.aborted:
            status = HistoryStatus.CANCELLED
            failure = None  # what a read failed with once the upstream's socket was shut down here
        elif failure is None:
            status = HistoryStatus.COMPLETED
        elif failure.code == "upstream_timeout":
            status = HistoryStatus.TIMEOUT
        else:
            status = HistoryStatus.FAILED
        reason = self.stream.finish_reason
        return StreamEnd(
            status=status,
            text="".join(self._parts),
            error=failure,
            first_chunk_ms=self._first_chunk_ms,
            processing_ms=elapsed_ms(self._started),
            cost=self._price if status == HistoryStatus.COMPLETED else ZERO,
            usage=self.stream.usage,
            finish_reason=reason if reason in FINISH_REASONS else "stop",
            response_size=self.sent,
        )

    def _finish(self, end: StreamEnd) -> None:
        if self.end is not None:
            return
        self.end = end
        try:
            self._record(end)
        except Exception:
            # Under WSGI a failure while closing is swallowed by the response: say it here.
            logger.exception("A streamed call's records could not be written")
            raise


def sse(data: dict[str, Any]) -> bytes:
    """One Server-Sent Event. JSON escapes line breaks, so the data is always one line."""
    return b"data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"


class EventShape(Protocol):
    """What a streamed answer's events look like: before the first piece, for each piece, and at the end."""

    def opening(self) -> list[bytes]: ...

    def piece(self, text: str) -> bytes: ...

    def closing(self, end: StreamEnd) -> list[bytes]: ...


def sse_body(relay: StreamRelay, shape: EventShape) -> Generator[bytes, None, None]:
    """The bytes of a text/event-stream answer, each event as soon as its piece came. The call is recorded
    before its last events are sent (a caller who has them finds the rows), and as cancelled if the
    iterator is closed early (the server's close() when the client disconnects)."""
    try:
        for data in shape.opening():
            relay.sent += len(data)
            yield data
        closing: list[bytes] = []
        for item in relay:
            if isinstance(item, StreamEnd):
                # A stream cut off here (abort: the caller left, the server stopped) ends without its
                # closing events: no [DONE] for an answer that did not finish.
                closing = [] if relay.aborted else shape.closing(item)
                item.response_size = relay.sent + sum(len(data) for data in closing)
                continue  # taking what follows the StreamEnd records the call
            if relay.aborted:
                return  # recorded as cancelled by relay.close(), in this step (see asgi_body)
            data = shape.piece(item)
            relay.sent += len(data)
            yield data
        yield from closing
    finally:
        relay.close()


async def asgi_body(body: Generator[bytes, None, None], relay: StreamRelay) -> AsyncIterator[bytes]:
    """`body` (sse_body's) for an ASGI server: each next() runs in the request's own thread, the one its view
    ran in (thread_sensitive), so the records at the end use the same database connection.

    When the client disconnects, or the server stops and its grace period runs out, core.asgi cancels this
    while a next() may be waiting on the upstream: relay.abort() shuts the upstream's socket, and the next()
    under way records the call as cancelled and returns. Closing `body` afterwards, in the same thread,
    records it if that had not happened yet.
    """

    def step() -> bytes | None:
        return next(body, None)

    next_event = sync_to_async(step, thread_sensitive=True)
    try:
        while (data := await next_event()) is not None:
            yield data
    except asyncio.CancelledError:
        relay.abort()
        raise
    finally:
        await sync_to_async(body.close, thread_sensitive=True)()


def error_json(exc: GatewayError) -> dict[str, Any]:
    return {"code": exc.code, "message": exc.message}


@dataclass(frozen=True)
class InvokeEvents:
    """POST /invoke with "stream": true: `{"response": "<piece>"}` events as the upstream sends them; then
    one `{"object": "invocation.end", ...}` event with the ids, times and cost, and `[DONE]`; or, when the
    upstream fails on the way, one `{"error": {...}, ...}` event, which ends the stream."""

    call_id: uuid.UUID
    created: int
    model: str
    session_id: str
    history_id: uuid.UUID | None

    def opening(self) -> list[bytes]:
        return []

    def piece(self, text: str) -> bytes:
        return sse({"response": text})

    def closing(self, end: StreamEnd) -> list[bytes]:
        ids = {
            "id": str(self.call_id),
            "session_id": self.session_id,
            "history_id": str(self.history_id) if self.history_id else None,
            "latency_ms": end.processing_ms,
        }
        if end.error is not None:
            return [sse({"error": error_json(end.error), **ids})]
        summary = {
            **ids,
            "object": "invocation.end",
            "created": self.created,
            "model": self.model,
            "first_chunk_ms": end.first_chunk_ms,
            "cost": float(end.cost),
        }
        return [sse(summary), DONE]


def words(text: str) -> int:
    return len(text.split())


def chat_usage(*, prompt: str, text: str, upstream: dict[str, Any] | None, cost: Decimal) -> dict[str, Any]:
    """OpenAI's usage figures: the upstream's token counts, or word counts when it gives none; and the cost."""
    usage = upstream or {}
    prompt_tokens = usage.get("prompt_tokens")
    completion_tokens = usage.get("completion_tokens")
    prompt_tokens = prompt_tokens if isinstance(prompt_tokens, int) else words(prompt)
    completion_tokens = completion_tokens if isinstance(completion_tokens, int) else words(text)
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "cost": float(cost),
    }


@dataclass(frozen=True)
class ChatChunks:
    """POST /chat/completions with "stream": true, in OpenAI's chunk format: a first chunk with the role,
    one per piece with `delta.content`, a last one with `finish_reason` (and the session and history ids),
    with `stream_options.include_usage` a chunk with no choices and the `usage` (cost included), then
    `[DONE]`. An upstream failure on the way ends the stream with one `{"error": {...}}` event, which the
    `openai` client raises as an APIError."""

    call_id: uuid.UUID
    created: int
    model: str
    session_id: str
    history_id: uuid.UUID | None
    prompt: str
    include_usage: bool

    def chunk(self, choices: list[dict[str, Any]], **extra: Any) -> bytes:
        return sse(
            {
                "id": f"chatcmpl-{self.call_id.hex}",
                "object": "chat.completion.chunk",
                "created": self.created,
                "model": self.model,
                "choices": choices,
                **extra,
            }
        )

    def opening(self) -> list[bytes]:
        return [
            self.chunk([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
        ]

    def piece(self, text: str) -> bytes:
        return self.chunk([{"index": 0, "delta": {"content": text}, "finish_reason": None}])

    def closing(self, end: StreamEnd) -> list[bytes]:
        if end.error is not None:
            return [sse({"error": error_json(end.error)})]
        ids = {"session_id": self.session_id, "history_id": str(self.history_id) if self.history_id else None}
        events = [self.chunk([{"index": 0, "delta": {}, "finish_reason": end.finish_reason}], **ids)]
        if self.include_usage:
            usage = chat_usage(prompt=self.prompt, text=end.text, upstream=end.usage, cost=end.cost)
            events.append(self.chunk([], usage=usage, **ids))
        return [*events, DONE]


def event_stream_response(
    request: HttpRequest, relay: StreamRelay, shape: EventShape, headers: dict[str, str] | None = None
) -> StreamingHttpResponse:
    """The relay's events as a text/event-stream answer that nothing on the way keeps back: no caching, and
    no buffering by a proxy (X-Accel-Buffering, which nginx honours). The site's middleware leaves streaming
    answers as they are (no compression, no ETag). Under ASGI the body is asynchronous (asgi_body): Django
    would read a plain iterator to its end before sending anything."""
    events = sse_body(relay, shape)
    body: Generator[bytes, None, None] | AsyncIterator[bytes] = events
    if isinstance(request, ASGIRequest):
        body = asgi_body(events, relay)
    response = StreamingHttpResponse(body, content_type=EVENT_STREAM)
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"
    for name, value in (headers or {}).items():
        response[name] = value
    return response
