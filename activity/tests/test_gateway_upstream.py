"""activity.gateway.upstream: the HTTP client that forwards calls, against real servers on 127.0.0.1."""

import json
import socket
import threading
import time

import pytest

from activity.gateway.errors import GatewayError
from activity.gateway.upstream import build_payload, call_upstream, get_client, is_chat_endpoint
from activity.tests.helpers import drip_answer, refused_url


def dripping(handler, payload):
    """Sends a valid answer one byte at a time, slowly: each read is quick, the whole is not."""
    drip_answer(handler, "x" * 40)
    handler.close_connection = True


def chunked_flood(handler, payload):
    """An answer with no Content-Length that never ends: the cap must stop it while streaming."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    try:
        for _ in range(10_000):
            chunk = b"x" * 1024
            handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
    except OSError:
        pass
    handler.close_connection = True


def hang_up(handler, payload):
    handler.close_connection = True
    handler.connection.shutdown(socket.SHUT_RDWR)


def record_port(handler, payload):
    return 200, json.dumps({"response": str(handler.client_address[1])}).encode()


UPSTREAM_ROUTES = {"/drip": dripping, "/flood": chunked_flood, "/hang-up": hang_up, "/port": record_port}


@pytest.fixture(autouse=True)
def _quick_timeouts(settings):
    settings.UPSTREAM_CONNECT_TIMEOUT = 1.0
    settings.UPSTREAM_READ_TIMEOUT = 1.0
    settings.UPSTREAM_MAX_RESPONSE_BYTES = 100_000


def forward(url, prompt="Hello world. Bye.", parameters=None, messages=None):
    return call_upstream(
        endpoint_url=url, model_name="demo", prompt=prompt, parameters=parameters or {}, messages=messages
    )


def failure(url, **kwargs) -> GatewayError:
    with pytest.raises(GatewayError) as caught:
        forward(url, **kwargs)
    return caught.value


def test_it_speaks_the_prompt_protocol(upstream):
    assert forward(f"{upstream.url}/summarize").text == "Hello world."


def test_it_speaks_the_chat_protocol_when_the_url_ends_in_chat_completions(upstream):
    answer = forward(
        f"{upstream.url}/chat/completions", messages=[{"role": "user", "content": "Hi there. Yes."}]
    )

    assert answer.text == "You said: Hi there."
    assert answer.usage == {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}


def test_the_payloads_follow_the_protocol():
    assert build_payload(
        endpoint_url="http://u/x", model_name="m", prompt="p", parameters={"a": 1}, messages=None
    ) == {"prompt": "p", "parameters": {"a": 1}}
    assert build_payload(
        endpoint_url="http://u/v1/chat/completions/",
        model_name="m",
        prompt="p",
        parameters={"stream": True},
        messages=None,
    ) == {"model": "m", "messages": [{"role": "user", "content": "p"}], "stream": False}
    assert is_chat_endpoint("http://u/chat/completions")
    assert not is_chat_endpoint("http://u/chat/completions-like")


def test_an_error_status_is_a_502(upstream):
    error = failure(f"{upstream.url}/fail")
    assert (error.status, error.code) == (502, "upstream_error")


def test_a_refused_connection_is_a_502():
    error = failure(refused_url())
    assert (error.status, error.code) == (502, "upstream_unreachable")


def test_a_dropped_connection_is_a_502(upstream):
    error = failure(f"{upstream.url}/hang-up")
    assert (error.status, error.code) == (502, "upstream_unreachable")


def test_a_read_timeout_is_a_504(upstream, settings):
    settings.UPSTREAM_READ_TIMEOUT = 0.2
    started = time.monotonic()

    error = failure(f"{upstream.url}/slow", parameters={"seconds": 1})

    assert (error.status, error.code) == (504, "upstream_timeout")
    assert time.monotonic() - started < 0.9


def test_an_answer_that_drips_past_the_deadline_is_a_504(upstream, settings):
    settings.UPSTREAM_CONNECT_TIMEOUT = 0.2
    settings.UPSTREAM_READ_TIMEOUT = 0.5

    error = failure(f"{upstream.url}/drip")

    assert error.code == "upstream_timeout"


def test_a_connect_timeout_is_a_504(settings):
    settings.UPSTREAM_CONNECT_TIMEOUT = 0.2
    # A listening socket whose backlog is full and never accepted: the handshake never completes.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(8):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        error = failure(f"http://127.0.0.1:{port}/x")
    finally:
        for filler in fillers:
            filler.close()
        listener.close()

    assert (error.status, error.code) == (504, "upstream_timeout")


def test_an_answer_over_the_cap_is_stopped_while_streaming(upstream, settings):
    settings.UPSTREAM_MAX_RESPONSE_BYTES = 50_000
    started = time.monotonic()

    error = failure(f"{upstream.url}/flood")

    assert (error.status, error.code) == (502, "upstream_response_too_large")
    assert time.monotonic() - started < 2


def test_an_answer_declaring_a_length_over_the_cap_is_refused(upstream, settings):
    settings.UPSTREAM_MAX_RESPONSE_BYTES = 20

    assert failure(f"{upstream.url}/echo", prompt="y" * 50).code == "upstream_response_too_large"


def test_the_client_is_shared_and_keeps_connections_alive(upstream):
    first = forward(f"{upstream.url}/port").text
    second = forward(f"{upstream.url}/port").text

    assert get_client() is get_client()
    assert first == second  # the same client-side port: one pooled connection


def test_the_client_is_safe_to_share_between_threads(upstream):
    answers = []

    def work(number):
        answers.append(forward(f"{upstream.url}/echo", prompt=f"n{number}").text)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == sorted(f"n{n}" for n in range(16))
