"""activity.gateway.upstream's connections, against real sockets on 127.0.0.1.

A forwarded call counts against a quota, so the client must never send a POST twice; and since connections
are pooled, an answer cut off by the cap or a timeout must not leave its unread bytes on a connection that
the next call would read them from.
"""

import gzip
import json
import os
import socket
import threading
import time

import pytest

from activity.gateway import upstream
from activity.gateway.errors import GatewayError
from activity.tests.helpers import drip_answer, refused_url
from demo.upstream import DemoUpstreamHandler, DemoUpstreamServer


class Recorder:
    """The requests the upstream received, as (client port, path): one port per connection."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests: list[tuple[int, str]] = []

    def note(self, handler) -> None:
        with self.lock:
            self.requests.append((handler.client_address[1], handler.path))

    def count(self, path: str) -> int:
        return sum(1 for _, seen in self.requests if seen == path)

    def port(self, index: int) -> int:
        return self.requests[index][0]


seen = Recorder()


def answer(text: str) -> tuple[int, bytes]:
    return 200, json.dumps({"response": text}).encode()


def port_route(handler, payload):
    seen.note(handler)
    return answer(str(handler.client_address[1]))


def headers_route(handler, payload):
    seen.note(handler)
    return answer(json.dumps({name: handler.headers.get(name) for name in ("User-Agent", "Authorization")}))


def oversized(handler, payload):
    """A whole answer, well formed and kept alive, but longer than the tests' cap."""
    seen.note(handler)
    return answer("x" * 5_000)


def chunked_past_the_cap(handler, payload):
    """A chunked answer that ends properly, but only after passing the cap: the client stops mid-way."""
    seen.note(handler)
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    body = json.dumps({"response": "x" * 20_000}).encode()
    for start in range(0, len(body), 1_000):
        chunk = body[start : start + 1_000]
        handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        handler.wfile.flush()
    handler.wfile.write(b"0\r\n\r\n")


def late(handler, payload):
    """A valid answer that arrives after the read timeout, on a connection left open for another request."""
    seen.note(handler)
    time.sleep(0.4)
    return answer("too late")


def stalling_mid_body(handler, payload):
    """Half an answer, then a pause past the read timeout, then the rest, on a connection left open."""
    seen.note(handler)
    body = json.dumps({"response": "too late"}).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body[:10])
    handler.wfile.flush()
    time.sleep(0.4)
    handler.wfile.write(body[10:])


def dripping(handler, payload):
    """A valid answer a byte every 50 ms: each read is quick, the whole takes 5 s."""
    seen.note(handler)
    drip_answer(handler, "x" * 90)


def dropping(handler, payload):
    """Reads the request, then closes the connection without a word."""
    seen.note(handler)
    handler.close_connection = True
    handler.connection.shutdown(socket.SHUT_RDWR)


def answer_then_close(handler, payload):
    """Answers as if keeping the connection alive, then closes it while it sits idle in the client's pool."""
    seen.note(handler)
    handler.close_connection = True
    return answer("bye")


def redirecting(handler, payload):
    seen.note(handler)
    handler.send_response(302)
    handler.send_header("Location", "/port")
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def gzipped(text: str):
    def route(handler, payload):
        seen.note(handler)
        body = gzip.compress(json.dumps({"response": text}).encode())
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def pausing(handler, payload):
    seen.note(handler)
    time.sleep(0.2)
    return answer("done")


ROUTES = {
    "/port": port_route,
    "/headers": headers_route,
    "/oversized": oversized,
    "/chunked-past-the-cap": chunked_past_the_cap,
    "/late": late,
    "/stalling-mid-body": stalling_mid_body,
    "/dripping": dripping,
    "/dropping": dropping,
    "/answer-then-close": answer_then_close,
    "/redirecting": redirecting,
    "/gzip": gzipped("unzipped"),
    "/gzip-bomb": gzipped(" " * 2_000_000),
    "/pausing": pausing,
}


class QuietServer(DemoUpstreamServer):
    def handle_error(self, request, client_address):
        """Clients here close connections in the middle of answers on purpose: no traceback for that."""


