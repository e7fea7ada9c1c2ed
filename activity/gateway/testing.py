"""Helpers for tests of the gateway: a demo upstream on a background thread, and API calls.

Kept beside the code they exercise so every test module uses the same real HTTP server.
"""

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from activity.gateway.demo_upstream import DemoUpstreamServer, serve_in_thread


@contextmanager
def running_upstream(extra_routes: dict | None = None) -> Iterator[DemoUpstreamServer]:
    server, thread = serve_in_thread(extra_routes=extra_routes)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


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
