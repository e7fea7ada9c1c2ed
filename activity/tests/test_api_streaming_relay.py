"""The streamed call's parts below the API, against real upstreams on 127.0.0.1: the upstream client's
event reader (activity.gateway.upstream.stream_upstream), and the relay as the playground uses it
(activity.gateway.pipeline.run with the playground's caller)."""

import json
import time
from decimal import Decimal

import pytest

from activity.gateway import pipeline
from activity.gateway import upstream as upstream_client
from activity.gateway.auth import playground_caller
from activity.gateway.errors import GatewayError
from activity.gateway.pipeline import CallInput, Origin
from activity.gateway.streaming import StreamEnd
from activity.gateway.upstream import stream_upstream
from activity.models import ApiUsageLog, DeveloperMonthlyUsage, HistoryStatus, UserHistory
from catalog.tests.factories import AIModelFactory


def raw_events(body: bytes, content_type: str = "text/event-stream"):
    def route(handler, payload):
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        handler.wfile.write(handler.chunk(body) + b"0\r\n\r\n")

    return route


def port(handler, payload):
    """Streams the client's port: one port per connection the gateway opened."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    event = json.dumps({"response": str(handler.client_address[1])})
    handler.wfile.write(handler.chunk(f"data: {event}\n\ndata: [DONE]\n\n".encode()) + b"0\r\n\r\n")


def flood(handler, payload):
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    try:
        for _ in range(1000):
            handler.wfile.write(handler.chunk(b'data: {"response": "' + b"x" * 1000 + b'"}\n\n'))
    except OSError:
        handler.close_connection = True


UPSTREAM_ROUTES = {
    "/crlf": raw_events(
        b': a comment\r\n\r\ndata: {"response": "a"}\r\n\r\nevent: message\r\ndata: {"response":\r\n'
        b'data: "b"}\r\n\r\ndata: [DONE]\r\n\r\n'
    ),
    "/error-event": raw_events(b'data: {"response": "a"}\n\ndata: {"error": {"message": "boom"}}\n\n'),
    "/no-done": raw_events(b'data: {"response": "a"}\n\n'),
    "/not-protocol": raw_events(b'data: {"text": "a"}\n\ndata: [DONE]\n\n'),
    "/chat-no-done/chat/completions": raw_events(
        b'data: {"choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": null}]}\n\n'
        b'data: {"choices": [{"index": 0, "delta": {}, "finish_reason": "length"}]}\n\n'
    ),
    "/port": port,
    "/flood": flood,
}


@pytest.fixture(autouse=True)
def _quick_timeouts(settings):
    settings.UPSTREAM_READ_TIMEOUT = 1.0
    settings.UPSTREAM_MAX_RESPONSE_BYTES = 100_000


def pieces(url: str, **parameters) -> list[str]:
    stream = stream_upstream(
        endpoint_url=url, model_name="demo", prompt="Hello world. Bye.", parameters=parameters
    )
    try:
        return list(stream.pieces())
    finally:
        stream.close()


def failure(url: str) -> GatewayError:
    with pytest.raises(GatewayError) as caught:
        pieces(url)
    return caught.value


def test_it_reads_events_with_crlf_comments_and_data_over_several_lines(upstream):
    assert pieces(f"{upstream.url}/crlf") == ["a", "b"]


def test_it_reads_the_demo_upstreams_words(upstream):
    assert pieces(f"{upstream.url}/echo", stream_delay_ms=0) == ["Hello ", "world. ", "Bye."]


def test_it_reads_chat_chunks_and_the_usage(upstream):
    stream = stream_upstream(
        endpoint_url=f"{upstream.url}/chat/completions",
        model_name="demo",
        prompt="Hi there. More.",
        parameters={"stream_delay_ms": 0},
    )
    try:
        assert "".join(stream.pieces()) == "You said: Hi there."
    finally:
        stream.close()
    assert stream.usage == {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}
    assert stream.finish_reason == "stop"


def test_a_chat_stream_ending_after_its_finish_reason_without_done_is_complete(upstream):
    assert pieces(f"{upstream.url}/chat-no-done/chat/completions") == ["hi"]


@pytest.mark.parametrize(
    "path, status, code",
    [
        ("/error-event", 502, "upstream_error"),
        ("/no-done", 502, "upstream_unreachable"),
        ("/not-protocol", 502, "upstream_invalid_response"),
        ("/flood", 502, "upstream_response_too_large"),
    ],
)
def test_a_stream_outside_the_protocol_is_an_error(upstream, path, status, code):
    error = failure(f"{upstream.url}{path}")
    assert (error.status, error.code) == (status, code)


def test_an_upstream_error_message_is_not_passed_on(upstream):
    assert "boom" not in failure(f"{upstream.url}/error-event").message


def test_a_stream_to_a_private_address_is_refused_before_anything_is_sent(upstream, settings, monkeypatch):
    settings.UPSTREAM_PRIVATE_NETWORKS = False
    monkeypatch.setattr(upstream_client, "_pool", None)  # no connection kept from an earlier test

    with pytest.raises(GatewayError) as caught:
        stream_upstream(endpoint_url=f"{upstream.url}/echo", model_name="demo", prompt="hi", parameters={})

    assert caught.value.message == upstream_client.PRIVATE_ADDRESS_MESSAGE


def test_a_finished_stream_gives_its_connection_back_to_the_pool(upstream):
    assert pieces(f"{upstream.url}/port") == pieces(f"{upstream.url}/port")


def playground_stream(*, user, model, prompt, session_id, ip, request_size, parameters=None):
    """A streamed playground call through the pipeline, recorded as the playground view records it."""
    outcome = pipeline.run(
        caller=playground_caller(user=user),
        model=model,
        read=lambda: CallInput(
            prompt=prompt, parameters=parameters or {}, session_id=session_id, stream=True
        ),
        origin=Origin(ip=ip, request_size=request_size, size_of_text=True),
    )
    if outcome.relay is None:
        outcome.record(response_size=0)
    return outcome


@pytest.fixture
def echo(dana, upstream):
    return AIModelFactory(developer=dana, api_name="echo", endpoint_url=f"{upstream.url}/echo")


def test_the_playground_streams_and_records_when_the_stream_ends(db, alice, echo, dana):
    started = playground_stream(
        user=alice,
        model=echo,
        prompt="one two three",
        session_id="s1",
        ip="127.0.0.1",
        request_size=10,
        parameters={"stream_delay_ms": 50},
    )

    assert started.error is None
    items = []
    arrived = []
    for item in started.relay:
        items.append(item)
        arrived.append(time.monotonic())
        if isinstance(item, StreamEnd):
            assert not UserHistory.objects.exists()  # recorded once the end has been taken
    started.relay.close()

    *texts, end = items
    assert texts == ["one ", "two ", "three"]
    assert arrived[2] - arrived[0] >= 0.09
    assert (end.status, end.text, end.cost, end.error) == (
        HistoryStatus.COMPLETED,
        "one two three",
        Decimal("0.0100"),
        None,
    )
    history = UserHistory.objects.get()
    assert (history.history_id, history.session_id, history.prompt, history.response) == (
        started.history_id,
        "s1",
        "one two three",
        "one two three",
    )
    assert history.first_chunk_ms == end.first_chunk_ms <= end.processing_ms == history.response_time_ms
    log = ApiUsageLog.objects.get()
    assert (log.response_code, log.user, log.response_size) == (200, alice, len("one two three"))
    assert DeveloperMonthlyUsage.objects.get(developer=dana).calls == 1


def test_a_playground_stream_stopped_early_is_cancelled_and_not_charged(db, alice, echo):
    started = playground_stream(
        user=alice,
        model=echo,
        prompt="one two three four five",
        session_id=None,
        ip=None,
        request_size=10,
        parameters={"stream_delay_ms": 50},
    )

    assert next(started.relay) == "one "
    started.relay.close()

    history = UserHistory.objects.get()
    assert (history.status, history.response, history.cost_incurred) == (
        HistoryStatus.CANCELLED,
        "one ",
        Decimal("0"),
    )
    assert history.session_id == started.session_id
    assert ApiUsageLog.objects.get().response_code == 200


def test_a_playground_stream_closed_before_it_began_is_cancelled(db, alice, echo):
    started = playground_stream(user=alice, model=echo, prompt="hi", session_id=None, ip=None, request_size=2)

    started.relay.close()
    started.relay.close()

    history = UserHistory.objects.get()
    assert (history.status, history.response, history.first_chunk_ms) == (HistoryStatus.CANCELLED, "", None)


def test_a_refused_playground_stream_says_why_and_is_logged(db, alice, echo, dana):
    dana.api_quota = 0
    dana.save()

    started = playground_stream(user=alice, model=echo, prompt="hi", session_id=None, ip=None, request_size=2)

    assert started.relay is None
    assert (started.status_code, started.error.code) == (429, "quota_exceeded")
    assert ApiUsageLog.objects.get().response_code == 429
    assert not UserHistory.objects.exists()


def test_the_openapi_document_describes_both_streamed_answers(client, db):
    document = client.get("/api/v1/openapi.json").json()

    for path, events in [
        ("/api/v1/models/{api_name}/invoke", {"InvokeStreamPiece", "InvokeStreamEnd", "InvokeStreamError"}),
        ("/api/v1/chat/completions", {"ChatCompletionChunk"}),
    ]:
        answer = document["paths"][path]["post"]["responses"]["200"]
        assert "application/json" in answer["content"]
        stream = answer["content"]["text/event-stream"]
        assert {ref["$ref"].rsplit("/", 1)[1] for ref in stream["x-events"]} == events
        assert events <= set(document["components"]["schemas"])
    chat_in = document["components"]["schemas"]["ChatIn"]["properties"]
    assert {"stream", "stream_options"} <= set(chat_in)