@pytest.fixture(scope="module")
def server():
    handler = type("RecordingHandler", (DemoUpstreamHandler,), {"extra_routes": ROUTES})
    running = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=running.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _fresh_pool_and_quick_timeouts(settings, monkeypatch):
    """Each test starts with no pooled connection, so which connection a call used is predictable."""
    settings.UPSTREAM_CONNECT_TIMEOUT = 1.0
    settings.UPSTREAM_READ_TIMEOUT = 1.0
    settings.UPSTREAM_MAX_RESPONSE_BYTES = 1_000
    monkeypatch.setattr(upstream, "_pool", None)
    seen.requests.clear()


def forward(url: str) -> str:
    return upstream.call_upstream(endpoint_url=url, model_name="demo", prompt="hi", parameters={}).text


def failure(url: str) -> GatewayError:
    with pytest.raises(GatewayError) as caught:
        forward(url)
    return caught.value


def test_a_keep_alive_connection_is_reused_across_calls(server):
    first = forward(f"{server.url}/port")
    second = forward(f"{server.url}/port")

    assert first == second == str(seen.port(0)) == str(seen.port(1))


def test_the_calls_carry_the_gateways_user_agent(server):
    headers = json.loads(forward(f"{server.url}/headers"))

    assert headers == {"User-Agent": upstream.USER_AGENT, "Authorization": None}


def test_credentials_in_the_url_are_sent_as_basic_auth(server):
    host = server.url.removeprefix("http://")

    headers = json.loads(forward(f"http://us%20er:p%40ss@{host}/headers"))

    assert headers["Authorization"] == "Basic dXMgZXI6cEBzcw=="  # "us er:p@ss"


@pytest.mark.parametrize("path", ["/oversized", "/chunked-past-the-cap"])
def test_an_answer_over_the_cap_closes_its_connection_and_the_next_call_works(server, path):
    forward(f"{server.url}/port")

    error = failure(f"{server.url}{path}")
    after = forward(f"{server.url}/port")

    assert (error.status, error.code) == (502, "upstream_response_too_large")
    assert seen.port(1) == seen.port(0)  # the capped answer came on the pooled connection...
    assert after == str(seen.port(2)) != str(seen.port(0))  # ...which was closed, not reused half-read


@pytest.mark.parametrize("path", ["/late", "/stalling-mid-body"])
def test_a_timed_out_answer_closes_its_connection_and_the_next_call_works(server, settings, path):
    settings.UPSTREAM_READ_TIMEOUT = 0.2
    forward(f"{server.url}/port")

    error = failure(f"{server.url}{path}")
    time.sleep(0.4)  # the rest of the answer has now been written to the timed-out connection
    after = forward(f"{server.url}/port")

    assert (error.status, error.code) == (504, "upstream_timeout")
    assert after == str(seen.port(2)) != str(seen.port(0))


def test_a_dripping_answer_is_stopped_at_the_deadline_not_when_it_ends(server, settings):
    settings.UPSTREAM_CONNECT_TIMEOUT = 0.2
    settings.UPSTREAM_READ_TIMEOUT = 0.5
    started = time.monotonic()

    error = failure(f"{server.url}/dripping")

    assert (error.status, error.code) == (504, "upstream_timeout")
    assert time.monotonic() - started < 3  # the whole answer takes 5 s


def test_a_server_that_accepts_and_never_answers_is_a_504_within_connect_and_read_time(settings):
    settings.UPSTREAM_CONNECT_TIMEOUT = 0.3
    settings.UPSTREAM_READ_TIMEOUT = 0.3
    # Connections complete in the backlog and the request is buffered, but nothing ever reads or answers.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        started = time.monotonic()

        error = failure(f"http://127.0.0.1:{listener.getsockname()[1]}/x")
        elapsed = time.monotonic() - started

    assert (error.status, error.code) == (504, "upstream_timeout")
    assert 0.3 <= elapsed < 2  # connect and read time, with room for a busy machine


