"""Helpers for tests of the gateway: a demo upstream on a background thread, and API calls.

Kept beside the code they exercise so every test module uses the same real HTTP server; the `upstream`
fixture of the root conftest.py runs one per test module.
"""

import json
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.utils import timezone

from activity.gateway.records import Exchange, call_record
from demo.upstream import DemoUpstreamServer, serve_in_thread


@contextmanager
def running_upstream(extra_routes: dict | None = None) -> Iterator[DemoUpstreamServer]:
    server, thread = serve_in_thread(extra_routes=extra_routes)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def drip_answer(handler, text: str, *, delay: float = 0.05) -> None:
    """Write a valid prompt-protocol answer one byte every `delay` seconds: each read is quick, the whole
    is not (an upstream the deadline must stop while it is still sending)."""
    body = json.dumps({"response": text}).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    for byte in body:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(delay)


def nul_in_answer(handler, payload) -> tuple[int, bytes]:
    """An upstream route answering with a NUL character, which a PostgreSQL text column cannot hold."""
    return 200, json.dumps({"response": "before\u0000after"}).encode()


def refused_url(path: str = "/echo") -> str:
    """A URL on 127.0.0.1 where nothing listens (a port just released by the OS)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def auth_header(key: str | None) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}


def invoke(client, api_name: str, body, key: str | None = None, query: str = "", **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        f"/api/v1/models/{api_name}/invoke{query}",
        data=data,
        content_type="application/json",
        **auth_header(key),
        **extra,
    )


def chat(client, body, key: str | None = None, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        "/api/v1/chat/completions", data=data, content_type="application/json", **auth_header(key), **extra
    )


def record_burst_call(*, model, user, code: int, writer: int, call: int) -> None:
    """Record one call the way the gateway does (one autocommitted statement), for concurrency tests:
    a model-key call when `user` is None, a user's call with its history row when it was forwarded."""
    exchange = None
    if user is not None and code in (200, 502, 504):
        exchange = Exchange(
            history_id=uuid.uuid4(),
            session_id=f"writer-{writer}",
            prompt="hello",
            response="hi" if code == 200 else "",
            status="completed" if code == 200 else "failed",
            request_timestamp=timezone.now(),
            response_time_ms=40 + call,
            cost=model.price_per_request if code == 200 else Decimal("0"),
            ip_address="127.0.0.1",
        )
    call_record(
        log_id=uuid.uuid4(),
        model=model,
        user=user,
        developer=None if user else model.developer,
        key_prefix="amp_pk_burst",
        method="POST",
        status_code=code,
        request_size=64,
        response_size=128,
        processing_ms=3 + writer * 11 + call * 13,
        exchange=exchange,
    )
