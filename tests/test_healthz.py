"""/healthz answers 200 while PostgreSQL answers and 503 within 2 s when it does not.

The failures are real: the database settings are pointed at a closed port or at an address nothing
answers from, and the probe's fresh connection has to find out.
"""

import json
import socket
import time

import pytest
from django.db import connections


@pytest.fixture
def database_at(monkeypatch):
    """Point new connections of the default alias somewhere else for the test (the test's own stays)."""

    def point(host: str, port: int) -> None:
        settings_dict = connections["default"].settings_dict
        monkeypatch.setitem(settings_dict, "HOST", host)
        monkeypatch.setitem(settings_dict, "PORT", str(port))

    return point


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def timed_get(client, path: str):
    started = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - started


def test_it_answers_200_with_json_while_the_database_answers(client, db):
    response, elapsed = timed_get(client, "/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert elapsed < 2


def test_it_answers_503_at_once_when_nothing_listens_on_the_database_port(client, db, database_at):
    database_at("127.0.0.1", closed_port())

    response, elapsed = timed_get(client, "/healthz")

    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "error", "database": "unavailable"}
    assert elapsed < 2


def test_it_answers_503_within_two_seconds_when_the_database_host_never_answers(client, db, database_at):
    database_at("192.0.2.1", 5432)  # TEST-NET-1: reserved, routed nowhere

    response, elapsed = timed_get(client, "/healthz")

    assert response.status_code == 503
    assert elapsed < 2


def test_it_recovers_once_the_database_is_back(client, db, database_at, monkeypatch):
    database_at("127.0.0.1", closed_port())
    assert client.get("/healthz").status_code == 503

    monkeypatch.undo()

    assert client.get("/healthz").status_code == 200


def test_it_answers_head_requests_and_refuses_writes(client, db):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.fixture
def silent_server():
    """A TCP port that accepts connections and never says a word, like a hung database server."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


def test_it_answers_503_within_two_seconds_when_the_database_accepts_but_never_answers(
    client, db, database_at, silent_server
):
    database_at("127.0.0.1", silent_server)

    response, elapsed = timed_get(client, "/healthz")

    assert response.status_code == 503
    assert 1 < elapsed < 2