def test_a_server_that_stops_reading_the_request_is_a_504(settings):
    settings.UPSTREAM_CONNECT_TIMEOUT = 0.3
    # Far more than the socket buffers hold: the send blocks once they are full, and nothing drains them.
    prompt = "p" * 20_000_000
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)

        with pytest.raises(GatewayError) as caught:
            upstream.call_upstream(
                endpoint_url=f"http://127.0.0.1:{listener.getsockname()[1]}/x",
                model_name="demo",
                prompt=prompt,
                parameters={},
            )

    assert (caught.value.status, caught.value.code) == (504, "upstream_timeout")


def test_a_refused_port_is_unreachable_at_once_not_a_timeout(settings):
    settings.UPSTREAM_CONNECT_TIMEOUT = 5.0
    started = time.monotonic()

    error = failure(refused_url())

    assert (error.status, error.code) == (502, "upstream_unreachable")
    assert time.monotonic() - started < 1


def test_a_post_is_sent_once_when_the_server_drops_the_connection(server):
    forward(f"{server.url}/port")  # a pooled connection, the kind a client might retry on

    fresh = failure(f"{server.url}/dropping")
    pooled = failure(f"{server.url}/dropping")

    assert fresh.code == pooled.code == "upstream_unreachable"
    assert seen.count("/dropping") == 2


def test_a_connection_the_server_closed_while_idle_is_replaced_before_sending(server):
    assert forward(f"{server.url}/answer-then-close") == "bye"
    time.sleep(0.1)

    after = forward(f"{server.url}/port")

    assert after == str(seen.port(1)) != str(seen.port(0))
    assert seen.count("/port") == 1


def test_a_redirect_is_an_upstream_error_and_not_followed(server):
    error = failure(f"{server.url}/redirecting")

    assert (error.status, error.code) == (502, "upstream_error")
    assert "302" in error.message
    assert seen.count("/port") == 0


def test_a_compressed_answer_is_decoded_and_the_cap_applies_to_what_it_decodes_to(server, settings):
    # More than the compressed bomb declares, far less than it inflates to.
    settings.UPSTREAM_MAX_RESPONSE_BYTES = 50_000

    assert forward(f"{server.url}/gzip") == "unzipped"
    assert failure(f"{server.url}/gzip-bomb").code == "upstream_response_too_large"


def test_proxy_variables_in_the_environment_are_ignored(server, monkeypatch):
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, refused_url(""))
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    assert forward(f"{server.url}/port") == str(seen.port(0))


@pytest.mark.parametrize("url", ["127.0.0.1:9/echo", "ftp://127.0.0.1/echo", "http://127.0.0.1/ec\nho"])
def test_a_url_without_http_or_with_control_characters_is_unreachable(url):
    assert failure(url).code == "upstream_unreachable"


def test_a_burst_past_the_pool_size_gets_connections_instead_of_waiting(server):
    burst = upstream.CONNECTIONS_PER_HOST + 8
    barrier = threading.Barrier(burst)
    answers = []

    def work():
        barrier.wait()
        answers.append(forward(f"{server.url}/pausing"))

    threads = [threading.Thread(target=work) for _ in range(burst)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == ["done"] * burst
    # Every call had a connection of its own at once; none waited for another's to come back.
    assert len({port for port, path in seen.requests if path == "/pausing"}) == burst


def test_the_pool_is_built_once_however_many_threads_ask_at_once():
    barrier = threading.Barrier(8)
    pools = []

    def ask():
        barrier.wait()
        pools.append(upstream.get_client())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(pools) == 8 and all(pool is pools[0] for pool in pools)


def test_a_forked_process_builds_a_new_pool(server, monkeypatch):
    forward(f"{server.url}/port")
    parent = upstream.get_client()
    assert upstream.get_client() is parent

    # After os.fork() the child's pid differs from the one the pool was built in.
    monkeypatch.setattr(upstream, "_pool_pid", os.getpid() + 1)
    child = upstream.get_client()

    assert child is not parent
    assert upstream._pool_pid == os.getpid()
    assert upstream.get_client() is child
    assert forward(f"{server.url}/port") == str(seen.port(1)) != str(seen.port(0))  # not the parent's socket
