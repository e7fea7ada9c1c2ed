"""manage.py demo_upstream: deterministic demo models over HTTP, for the demo data and the tests."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def answer(upstream, path, prompt, **parameters) -> str:
    response = httpx.post(f"{upstream.url}{path}", json={"prompt": prompt, "parameters": parameters})
    assert response.status_code == 200, response.text
    return response.json()["response"]


def test_the_summarizer_keeps_the_first_sentence(upstream):
    text = "The platform routes calls. It logs them too. And counts them."
    assert answer(upstream, "/summarize", text) == "The platform routes calls."
    assert answer(upstream, "/summarize", "one two three four five", max_words=3) == "one two three…"


def test_the_code_formatter_normalises_whitespace_and_indentation(upstream):
    code = "    def f(x):   \n\t\treturn x\n\n\n\n    print(f(1))\n\n"
    assert answer(upstream, "/format-code", code) == "def f(x):\n    return x\n\nprint(f(1))\n"


@pytest.mark.parametrize(
    "text, label",
    [
        ("I love this great tool", "positive (score +1.00; 2 positive, 0 negative words)"),
        ("What a terrible, slow and buggy mess", "negative (score -1.00; 0 positive, 3 negative words)"),
        ("It is a tool", "neutral (score +0.00; 0 positive, 0 negative words)"),
    ],
)
def test_the_sentiment_scorer_counts_words_from_its_lists(upstream, text, label):
    assert answer(upstream, "/sentiment", text) == label


def test_the_translator_knows_a_few_words_of_french_and_spanish(upstream):
    assert answer(upstream, "/translate", "Hello, my friend!", target="fr") == "Bonjour, my ami!"
    assert answer(upstream, "/translate", "Good morning", target="spanish") == "Bueno mañana"


def test_the_translator_refuses_an_unknown_language(upstream):
    response = httpx.post(f"{upstream.url}/translate", json={"prompt": "hi", "parameters": {"target": "xx"}})
    assert response.status_code == 400


def test_the_echo_model_and_the_chat_model(upstream):
    assert answer(upstream, "/echo", "same text") == "same text"
    chat = httpx.post(
        f"{upstream.url}/chat/completions",
        json={"model": "m", "messages": [{"role": "user", "content": "Good day. More words."}]},
    ).json()
    assert chat["object"] == "chat.completion"
    assert chat["choices"][0]["message"] == {"role": "assistant", "content": "You said: Good day."}


def streamed(upstream, path, body) -> tuple[httpx.Response, list[tuple[float, str]]]:
    """The answer to a streamed request and its events' data, each with when it arrived."""
    started = time.monotonic()
    events = []
    with httpx.stream("POST", f"{upstream.url}{path}", json={**body, "stream": True}) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append((time.monotonic() - started, line.removeprefix("data: ")))
    return response, events


def test_a_plain_route_streams_word_by_word_at_the_pace_asked(upstream):
    text = "The platform routes calls. It logs them."
    response, events = streamed(upstream, "/echo", {"prompt": text, "parameters": {"stream_delay_ms": 100}})

    assert response.headers["content-type"] == "text/event-stream"
    *words, done = [data for _, data in events]
    assert [json.loads(word) for word in words] == [
        {"response": piece} for piece in ["The ", "platform ", "routes ", "calls. ", "It ", "logs ", "them."]
    ]
    assert done == "[DONE]"
    # One word every 100 ms.
    assert 0.55 <= events[6][0] - events[0][0] < 2


def test_a_streamed_answer_is_the_answer_in_one_piece_cut_into_words(upstream):
    text = "    def f(x):   \n\t\treturn x\n\n\n\n    print(f(1))\n\n"
    _, events = streamed(upstream, "/format-code", {"prompt": text, "parameters": {"stream_delay_ms": 0}})

    pieces = "".join(json.loads(data)["response"] for _, data in events[:-1])
    assert pieces == answer(upstream, "/format-code", text)


def test_the_chat_route_streams_openai_chunks_with_the_usage_when_asked(upstream):
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": "Good day. More words."}],
        "stream_options": {"include_usage": True},
        "stream_delay_ms": 0,
    }
    _, events = streamed(upstream, "/chat/completions", body)

    *chunks, done = [data for _, data in events]
    chunks = [json.loads(chunk) for chunk in chunks]
    assert done == "[DONE]"
    assert {chunk["object"] for chunk in chunks} == {"chat.completion.chunk"}
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert "".join(chunk["choices"][0]["delta"].get("content", "") for chunk in chunks[:-1]) == (
        "You said: Good day."
    )
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"] == {"prompt_tokens": 4, "completion_tokens": 4, "total_tokens": 8}


def test_the_chat_route_sends_no_usage_chunk_unless_asked(upstream):
    body = {"model": "m", "messages": [{"role": "user", "content": "Hi."}], "stream_delay_ms": 0}
    _, events = streamed(upstream, "/chat/completions", body)

    assert all("usage" not in json.loads(data) for _, data in events[:-1])


def test_without_stream_the_answer_still_comes_in_one_piece(upstream):
    response = httpx.post(f"{upstream.url}/echo", json={"prompt": "a b c", "stream": False})
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"response": "a b c"}


def test_a_stream_keeps_the_connection_usable(upstream):
    with httpx.Client() as client:
        for _ in range(2):
            with client.stream(
                "POST", f"{upstream.url}/echo", json={"prompt": "a b", "stream": True}
            ) as response:
                assert response.read().endswith(b"data: [DONE]\n\n")
        assert client.post(f"{upstream.url}/echo", json={"prompt": "c"}).json() == {"response": "c"}


@pytest.mark.parametrize("delay", [-1, "fast", 10_001, True])
def test_a_stream_delay_out_of_range_is_a_400(upstream, delay):
    response = httpx.post(
        f"{upstream.url}/echo", json={"prompt": "x", "stream": True, "parameters": {"stream_delay_ms": delay}}
    )
    assert response.status_code == 400


def test_the_test_routes_fail_and_sleep_on_demand(upstream):
    assert httpx.post(f"{upstream.url}/fail", json={"prompt": "x"}).status_code == 500
    started = time.monotonic()
    assert answer(upstream, "/slow", "late", seconds=0.3) == "late"
    assert time.monotonic() - started >= 0.3


def test_bad_requests_are_400s_and_unknown_paths_404s(upstream):
    assert httpx.post(f"{upstream.url}/summarize", content=b"nope").status_code == 400
    assert httpx.post(f"{upstream.url}/summarize", json={"parameters": {}}).status_code == 400
    assert httpx.post(f"{upstream.url}/nothing", json={"prompt": "x"}).status_code == 404
    assert httpx.get(f"{upstream.url}/healthz").json()["status"] == "ok"


def test_the_answers_are_deterministic(upstream):
    text = "Some text to score. I like it."
    assert len({answer(upstream, "/sentiment", text) for _ in range(3)}) == 1


def test_the_command_serves_on_the_given_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DEBUG": "1"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "demo_upstream", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.post(f"http://127.0.0.1:{port}/echo", json={"prompt": "up"})
                break
            except httpx.ConnectError:
                assert process.poll() is None, process.stdout.read().decode()
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert response.json() == {"response": "up"}
    finally:
        process.terminate()
        process.wait(timeout=10)
