"""Calling a model's upstream over HTTP.

Protocol: ``POST <endpoint_url>`` with ``{"prompt": "...", "parameters": {...}}`` answered by
``{"response": "..."}``; when the URL ends in ``/chat/completions`` both sides take the OpenAI
chat-completion shape instead. A streamed call (stream_upstream) adds ``"stream": true`` and reads the
answer as it arrives: Server-Sent Events of ``{"response": "<next piece>"}`` (or OpenAI's chunks) ending
with ``data: [DONE]``, or an answer in one piece.

One urllib3 PoolManager per process keeps connections to upstreams alive; urllib3 rather than httpx
because a pooled call costs well under half the CPU, and that CPU is a large part of the gateway's own
cost per call. Streams are read with preload_content=False, as every answer is, one socket read at a time.

Unless UPSTREAM_PRIVATE_NETWORKS is on (the default with DEBUG, for the demo upstream on 127.0.0.1), an
upstream is called only at a public address: a developer's endpoint URL must not reach the platform's own
network (its database, a cloud metadata service, an admin port). Names are resolved once, refused if any
of their addresses is not public, and connected to at the addresses checked (_PublicOnly), so a name that
resolves to a private address, now or a moment later, is refused as well.
"""

import json
import os
import re
import socket
import threading
import time
from base64 import b64encode
from collections.abc import Generator, Iterator
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import unquote

import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
)
from urllib3.response import BaseHTTPResponse
from urllib3.util import parse_url
from urllib3.util.connection import create_connection

from activity.gateway.errors import error
from activity.gateway.media import MediaFile
from activity.gateway.shapes import (  # build_payload, encode_payload and is_chat_endpoint: also from here
    CHAT_SUFFIX,
    Outgoing,
    UpstreamAnswer,
    UpstreamCall,
    _storable,
    build_payload,
    encode_payload,
    encode_request,
    is_chat_endpoint,
    parse_answer,
)

__all__ = [
    "CHAT_SUFFIX",
    "UpstreamAnswer",
    "build_payload",
    "call_upstream",
    "encode_payload",
    "is_chat_endpoint",
    "stream_upstream",
    "UpstreamStream",
    "get_client",
]
from core.addresses import is_public_address

USER_AGENT = "ai-model-platform-gateway/1"
# Every header of a request (urllib3 does not merge a request's headers with the pool's). gzip and deflate
# answers are decoded, and the cap applies to the decoded bytes.
REQUEST_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "*/*",
    "Accept-Encoding": "gzip, deflate",
    # HTTP/1.1 keeps connections alive anyway; an HTTP/1.0 upstream keeps them alive only when asked.
    "Connection": "keep-alive",
    "Content-Type": "application/json",
}
# Idle keep-alive connections kept per upstream host. A gunicorn sync worker makes one call at a time; the
# playground or a threaded server may make several at once. A burst past this still gets connections
# (block=False), and the extra ones are closed when they come back instead of waiting for a free one.
CONNECTIONS_PER_HOST = 16
# Upstream hosts whose connections are kept; past this the least recently used host's are closed.
HOSTS_KEPT = 32
READ_CHUNK_BYTES = 64 * 1024
EVENT_STREAM = "text/event-stream"
# A streamed call asks for events (or an answer in one piece) and no compression: a compressed stream would
# reach the gateway in the compressor's blocks rather than as the upstream sent it.
STREAM_HEADERS = {"Accept": f"{EVENT_STREAM}, application/json", "Accept-Encoding": "identity"}
# Events end at a blank line (CRLF line ends are made LF first).
EVENT_END = re.compile(rb"\n\n")
# urllib3 would take a URL without a scheme for http:// and percent-encode control characters (a newline,
# say) into the path; such an endpoint is misconfigured, and is refused as unreachable instead.
FORWARDABLE_SCHEMES = ("http://", "https://")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")

PRIVATE_ADDRESS_MESSAGE = (
    "The model's upstream is at a private network address, which the platform does not call."
)


class PrivateAddressRefused(NewConnectionError):
    """The upstream's address is not public (and UPSTREAM_PRIVATE_NETWORKS is off)."""


