"""The web process as the Procfile starts it: gunicorn with uvicorn workers over the ASGI application.

Each test starts the Procfile's `web:` command on a free port against this test's database, with one worker
process, and talks to it over real sockets:
- a hung upstream holds no worker: with 200 calls waiting on an upstream that never answers, /healthz and a
  page still answer within 100 ms, and every one of the 200 is logged when the upstream lets go;
- keep-alive: an API client's calls share one connection; the official openai client streams, and so does
  the playground, piece by piece;
- a clean stop (SIGTERM) lets calls in flight finish or, past the grace period, ends open streams as
  cancelled: every call answered 200 has its usage row.
"""

import json
import signal
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from accounts import keys
from activity.models import ApiUsageLog, DeveloperMonthlyUsage, HistoryStatus, UserHistory
from catalog.tests.factories import AIModelFactory
from tests.processes import database_url, web_server

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(settings.BASE_DIR)
VENV_BIN = Path(sys.executable).parent


def slow_answer(handler, payload) -> tuple[int, bytes]:
    time.sleep(float(payload.get("parameters", {}).get("seconds", 1)))
    return 200, json.dumps({"response": "late but whole"}).encode()


UPSTREAM_ROUTES = {"/sleepy": slow_answer}


class HungUpstream:
    """An upstream that reads each call and never answers, until release() closes every connection."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=512)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.calls = 0
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.released = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.released.is_set():
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.sockets.append(sock)
            threading.Thread(target=self._hold, args=(sock,), daemon=True).start()

    def _hold(self, sock: socket.socket) -> None:
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            if not chunk:
                return
            received += chunk
        with self.lock:
            self.calls += 1

    def release(self) -> None:
        self.released.set()
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                sock.close()


def raw_call(port: int, path: str, body: dict, key: str) -> socket.socket:
    """Send one API call on a socket of its own, and leave its answer to be read later."""
    data = json.dumps(body).encode()
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n".encode()
        + data
    )
    return sock


def read_answer(sock: socket.socket, timeout: float = 60) -> bytes:
    sock.settimeout(timeout)
    answer = b""
    while chunk := sock.recv(65536):
        answer += chunk
        if b"\r\n\r\n" in answer:  # an answer with a Content-Length ends there (the connection stays open)
            head, _, rest = answer.partition(b"\r\n\r\n")
            length = [line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
            if length and len(rest) >= int(length[0].split(b":")[1]):
                break
    sock.close()
    return answer


def test_two_hundred_calls_to_a_hung_upstream_hold_no_worker(tmp_path, dana, model_key):
    hung = HungUpstream()
    AIModelFactory(developer=dana, api_name="hung", endpoint_url=f"{hung.url}/echo", key=model_key)
    with web_server(tmp_path, UPSTREAM_READ_TIMEOUT="60") as server:
        warm = [server.get(path)[0] for path in ("/healthz", "/models/")]  # templates compiled, pool open
        calls = [
            raw_call(server.port, "/api/v1/models/hung/invoke", {"prompt": f"call {n}"}, model_key)
            for n in range(200)
        ]
        deadline = time.monotonic() + 60
        while hung.calls < 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert hung.calls == 200, f"{hung.calls} of 200 calls reached the upstream"

        pages = [server.get(path) for _ in range(10) for path in ("/healthz", "/models/")]

        hung.release()
        answers = [read_answer(sock) for sock in calls]

    assert warm == [200, 200]
    assert {status for status, _ in pages} == {200}
    times = sorted(ms for _, ms in pages)
    # Every poll answered within 100 ms but for one at most, which a shared machine's scheduler may delay;
    # with a worker held by the waiting calls, none would answer at all.
    assert times[-2] < 100 and times[-1] < 1000, (
        f"pages answered in {times} ms with 200 calls waiting upstream"
    )
    assert all(answer.startswith(b"HTTP/1.1 502") for answer in answers), answers[0][:200]
    assert ApiUsageLog.objects.filter(model__api_name="hung", response_code=502).count() == 200


def test_an_api_clients_calls_share_one_kept_alive_connection(tmp_path, dana, upstream, model_key):
    AIModelFactory(developer=dana, api_name="echo", endpoint_url=f"{upstream.url}/echo", key=model_key)
    with web_server(tmp_path) as server:
        conn = server.connection()
        sockets, answers = [], []
        for n in range(3):
            conn.request(
                "POST",
                "/api/v1/models/echo/invoke",
                body=json.dumps({"prompt": f"call {n}"}),
                headers={"Authorization": f"Bearer {model_key}", "Content-Type": "application/json"},
            )
            response = conn.getresponse()
            answers.append((response.status, response.getheader("Connection"), json.loads(response.read())))
            sockets.append(conn.sock)
        conn.close()

    assert [status for status, _, _ in answers] == [200, 200, 200]
    assert [connection for _, connection, _ in answers] == [None, None, None]  # no "close"
    assert [body["response"] for _, _, body in answers] == ["call 0", "call 1", "call 2"]
    assert sockets[0] is not None and sockets.count(sockets[0]) == 3


def read_until_end(sock: socket.socket, into: dict, name: str) -> None:
    sock.settimeout(60)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except OSError:
        pass
    into[name] = data


def test_a_clean_stop_records_every_call_it_answered(tmp_path, dana, upstream, model_key):
    AIModelFactory(developer=dana, api_name="paced", endpoint_url=f"{upstream.url}/echo", key=model_key)
    sleepy_key = keys.generate_model_key()
    AIModelFactory(developer=dana, api_name="sleepy", endpoint_url=f"{upstream.url}/sleepy", key=sleepy_key)
    words = " ".join(f"w{n}" for n in range(30))
    path = "/api/v1/models/paced/invoke"
    with web_server(tmp_path, GRACEFUL_SECONDS="3") as server:
        calls = {
            # 30 words a second apart: still streaming when the grace period ends.
            **{
                f"long-{n}": raw_call(
                    server.port,
                    path,
                    {"prompt": words, "stream": True, "parameters": {"stream_delay_ms": 1000}},
                    model_key,
                )
                for n in range(4)
            },
            # 30 words 40 ms apart: done well within it.
            **{
                f"short-{n}": raw_call(
                    server.port,
                    path,
                    {"prompt": words, "stream": True, "parameters": {"stream_delay_ms": 40}},
                    model_key,
                )
                for n in range(2)
            },
        }
        for sock in calls.values():  # every stream has begun: its status line came
            sock.settimeout(10)
            assert sock.recv(12) == b"HTTP/1.1 200"
        # Two calls answered in one piece, 2 s after they are sent: in flight when the stop begins.
        calls.update(
            {
                f"sleepy-{n}": raw_call(
                    server.port,
                    "/api/v1/models/sleepy/invoke",
                    {"prompt": "take your time", "parameters": {"seconds": 2}},
                    sleepy_key,
                )
                for n in range(2)
            }
        )
        time.sleep(0.5)
        answers: dict[str, bytes] = {}
        readers = [
            threading.Thread(target=read_until_end, args=(sock, answers, name))
            for name, sock in calls.items()
        ]
        for reader in readers:
            reader.start()

        stopped = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=60)
        stop_seconds = time.monotonic() - stopped
        for reader in readers:
            reader.join(timeout=10)
        log = server.log.read_text()

    assert server.process.returncode == 0, log[-3000:]
    assert stop_seconds < 3 + 5, f"the stop took {stop_seconds:.1f} s"
    short = [answers[f"short-{n}"] for n in range(2)]
    assert all(b"data: [DONE]" in answer for answer in short), short[0][-500:]
    long = [answers[f"long-{n}"] for n in range(4)]
    assert all(b"data: [DONE]" not in answer for answer in long)
    rows = list(
        ApiUsageLog.objects.filter(model__api_name="paced").values_list("response_code", "response_size")
    )
    assert len(rows) == 6, log[-3000:]
    assert sorted(status for status, _ in rows) == [200] * 6
    # Each row says how much its caller was sent: the short streams' whole answers, the long ones' part.
    sizes = sorted(size for _, size in rows)
    assert sizes[0] > 0
    assert statistics.median(sizes) < sizes[-1]
    sleepy = [answers[f"sleepy-{n}"] for n in range(2)]
    assert all(answer.startswith(b"HTTP/1.1 200") and b"late but whole" in answer for answer in sleepy)
    assert ApiUsageLog.objects.filter(model__api_name="sleepy", response_code=200).count() == 2


def test_a_caller_who_leaves_mid_stream_ends_the_call_at_once_as_cancelled(
    tmp_path, dana, alice, alice_key, upstream
):
    AIModelFactory(
        developer=dana, api_name="paced", endpoint_url=f"{upstream.url}/echo", price_per_request="0.0500"
    )
    words = " ".join(f"w{n}" for n in range(30))
    with web_server(tmp_path) as server:
        sock = raw_call(
            server.port,
            "/api/v1/models/paced/invoke",
            {"prompt": words, "stream": True, "parameters": {"stream_delay_ms": 2000}},
            alice_key,
        )
        sock.settimeout(10)
        received = b""
        while b'"response"' not in received:  # the first piece came
            received += sock.recv(65536)
        sock.close()
        left = time.monotonic()
        while not UserHistory.objects.filter(user=alice).exists() and time.monotonic() - left < 10:
            time.sleep(0.05)
        recorded_after = time.monotonic() - left

    entry = UserHistory.objects.get(user=alice)
    assert entry.status == HistoryStatus.CANCELLED
    assert entry.response == "w0 "
    assert entry.cost_incurred == 0  # users pay only for answers the upstream finished
    # Recorded before the upstream's next word (2 s later) could have come: its connection was cut at once.
    assert recorded_after < 1.5
    assert ApiUsageLog.objects.filter(model__api_name="paced", user=alice, response_code=200).count() == 1


def test_the_official_openai_client_streams_through_the_production_server(
    tmp_path, dana, alice, alice_key, upstream
):
    from openai import OpenAI

    AIModelFactory(developer=dana, api_name="chatty", endpoint_url=f"{upstream.url}/chat/completions")
    with web_server(tmp_path) as server:
        client = OpenAI(base_url=f"http://127.0.0.1:{server.port}/api/v1", api_key=alice_key, max_retries=0)
        listed = [model.id for model in client.models.list()]
        stream = client.chat.completions.create(
            model="chatty",
            messages=[{"role": "user", "content": "one two three"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        chunks = list(stream)

    assert listed == ["chatty"]
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == "You said: one two three"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0
    history = UserHistory.objects.get(user=alice)
    assert (history.status, history.response) == (HistoryStatus.COMPLETED, text)


def test_the_playground_streams_its_answer_piece_by_piece_through_the_production_server(
    tmp_path, dana, alice, upstream
):
    import httpx

    AIModelFactory(developer=dana, api_name="echo", endpoint_url=f"{upstream.url}/echo")
    with web_server(tmp_path) as server, httpx.Client(base_url=f"http://127.0.0.1:{server.port}") as browser:
        # Signed in as the test client signs in (the session is in the database both processes use): the
        # server hashes passwords with the production hashers, the suite with a fast one.
        session = Client()
        session.force_login(alice)
        browser.cookies.set("sessionid", session.cookies["sessionid"].value)
        page = browser.get("/models/echo/")
        assert page.status_code == 200 and "csrftoken" in browser.cookies
        arrivals = []
        with browser.stream(
            "POST",
            "/playground/echo/stream",
            data={"prompt": "one two three four", "session": ""},
            headers={"X-CSRFToken": browser.cookies["csrftoken"]},
        ) as response:
            assert response.status_code == 200
            assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
            for line in response.iter_lines():
                if line.startswith("data: "):
                    arrivals.append((time.monotonic(), line))

    assert arrivals[-1][1] == "data: [DONE]"
    history = UserHistory.objects.get(user=alice)
    assert (history.status, history.response) == (HistoryStatus.COMPLETED, "one two three four")
    # The demo upstream sends a word every 30 ms: the first piece came well before the end, so nothing on
    # the way held the stream back.
    assert arrivals[-1][0] - arrivals[0][0] > 0.05


def test_no_free_database_connection_is_a_503_to_retry_and_health_still_answers(
    tmp_path, dana, upstream, model_key
):
    import psycopg

    AIModelFactory(developer=dana, api_name="echo", endpoint_url=f"{upstream.url}/echo", key=model_key)
    path = "/api/v1/models/echo/invoke"
    with web_server(tmp_path, DB_POOL_SIZE="1", DB_POOL_TIMEOUT="0.5") as server:
        assert read_answer(raw_call(server.port, path, {"prompt": "first"}, model_key)).startswith(
            b"HTTP/1.1 200"
        )
        # The quota row locked from outside: the next call waits in its reservation, holding the only
        # pooled connection.
        with psycopg.connect(database_url()) as lock:
            lock.execute(
                "SELECT 1 FROM developer_monthly_usage WHERE developer_id = %s FOR UPDATE", [dana.pk]
            )
            held = raw_call(server.port, path, {"prompt": "held"}, model_key)
            time.sleep(0.3)
            busy_call = read_answer(raw_call(server.port, path, {"prompt": "busy"}, model_key), timeout=10)
            busy_page = server.connection()
            busy_page.request("GET", "/models/")
            page = busy_page.getresponse()
            page_body = page.read()
            health = server.get("/healthz")[0]
        # The lock is gone with its transaction: the held call goes on.
        held_answer = read_answer(held)

    head, _, body = busy_call.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 503") and b"retry-after: 1" in head.lower()
    assert json.loads(body)["error"]["code"] == "service_busy"
    assert (page.status, page.getheader("Retry-After")) == (503, "1")
    assert b"The site is busy" in page_body
    assert health == 200
    assert held_answer.startswith(b"HTTP/1.1 200")
    # The refused call counted nothing: two calls forwarded, two rows.
    assert ApiUsageLog.objects.filter(model__api_name="echo").count() == 2
    assert DeveloperMonthlyUsage.objects.get(developer=dana).calls == 2
