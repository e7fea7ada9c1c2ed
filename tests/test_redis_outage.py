"""A Redis that stops answering costs speed, never an answer (core.cache.ResilientRedisCache).

The suite starts a redis-server of its own on a free port (it keeps nothing on disk), and the web process as
the Procfile starts it with CACHE_URL pointing there. Pages kept for visitors and sessions go to that Redis;
then the Redis is stopped, and every page still answers, a signed-in user stays signed in (sessions are read
from the database), a new sign-in works; then Redis starts again on the same port and the site uses it
again. Skipped with a message where redis-server is missing, required where REQUIRE_REDIS is set (CI).
"""

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from accounts.tests.factories import PASSWORD, UserFactory
from tests.processes import free_port, web_server

pytestmark = pytest.mark.django_db(transaction=True)


class RedisServer:
    """redis-server on a port of its own, started and stopped by the test."""

    def __init__(self, port: int, folder: Path) -> None:
        self.port = port
        self.folder = folder
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            assert self.process.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not answer within 10 s"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def answers(self) -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def keys(self) -> list[str]:
        import redis

        client = redis.Redis(port=self.port, socket_timeout=2)
        try:
            return [key.decode() for key in client.keys("*")]
        finally:
            client.close()


@contextmanager
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail("redis-server is required (REQUIRE_REDIS) but is not installed.")
        pytest.skip("This test needs the redis-server program (Debian package redis-server).")
    server = RedisServer(free_port(), tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def sign_in(client: httpx.Client, username: str) -> httpx.Response:
    form = client.get("/accounts/login/")
    assert form.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    return client.post(
        "/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        headers={"Referer": f"{client.base_url}accounts/login/"},
    )


def signing_in_user(username: str):
    """A user the web process can sign in: the suite's own settings hash with MD5 for speed, which the web
    process (production hashers) does not accept."""
    user = UserFactory(username=username)
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    return user


def test_pages_and_sessions_survive_a_redis_outage_and_the_cache_comes_back(tmp_path):
    signing_in_user("alice")
    signing_in_user("bob")
    with (
        redis_server(tmp_path) as redis,
        web_server(tmp_path, CACHE_URL=f"redis://127.0.0.1:{redis.port}/0", CACHE_RETRY_SECONDS="1") as web,
    ):
        base = f"http://127.0.0.1:{web.port}"
        visitor = httpx.Client(base_url=base, timeout=10)
        signed_in = httpx.Client(base_url=base, timeout=10)

        # With Redis: the visitor's page is kept there, and so is Alice's session.
        assert visitor.get("/models/").status_code == 200
        assert sign_in(signed_in, "alice").status_code == 302
        assert "alice" in signed_in.get("/me/").text
        kept = redis.keys()
        assert any("cached_db" in key for key in kept), kept
        assert any("page" in key for key in kept), kept

        redis.stop()
        # Without it: every page answers, Alice is still signed in, and Bob can sign in.
        for path in ("/", "/models/", "/healthz"):
            assert visitor.get(path).status_code == 200, path
        me = signed_in.get("/me/")
        assert me.status_code == 200 and "alice" in me.text
        bob_client = httpx.Client(base_url=base, timeout=10)
        assert sign_in(bob_client, "bob").status_code == 302
        assert "bob" in bob_client.get("/me/").text
        assert "does not answer" in web.log.read_text()

        # Redis back on the same port (empty): after CACHE_RETRY_SECONDS the site writes to it again, and the
        # sessions made during the outage are still good (read from the database, then kept in Redis).
        redis.start()
        time.sleep(1.2)
        assert visitor.get("/models/").status_code == 200
        assert "bob" in bob_client.get("/me/").text
        kept = redis.keys()
        assert any("page" in key for key in kept), kept
        assert any("cached_db" in key for key in kept), kept
        assert "answers again" in web.log.read_text()


def test_an_unreachable_redis_behaves_as_an_empty_cache_that_keeps_nothing(tmp_path):
    """In this process, against a port where nothing listens and then a Redis started there: every call
    answers as an empty cache would, one failure bypasses Redis for retry_seconds, and the cache is used
    again once it answers."""
    from core.cache import ResilientRedisCache

    port = free_port()
    cache = ResilientRedisCache(f"redis://127.0.0.1:{port}/0", {"OPTIONS": {"retry_seconds": 0.5}})
    assert cache.get("k", "fallback") == "fallback"
    assert not cache.available()  # the failure opened the bypass window
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("k", 1) is True
    cache.set("k", 1)
    assert cache.has_key("k") is False
    with pytest.raises(ValueError):
        cache.incr("k")
    assert cache.delete("k") is False

    if shutil.which("redis-server") is None:
        return
    server = RedisServer(port, tmp_path)
    server.start()
    try:
        time.sleep(0.6)
        assert cache.available()
        cache.set("k", 41)
        assert cache.incr("k") == 42
        assert cache.get("k") == 42
    finally:
        server.stop()
    assert cache.get("k") is None