class _PublicOnly(HTTPConnection):
    """Resolves the host once, refuses it if any of its addresses is not public, and connects only to the
    addresses it checked: a closed and an open internal port get the same answer, and a name cannot resolve
    to a public address for the check and a private one for the connection (DNS rebinding)."""

    def _new_conn(self) -> socket.socket:
        if settings.UPSTREAM_PRIVATE_NETWORKS:
            return super()._new_conn()
        try:
            resolved = socket.getaddrinfo(self._dns_host, self.port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        except (OSError, UnicodeError) as exc:  # a label too long or empty for IDNA
            raise NewConnectionError(self, f"Failed to resolve {self.host}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in resolved))
        if not all(is_public_address(address) for address in addresses):
            raise PrivateAddressRefused(self, f"{self.host} resolves to a non-public address")
        failure: Exception | None = None
        for address in addresses:
            try:
                return create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as exc:  # socket.timeout
                failure = ConnectTimeoutError(
                    self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
                )
                failure.__cause__ = exc
            except OSError as exc:
                failure = NewConnectionError(self, f"Failed to establish a new connection: {exc}")
                failure.__cause__ = exc
        raise failure or NewConnectionError(self, f"{self.host} has no address")


class PublicHTTPConnection(_PublicOnly, HTTPConnection):
    pass


class PublicHTTPSConnection(_PublicOnly, HTTPSConnection):
    pass


class PublicHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = PublicHTTPConnection


class PublicHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = PublicHTTPSConnection


_pool: urllib3.PoolManager | None = None
_pool_pid: int | None = None
_pool_lock = threading.Lock()


def get_client() -> urllib3.PoolManager:
    """The process's shared pool manager (urllib3 pools are safe to share between threads); a new one
    after fork, since the parent's sockets must not be shared with a child.

    Upstreams are called directly: urllib3 never reads proxy variables or ~/.netrc from the environment.
    Redirects are not followed and nothing is retried, since a retried POST would forward a counted call
    twice; call_upstream passes both again with every request. HTTPS upstreams are verified against the
    system's certificate store.
    """
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        with _pool_lock:
            if _pool is None or _pool_pid != os.getpid():
                pool = urllib3.PoolManager(
                    num_pools=HOSTS_KEPT,
                    maxsize=CONNECTIONS_PER_HOST,
                    block=False,
                    headers=REQUEST_HEADERS,
                    retries=False,
                )
                pool.pool_classes_by_scheme = {
                    "http": PublicHTTPConnectionPool,
                    "https": PublicHTTPSConnectionPool,
                }
                _pool, _pool_pid = pool, os.getpid()
    return _pool


def request_headers(endpoint_url: str) -> dict[str, str]:
    """The headers of a call to endpoint_url. Credentials in the URL (``https://user:secret@host/...``) go
    in an Authorization: Basic header, since urllib3 would drop them and the upstream refuse the call."""
    if "@" not in endpoint_url:
        return REQUEST_HEADERS
    username, _, password = (parse_url(endpoint_url).auth or "").partition(":")
    if not (username or password):
        return REQUEST_HEADERS
    credentials = b64encode(f"{unquote(username)}:{unquote(password)}".encode()).decode()
    return {**REQUEST_HEADERS, "Authorization": f"Basic {credentials}"}


@contextmanager
def _upstream_errors() -> Iterator[None]:
    """Turns what urllib3 raises into the gateway's 502 and 504 errors."""
    try:
        yield
    except PrivateAddressRefused:
        raise error("upstream_unreachable", PRIVATE_ADDRESS_MESSAGE) from None
    # NewConnectionError (refused, unresolvable) is a subclass of urllib3's TimeoutError, so it comes first.
    except NewConnectionError:
        raise error("upstream_unreachable") from None
    except urllib3.exceptions.TimeoutError:
        raise error("upstream_timeout") from None
    except ProtocolError as exc:
        # Sending the request is bounded by the connect timeout, and a send that outlasts it arrives wrapped
        # in a ProtocolError: the upstream stopped reading, which is lateness, not a broken connection.
        late = any(isinstance(arg, TimeoutError) for arg in exc.args)
        raise error("upstream_timeout" if late else "upstream_unreachable") from None
    except HTTPError:  # TLS failures, invalid URLs, undecodable compressed answers
        raise error("upstream_unreachable") from None


def _send(*, endpoint_url: str, outgoing: Outgoing, headers: dict[str, str]) -> BaseHTTPResponse:
    """POST the request and wait for the answer's status and headers; the body is left to read."""
    if not endpoint_url.lower().startswith(FORWARDABLE_SCHEMES) or CONTROL_CHARACTERS.search(endpoint_url):
        raise error("upstream_unreachable")
    body = outgoing.body
    if outgoing.content_type != headers.get("Content-Type"):
        headers = {**headers, "Content-Type": outgoing.content_type}
    connect, read = settings.UPSTREAM_CONNECT_TIMEOUT, settings.UPSTREAM_READ_TIMEOUT
    return get_client().urlopen(
        "POST",
        endpoint_url,
        body=body,
        headers=headers,
        timeout=urllib3.Timeout(connect=connect, read=read),
        retries=False,
        redirect=False,
        preload_content=False,
    )


def _read_whole(response: BaseHTTPResponse, *, deadline: float) -> bytes:
    """The whole body, within the size cap and the deadline."""
    cap = settings.UPSTREAM_MAX_RESPONSE_BYTES
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise error("upstream_response_too_large")
    answer = bytearray()
    # read1 returns what one socket read brings, so the deadline is checked as bytes arrive; read()
    # would wait for a whole chunk however slowly it came.
    while chunk := response.read1(READ_CHUNK_BYTES):
        answer += chunk
        if len(answer) > cap:
            raise error("upstream_response_too_large")
        if time.monotonic() > deadline:
            raise error("upstream_timeout")
    return bytes(answer)


def _finish(response: BaseHTTPResponse | None, *, complete: bool) -> None:
    """Give the connection back to the pool when its answer was read to the end, else close it."""
    if response is not None:
        if not complete:
            response.close()
        response.release_conn()


def _outgoing(endpoint_url: str, *, stream: bool = False, **call: Any) -> Outgoing:
    try:
        return encode_request(endpoint_url=endpoint_url, call=UpstreamCall(**call), stream=stream)
    except ValueError:  # NaN or infinity in parameters
        raise error("invalid_request", "parameters: numbers must be finite.") from None


def call_upstream(
    *,
    endpoint_url: str,
    model_name: str,
    prompt: str,
    parameters: dict,
    messages: list[dict] | None = None,
    files: tuple[MediaFile, ...] = (),
    texts: tuple[str, ...] | None = None,
    options: dict | None = None,
) -> UpstreamAnswer:
    """Forward one call; raise a 502/504 GatewayError when the upstream fails, is late or breaks protocol.

    The connection goes back to the pool only when the answer was read to its end; an answer stopped by the
    cap or the deadline, or broken off by an error, closes it, so no half-read connection is reused.
    """
    outgoing = _outgoing(
        endpoint_url,
        model_name=model_name,
        prompt=prompt,
        parameters=parameters,
        messages=messages,
        files=files,
        texts=texts,
        options=options or {},
    )
    # The read timeout bounds each wait for bytes; the deadline also stops an upstream that drips slowly.
    deadline = time.monotonic() + settings.UPSTREAM_CONNECT_TIMEOUT + settings.UPSTREAM_READ_TIMEOUT
    response: BaseHTTPResponse | None = None
    complete = False
    try:
        with _upstream_errors():
            response = _send(
                endpoint_url=endpoint_url, outgoing=outgoing, headers=request_headers(endpoint_url)
            )
            answer = _read_whole(response, deadline=deadline)
            status = response.status
            content_type = response.headers.get("content-type", "")
            complete = True
    finally:
        _finish(response, complete=complete)
    if not 200 <= status < 300:
        raise error("upstream_error", f"The model's upstream answered HTTP {status}.")
    return parse_answer(endpoint_url=endpoint_url, body=answer, content_type=content_type)


def _event_data(event: bytes) -> tuple[str, str] | None:
    """(event type, data) of one Server-Sent Event; None for an event with no data (a comment, say)."""
    kind, data = "message", []
    for line in event.decode("utf-8", errors="replace").split("\n"):
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            data.append(value)
        elif name == "event":
            kind = value
    return (kind, "\n".join(data)) if data else None


class UpstreamStream:
    """An upstream's answer to a streamed call, read as it arrives.

    pieces() yields the answer's text in the pieces the upstream sends (an answer in one JSON body is one
    piece) and raises a 502/504 GatewayError when the upstream fails on the way: a wait for the next bytes
    longer than UPSTREAM_READ_TIMEOUT, more than UPSTREAM_MAX_RESPONSE_BYTES in all, a dropped connection,
    an event not in the protocol. close() ends the call at once; the connection goes back to the pool only
    when the answer was read to its end. `usage` and `finish_reason` are a chat upstream's, when it gave
    them.
    """

    def __init__(self, *, response: BaseHTTPResponse, endpoint_url: str, deadline: float):
        self._response: BaseHTTPResponse | None = response
        self.chat = is_chat_endpoint(endpoint_url)
        self.endpoint_url = endpoint_url
        self.events = response.headers.get("content-type", "").split(";")[0].strip().lower() == EVENT_STREAM
        self._deadline = deadline
        self.received = 0
        self.complete = False
        self.usage: dict[str, Any] | None = None
        self.finish_reason: str | None = None

    def pieces(self) -> Generator[str, None, None]:
        response = self._response
        if response is None:
            return
        with _upstream_errors():
            if not self.events:
                answer = parse_answer(
                    endpoint_url=self.endpoint_url, body=_read_whole(response, deadline=self._deadline)
                )
                self.complete = True
                self.usage = answer.usage
                if answer.text:
                    yield answer.text
                return
            yield from self._from_events(response)

    def _from_events(self, response: BaseHTTPResponse) -> Iterator[str]:
        cap = settings.UPSTREAM_MAX_RESPONSE_BYTES
        buffer = b""
        while chunk := response.read1(READ_CHUNK_BYTES):
            self.received += len(chunk)
            if self.received > cap:
                raise error("upstream_response_too_large")
            *events, buffer = EVENT_END.split((buffer + chunk).replace(b"\r\n", b"\n"))
            for event in events:
                parsed = _event_data(event)
                if parsed is None:
                    continue
                kind, data = parsed
                if data.strip() == "[DONE]":
                    self.complete = True
                    return
                piece = self._piece(kind, data)
                if piece:
                    yield piece
        last = _event_data(buffer.strip())
        if last is not None and last[1].strip() == "[DONE]":  # without the blank line after it
            self.complete = True
            return
        if self.chat and self.finish_reason is not None:
            # A chat stream that gave its finish reason and ended without [DONE] is complete all the same.
            self.complete = True
            return
        raise error("upstream_unreachable", "The model's upstream ended its stream before data: [DONE].")

    def _piece(self, kind: str, data: str) -> str:
        try:
            parsed = json.loads(data)
        except (ValueError, RecursionError):
            raise error("upstream_invalid_response") from None
        if kind == "error" or (isinstance(parsed, dict) and parsed.get("error")):
            # Its message stays in the upstream's logs, as an error status's body does.
            raise error("upstream_error", "The model's upstream reported an error while streaming.")
        if not isinstance(parsed, dict):
            raise error("upstream_invalid_response")
        if not self.chat:
            text = parsed.get("response")
            if not isinstance(text, str):
                raise error("upstream_invalid_response")
            return _storable(text)
        usage = parsed.get("usage")
        if isinstance(usage, dict):
            self.usage = usage
        choices = parsed.get("choices")
        if not isinstance(choices, list):
            raise error("upstream_invalid_response")
        if not choices:  # the usage chunk
            return ""
        choice = choices[0]
        delta = choice.get("delta") if isinstance(choice, dict) else None
        if not isinstance(delta, dict):
            raise error("upstream_invalid_response")
        reason = choice.get("finish_reason")
        if isinstance(reason, str):
            self.finish_reason = reason
        content = delta.get("content")
        if content is None:
            return ""
        if not isinstance(content, str):
            raise error("upstream_invalid_response")
        return _storable(content)

    def abort(self) -> None:
        """From another thread: shut the upstream's socket down, so that a read waiting on it returns at
        once (pieces() then fails, and close() closes the connection rather than pooling it)."""
        response = self._response
        sock = getattr(getattr(response, "connection", None), "sock", None)
        if sock is not None:
            with suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """End the call at once. The connection goes back to the pool only when the answer was read to its
        end: after [DONE], the end of the body must follow at once (read here, once the caller has had
        everything), or the connection is closed."""
        response, self._response = self._response, None
        if response is None:
            return
        complete = self.complete
        if complete and self.events:
            try:
                complete = not response.read1(READ_CHUNK_BYTES)
            except (HTTPError, OSError):
                complete = False
        _finish(response, complete=complete)


def stream_upstream(
    *,
    endpoint_url: str,
    model_name: str,
    prompt: str,
    parameters: dict,
    messages: list[dict] | None = None,
    files: tuple[MediaFile, ...] = (),
) -> UpstreamStream:
    """Forward one call with "stream": true and wait for the upstream's status and headers.

    Raises a 502/504 GatewayError when the upstream cannot be reached, is late to answer or answers an error
    status: nothing has been relayed yet, so the caller gets a plain error. The answer itself is read by the
    UpstreamStream returned, which the caller must close.
    """
    outgoing = _outgoing(
        endpoint_url,
        stream=True,
        model_name=model_name,
        prompt=prompt,
        parameters=parameters,
        messages=messages,
        files=files,
    )
    # An answer in one piece keeps the whole call's deadline; events are bounded by the read timeout
    # between them and by the size cap.
    deadline = time.monotonic() + settings.UPSTREAM_CONNECT_TIMEOUT + settings.UPSTREAM_READ_TIMEOUT
    with _upstream_errors():
        response = _send(
            endpoint_url=endpoint_url,
            outgoing=outgoing,
            headers={**request_headers(endpoint_url), **STREAM_HEADERS},
        )
    if not 200 <= response.status < 300:
        _finish(response, complete=False)
        raise error("upstream_error", f"The model's upstream answered HTTP {response.status}.")
    return UpstreamStream(response=response, endpoint_url=endpoint_url, deadline=deadline)
