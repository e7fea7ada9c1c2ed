"""Streamed calls ("stream": true) through a live server, with upstreams on 127.0.0.1 that stream slowly,
answer in one piece, drop mid-stream and hang; the `openai` client streaming; the records and the quota
after each, and a caller who hangs up mid-stream."""

import json
import socket
import time
from decimal import Decimal
from urllib.parse import urlsplit

import httpx
import openai
import pytest

from accounts import keys
from activity.models import ApiUsageLog, DeveloperMonthlyUsage, HistoryStatus, UserHistory
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = 30


def sse_head(handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()


def send_event(handler, data: str) -> None:
    handler.wfile.write(handler.chunk(f"data: {data}\n\n".encode()))


def send_done(handler) -> None:
    handler.wfile.write(handler.chunk(b"data: [DONE]\n\n") + b"0\r\n\r\n")


def paced(handler, payload):
    """WORDS words, one every parameters.delay seconds; notes whether it finished or was cut off."""
    handler.server.received.append(payload)
    delay = payload["parameters"].get("delay", 0.1)
    sse_head(handler)
    sent = 0
    try:
        for number in range(WORDS):
            if number:
                time.sleep(delay)
            send_event(handler, json.dumps({"response": f"w{number} "}))
            sent += 1
        send_done(handler)
        handler.server.received.append({"finished": sent})
    except OSError:
        handler.close_connection = True
        handler.server.received.append({"cut_off": sent})


def stalls(handler, payload):
    """Two pieces, then nothing for two seconds (past the read timeout the tests set)."""
    sse_head(handler)
    send_event(handler, json.dumps({"response": "one "}))
    send_event(handler, json.dumps({"response": "two "}))
    time.sleep(2)
    handler.close_connection = True


def stalls_chat(handler, payload):
    sse_head(handler)
    chunk = {"choices": [{"index": 0, "delta": {"content": "Hello "}, "finish_reason": None}]}
    send_event(handler, json.dumps(chunk))
    time.sleep(2)
    handler.close_connection = True


def drops(handler, payload):
    """Two pieces, then the connection is cut without ending the chunked body."""
    sse_head(handler)
    send_event(handler, json.dumps({"response": "one "}))
    send_event(handler, json.dumps({"response": "two "}))
    handler.close_connection = True
    handler.connection.shutdown(socket.SHUT_RDWR)


def late(handler, payload):
    """Says nothing for two seconds, not even a status line."""
    time.sleep(2)
    return 200, json.dumps({"response": "too late"}).encode()


def whole(handler, payload):
    """Answers in one piece, whatever it was asked."""
    handler.server.received.append(payload)
    return 200, json.dumps({"response": "All of it at once."}).encode()


def whole_chat(handler, payload):
    handler.server.received.append(payload)
    answer = {
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "In one go."}}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6},
    }
    return 200, json.dumps(answer).encode()


UPSTREAM_ROUTES = {
    "/paced": paced,
    "/stalls": stalls,
    "/stalls/chat/completions": stalls_chat,
    "/drops": drops,
    "/late": late,
    "/whole": whole,
    "/whole/chat/completions": whole_chat,
}


@pytest.fixture(autouse=True)
def _fresh_upstream(upstream):
    upstream.received.clear()


@pytest.fixture
def chatty(dana, upstream):
    return AIModelFactory(developer=dana, api_name="chatty", endpoint_url=f"{upstream.url}/chat/completions")


@pytest.fixture
def plain(dana, upstream):
    """A plain-protocol model; tests point it at the route they need."""
    return AIModelFactory(developer=dana, api_name="plain", endpoint_url=f"{upstream.url}/paced")


@pytest.fixture
def http(live_server):
    with httpx.Client(base_url=live_server.url, timeout=20) as client:
        yield client


def stream_events(http, path: str, body: dict, key: str) -> tuple[httpx.Response, list[tuple[float, str]]]:
    """The answer and its events' data, each with the time it arrived (seconds since the call)."""
    started = time.monotonic()
    events = []
    with http.stream("POST", path, json=body, headers={"Authorization": f"Bearer {key}"}) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append((time.monotonic() - started, line.removeprefix("data: ")))
    return response, events


def invoke_stream(http, api_name: str, body: dict, key: str):
    return stream_events(http, f"/api/v1/models/{api_name}/invoke", {**body, "stream": True}, key)


def decoded(events: list[tuple[float, str]]) -> list:
    return [data if data == "[DONE]" else json.loads(data) for _, data in events]


def eventually(check, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.05)
    return result


def quota_used(developer) -> int:
    return DeveloperMonthlyUsage.objects.get(developer=developer).calls


