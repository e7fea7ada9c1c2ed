"""Calling a model's upstream over HTTP.

Protocol: ``POST <endpoint_url>`` with ``{"prompt": "...", "parameters": {...}}`` answered by
``{"response": "..."}``; when the URL ends in ``/chat/completions`` both sides take the OpenAI
chat-completion shape instead. One httpx.Client per process keeps connections to upstreams alive.
"""

import json
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from activity.gateway.errors import error

CHAT_SUFFIX = "/chat/completions"
USER_AGENT = "ai-model-platform-gateway/1"

_client: httpx.Client | None = None
_client_pid: int | None = None
_client_lock = threading.Lock()


def get_client() -> httpx.Client:
    """The process's shared client (httpx.Client is safe to share between threads); a new one after fork."""
    global _client, _client_pid
    if _client is None or _client_pid != os.getpid():
        with _client_lock:
            if _client is None or _client_pid != os.getpid():
                _client = httpx.Client(
                    limits=httpx.Limits(
                        max_connections=200, max_keepalive_connections=64, keepalive_expiry=30
                    ),
                    headers={"User-Agent": USER_AGENT},
                    follow_redirects=False,
                    # Upstreams are called directly: no proxy or netrc from the environment.
                    trust_env=False,
                )
                _client_pid = os.getpid()
    return _client


def is_chat_endpoint(endpoint_url: str) -> bool:
    return endpoint_url.rstrip("/").endswith(CHAT_SUFFIX)


@dataclass(frozen=True)
class UpstreamAnswer:
    text: str
    usage: dict[str, Any] | None = None


def build_payload(
    *, endpoint_url: str, model_name: str, prompt: str, parameters: dict, messages: list[dict] | None
) -> dict:
    if not is_chat_endpoint(endpoint_url):
        return {"prompt": prompt, "parameters": parameters}
    extra = {key: value for key, value in parameters.items() if key not in {"model", "messages", "stream"}}
    return {
        "model": model_name,
        "messages": messages if messages else [{"role": "user", "content": prompt}],
        **extra,
        "stream": False,
    }


def _storable(text: str) -> str:
    """The answer without U+0000, which PostgreSQL text cannot hold (the history keeps every answer)."""
    return text.replace("\x00", "")


def parse_answer(*, endpoint_url: str, body: bytes) -> UpstreamAnswer:
    invalid = error("upstream_invalid_response")
    try:
        data = json.loads(body)
    except ValueError:
        raise invalid from None
    if not isinstance(data, dict):
        raise invalid
    if not is_chat_endpoint(endpoint_url):
        text = data.get("response")
        if not isinstance(text, str):
            raise invalid
        return UpstreamAnswer(text=_storable(text))
    try:
        text = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise invalid from None
    if not isinstance(text, str):
        raise invalid
    usage = data.get("usage")
    return UpstreamAnswer(text=_storable(text), usage=usage if isinstance(usage, dict) else None)


def call_upstream(
    *, endpoint_url: str, model_name: str, prompt: str, parameters: dict, messages: list[dict] | None = None
) -> UpstreamAnswer:
    """Forward one call; raise a 502/504 GatewayError when the upstream fails, is late or breaks protocol."""
    payload = build_payload(
        endpoint_url=endpoint_url,
        model_name=model_name,
        prompt=prompt,
        parameters=parameters,
        messages=messages,
    )
    connect, read = settings.UPSTREAM_CONNECT_TIMEOUT, settings.UPSTREAM_READ_TIMEOUT
    cap = settings.UPSTREAM_MAX_RESPONSE_BYTES
    # The read timeout bounds each wait for bytes; the deadline also stops an upstream that drips slowly.
    deadline = time.monotonic() + connect + read
    timeout = httpx.Timeout(connect=connect, read=read, write=read, pool=connect)
    try:
        with get_client().stream("POST", endpoint_url, json=payload, timeout=timeout) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise error("upstream_response_too_large")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > cap:
                    raise error("upstream_response_too_large")
                if time.monotonic() > deadline:
                    raise error("upstream_timeout")
            status = response.status_code
    except httpx.TimeoutException:
        raise error("upstream_timeout") from None
    except (httpx.HTTPError, httpx.InvalidURL):
        raise error("upstream_unreachable") from None
    if not 200 <= status < 300:
        raise error("upstream_error", f"The model's upstream answered HTTP {status}.")
    return parse_answer(endpoint_url=endpoint_url, body=bytes(body))