def test_invoke_relays_the_pieces_as_the_upstream_sends_them(http, plain, alice, alice_key, dana):
    response, events = invoke_stream(
        http, "plain", {"prompt": "go", "parameters": {"delay": 0.05}}, alice_key
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-accel-buffering"] == "no"
    assert response.headers["x-ratelimit-remaining"]
    *pieces, end, done = decoded(events)
    assert [piece["response"] for piece in pieces] == [f"w{n} " for n in range(WORDS)]
    assert done == "[DONE]"
    # Relayed, not buffered: the first piece came long before the last (29 pauses of 50 ms between them).
    assert events[WORDS - 1][0] - events[0][0] > 1.0
    log = ApiUsageLog.objects.get()
    history = UserHistory.objects.get()
    assert end == {
        "id": str(log.log_id),
        "object": "invocation.end",
        "created": end["created"],
        "model": "plain",
        "session_id": history.session_id,
        "history_id": str(history.history_id),
        "latency_ms": log.processing_time_ms,
        "first_chunk_ms": log.first_chunk_ms,
        "cost": 0.01,
    }
    assert (log.response_code, log.user, log.developer) == (200, alice, None)
    assert 0 <= log.first_chunk_ms < 1000 < log.processing_time_ms
    assert log.response_size == sum(len(f"data: {data}\n\n".encode()) for _, data in events)
    assert history.status == HistoryStatus.COMPLETED
    assert history.response == "".join(f"w{n} " for n in range(WORDS))
    assert (history.first_chunk_ms, history.response_time_ms) == (log.first_chunk_ms, log.processing_time_ms)
    assert history.cost_incurred == Decimal("0.0100")
    assert quota_used(dana) == 1


def test_a_plain_upstream_is_asked_to_stream(http, plain, alice_key, upstream):
    invoke_stream(http, "plain", {"prompt": "go", "parameters": {"delay": 0}}, alice_key)

    assert upstream.received[0] == {"prompt": "go", "parameters": {"delay": 0}, "stream": True}


def test_an_upstream_answering_in_one_piece_is_sent_as_one_piece(http, plain, alice_key, upstream):
    plain.endpoint_url = f"{upstream.url}/whole"
    plain.save()

    response, events = invoke_stream(http, "plain", {"prompt": "hi"}, alice_key)

    pieces, end, done = decoded(events)
    assert pieces == {"response": "All of it at once."}
    assert (end["object"], done) == ("invocation.end", "[DONE]")
    assert UserHistory.objects.get().response == "All of it at once."
    assert upstream.received[0]["stream"] is True


def test_the_demo_upstream_streams_word_by_word(http, plain, alice_key, upstream):
    plain.endpoint_url = f"{upstream.url}/echo"
    plain.save()

    _, events = invoke_stream(
        http, "plain", {"prompt": "one two three", "parameters": {"stream_delay_ms": 0}}, alice_key
    )

    assert [event["response"] for event in decoded(events)[:-2]] == ["one ", "two ", "three"]


def test_a_model_keys_stream_costs_nothing_and_leaves_no_history(http, dana, upstream, model_key):
    AIModelFactory(developer=dana, api_name="own", endpoint_url=f"{upstream.url}/paced", key=model_key)

    _, events = invoke_stream(http, "own", {"prompt": "go", "parameters": {"delay": 0}}, model_key)

    end = decoded(events)[-2]
    assert (end["cost"], end["history_id"]) == (0.0, None)
    log = ApiUsageLog.objects.get()
    assert (log.response_code, log.developer, log.user) == (200, dana, None)
    assert log.first_chunk_ms is not None
    assert not UserHistory.objects.exists()


def test_an_upstream_that_stalls_between_pieces_ends_the_stream_with_a_timeout_event(
    http, plain, alice_key, upstream, settings, dana
):
    settings.UPSTREAM_READ_TIMEOUT = 0.5
    plain.endpoint_url = f"{upstream.url}/stalls"
    plain.save()

    response, events = invoke_stream(http, "plain", {"prompt": "hi"}, alice_key)

    assert response.status_code == 200
    first, second, failure = decoded(events)  # no [DONE]
    assert (first, second) == ({"response": "one "}, {"response": "two "})
    assert failure["error"]["code"] == "upstream_timeout"
    assert 500 <= failure["latency_ms"] < 2000
    log = ApiUsageLog.objects.get()
    history = UserHistory.objects.get()
    assert failure["id"] == str(log.log_id)
    assert failure["history_id"] == str(history.history_id)
    assert log.response_code == 504
    assert (history.status, history.response, history.cost_incurred) == (
        HistoryStatus.TIMEOUT,
        "one two ",
        Decimal("0"),
    )
    assert quota_used(dana) == 1


def test_an_upstream_that_drops_mid_stream_ends_it_with_an_error_event(http, plain, alice_key, upstream):
    plain.endpoint_url = f"{upstream.url}/drops"
    plain.save()

    _, events = invoke_stream(http, "plain", {"prompt": "hi"}, alice_key)

    *pieces, failure = decoded(events)
    assert pieces == [{"response": "one "}, {"response": "two "}]
    assert failure["error"]["code"] == "upstream_unreachable"
    assert ApiUsageLog.objects.get().response_code == 502
    history = UserHistory.objects.get()
    assert (history.status, history.response) == (HistoryStatus.FAILED, "one two ")


def test_an_upstream_silent_before_its_answer_is_a_plain_json_504(http, plain, alice_key, upstream, settings):
    settings.UPSTREAM_READ_TIMEOUT = 0.5
    plain.endpoint_url = f"{upstream.url}/late"
    plain.save()

    response = http.post(
        "/api/v1/models/plain/invoke",
        json={"prompt": "hi", "stream": True},
        headers={"Authorization": f"Bearer {alice_key}"},
    )

    assert response.status_code == 504
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == "upstream_timeout"
    assert UserHistory.objects.get().status == HistoryStatus.TIMEOUT
    assert ApiUsageLog.objects.get().first_chunk_ms is None


def test_an_upstream_error_status_is_a_plain_json_502(http, plain, alice_key, upstream, dana):
    plain.endpoint_url = f"{upstream.url}/fail"
    plain.save()

    response = http.post(
        "/api/v1/models/plain/invoke",
        json={"prompt": "hi", "stream": True},
        headers={"Authorization": f"Bearer {alice_key}"},
    )

    assert (response.status_code, response.json()["error"]["code"]) == (502, "upstream_error")
    assert UserHistory.objects.get().status == HistoryStatus.FAILED
    assert quota_used(dana) == 1


def test_refusals_before_the_stream_are_plain_json_errors_that_do_not_count(http, plain, alice_key, dana):
    def call(body, key=alice_key, name="plain"):
        return http.post(
            f"/api/v1/models/{name}/invoke", json=body, headers={"Authorization": f"Bearer {key}"}
        )

    assert call({"prompt": "hi", "stream": True}, key=keys.generate_personal_key()).status_code == 401
    assert call({"prompt": "hi", "stream": True}, name="nothing-here").status_code == 404
    assert call({"prompt": "hi", "stream": "please"}).json()["error"]["code"] == "invalid_request"
    dana.api_quota = 0
    dana.save()
    refused = call({"prompt": "hi", "stream": True})
    assert (refused.status_code, refused.headers["content-type"]) == (429, "application/json")
    assert not DeveloperMonthlyUsage.objects.filter(calls__gt=0).exists()
    assert not UserHistory.objects.exists()


def stream_and_hang_up(url: str, body: dict, key: str, events: int) -> bytes:
    """POST over a raw socket, read until `events` events came, then drop the connection."""
    parts = urlsplit(url)
    payload = json.dumps(body).encode()
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    received = b""
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(head.encode() + payload)
        while received.count(b"data: ") < events:
            chunk = sock.recv(4096)
            assert chunk, received
            received += chunk
    return received


def test_a_caller_who_hangs_up_mid_stream_cancels_the_upstream_call(
    live_server, plain, alice_key, upstream, dana
):
    received = stream_and_hang_up(
        f"{live_server.url}/api/v1/models/plain/invoke",
        {"prompt": "go", "stream": True, "parameters": {"delay": 0.1}},
        alice_key,
        events=3,
    )

    assert b"200 OK" in received.split(b"\r\n", 1)[0]
    # The gateway notices at its next writes, and closes the upstream connection at once: the upstream's
    # own next writes fail, long before its thirty words are out.
    outcome = eventually(
        lambda: [entry for entry in upstream.received if "cut_off" in entry or "finished" in entry]
    )
    assert outcome[0]["cut_off"] < 12
    history = eventually(lambda: UserHistory.objects.first())
    assert history.status == HistoryStatus.CANCELLED
    assert history.response.startswith("w0 w1 w2 ")
    assert len(history.response.split()) < 12
    assert history.cost_incurred == Decimal("0")
    assert history.first_chunk_ms is not None
    log = ApiUsageLog.objects.get()
    assert log.response_code == 200
    assert log.processing_time_ms == history.response_time_ms
    assert quota_used(dana) == 1


def test_the_openai_client_streams_a_chat_completion_with_usage(
    openai_client, chatty, alice, alice_key, dana
):
    client = openai_client(alice_key)

    stream = client.chat.completions.create(
        model="chatty",
        messages=[{"role": "user", "content": "Streaming works. It really does."}],
        stream=True,
        stream_options={"include_usage": True},
        extra_body={"stream_delay_ms": 20},
    )
    chunks = list(stream)

    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == "You said: Streaming works."
    # Word by word: "You ", "said: ", "Streaming ", "works."
    assert len([chunk for chunk in chunks if chunk.choices and chunk.choices[0].delta.content]) == 4
    finish = [chunk.choices[0].finish_reason for chunk in chunks if chunk.choices]
    assert finish[-1] == "stop" and set(finish[:-1]) == {None}
    usage = chunks[-1].usage
    assert chunks[-1].choices == []
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (5, 4, 9)
    assert usage.model_extra["cost"] == 0.01
    log = ApiUsageLog.objects.get()
    history = UserHistory.objects.get()
    assert {chunk.id for chunk in chunks} == {f"chatcmpl-{log.log_id.hex}"}
    assert chunks[-1].model_extra["history_id"] == str(history.history_id)
    assert (history.user, history.status, history.response) == (alice, HistoryStatus.COMPLETED, text)
    assert history.prompt == "Streaming works. It really does."
    assert history.first_chunk_ms is not None and log.first_chunk_ms == history.first_chunk_ms
    assert quota_used(dana) == 1


def test_the_openai_client_streams_without_a_usage_chunk_unless_asked(openai_client, chatty, alice_key):
    chunks = list(
        openai_client(alice_key).chat.completions.create(
            model="chatty",
            messages=[{"role": "user", "content": "Hi"}],
            stream=True,
            extra_body={"stream_delay_ms": 0},
        )
    )

    assert all(chunk.usage is None for chunk in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["session_id"] == UserHistory.objects.get().session_id


def test_a_chat_upstream_is_asked_to_stream_and_may_answer_in_one_piece(http, dana, upstream, alice_key):
    AIModelFactory(
        developer=dana, api_name="whole-chat", endpoint_url=f"{upstream.url}/whole/chat/completions"
    )

    _, events = stream_events(
        http,
        "/api/v1/chat/completions",
        {
            "model": "whole-chat",
            "messages": [{"role": "user", "content": "Hi"}],
            "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": 0.5,
        },
        alice_key,
    )

    role, content, finish, usage, done = decoded(events)
    assert role["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert content["choices"][0]["delta"] == {"content": "In one go."}
    assert finish["choices"][0]["finish_reason"] == "stop"
    assert usage["usage"] == {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6, "cost": 0.01}
    assert done == "[DONE]"
    assert upstream.received == [
        {
            "model": "whole-chat",
            "messages": [{"role": "user", "content": "Hi"}],
            "temperature": 0.5,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
    ]


def test_a_chat_stream_to_a_plain_upstream_relays_its_pieces_as_chunks(
    openai_client, plain, upstream, alice_key
):
    plain.endpoint_url = f"{upstream.url}/echo"
    plain.save()

    chunks = list(
        openai_client(alice_key).chat.completions.create(
            model="plain", messages=[{"role": "user", "content": "Hello there"}], stream=True
        )
    )

    assert [chunk.choices[0].delta.content for chunk in chunks] == ["", "Hello ", "there", None]
    assert UserHistory.objects.get().response == "Hello there"


def test_the_openai_client_raises_the_error_event_of_a_stalled_chat_stream(
    openai_client, dana, upstream, alice_key, settings
):
    settings.UPSTREAM_READ_TIMEOUT = 0.5
    AIModelFactory(developer=dana, api_name="stalls", endpoint_url=f"{upstream.url}/stalls/chat/completions")
    stream = openai_client(alice_key).chat.completions.create(
        model="stalls", messages=[{"role": "user", "content": "Hi"}], stream=True
    )

    received = []
    with pytest.raises(openai.APIError) as caught:
        for chunk in stream:
            received.append(chunk.choices[0].delta.content)

    assert received == ["", "Hello "]
    assert caught.value.code == "upstream_timeout"
    history = UserHistory.objects.get()
    assert (history.status, history.response) == (HistoryStatus.TIMEOUT, "Hello ")
    assert ApiUsageLog.objects.get().response_code == 504


def test_the_openai_client_gets_a_plain_error_before_a_stream_begins(openai_client, chatty):
    client = openai_client(keys.generate_personal_key())

    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(
            model="chatty", messages=[{"role": "user", "content": "hi"}], stream=True
        )

    assert caught.value.code == "invalid_key"
