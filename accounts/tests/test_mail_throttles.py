"""Mail a client or an address can cause is throttled: sign-ups and verification resends per client
address, password resets per client address and per recipient. The counters live in the default cache, so
with Redis every host counts in one place: proven here with two processes and with racing threads against
the Redis on 127.0.0.1:6379 (database 13, emptied before and after), skipped with a message where none
answers, and required where REQUIRE_REDIS is set (CI)."""

import os
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from accounts import throttling
from accounts.models import User

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_THROTTLE_REDIS_URL", "redis://127.0.0.1:6379/13")
SIGNUP = reverse("accounts:signup")
RESET = reverse("accounts:password_reset")
RESEND = reverse("accounts:resend_verification")
PROXY = "10.0.0.9"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.THROTTLE_SIGNUPS_PER_CLIENT = 5
    settings.THROTTLE_RESETS_PER_CLIENT = 10
    settings.THROTTLE_RESETS_PER_EMAIL = 3
    settings.THROTTLE_RESENDS_PER_CLIENT = 10


def from_address(address):
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address}


def sign_up(client, n, address):
    return client.post(
        SIGNUP,
        {
            "username": f"newcomer{n}",
            "email": f"newcomer{n}@example.com",
            "password1": "quiet-meadow-orbit-77",
            "password2": "quiet-meadow-orbit-77",
        },
        **from_address(address),
    )


def redis_answers() -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.fixture
def redis_cache(settings):
    """The default cache on this suite's Redis database."""
    if not redis_answers():
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail("Redis is required (REQUIRE_REDIS) but nothing answers on 127.0.0.1:6379.")
        pytest.skip("These tests need a Redis server on 127.0.0.1:6379.")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
    }
    yield client
    client.flushdb()
    client.close()


# --- Sign-ups ---------------------------------------------------------------------------------------------


def test_five_sign_ups_from_one_client_go_through_and_the_sixth_is_refused_on_the_page(
    client, django_capture_on_commit_callbacks
):
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            assert sign_up(client, n, "203.0.113.7").status_code == 302
        client.logout()
    response = sign_up(client, 5, "203.0.113.7")
    assert response.status_code == 429
    html = response.content.decode()
    assert throttling.SIGNUP_REFUSED.split(".")[0] in html
    assert 'value="newcomer5"' in html and 'value="newcomer5@example.com"' in html  # nothing typed is lost
    assert not User.objects.filter(username="newcomer5").exists()
    assert len(mail.outbox) == 5


def test_another_client_still_signs_up(client):
    for n in range(6):
        sign_up(client, n, "203.0.113.7")
        client.logout()
    assert sign_up(client, 6, "198.51.100.2").status_code == 302


def test_a_form_with_errors_does_not_count(client):
    for _ in range(6):
        client.post(SIGNUP, {"username": "x@y"}, **from_address("203.0.113.7"))
    assert sign_up(client, 0, "203.0.113.7").status_code == 302


# --- Password resets ---------------------------------------------------------------------------------------


def test_three_reset_mails_to_one_address_then_a_refusal_that_keeps_the_address(client, alice):
    statuses = [
        client.post(RESET, {"email": "alice@example.com"}, **from_address(f"203.0.113.{n}")).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 302]
    response = client.post(RESET, {"email": "ALICE@example.com"}, **from_address("203.0.113.50"))
    assert response.status_code == 429
    html = response.content.decode()
    assert "Reset links for this address were asked for too many times" in html
    assert 'value="ALICE@example.com"' in html
    assert len(mail.outbox) == 3


def test_the_refusal_is_the_same_for_an_address_without_an_account(client, alice):
    """Counted whether an account has the address or not, so the refusal reveals no account."""
    for address in ("alice@example.com", "nobody@example.com"):
        for n in range(3):
            client.post(RESET, {"email": address}, **from_address(f"203.0.113.{n}"))
    known = client.post(RESET, {"email": "alice@example.com"}, **from_address("203.0.113.60"))
    unknown = client.post(RESET, {"email": "nobody@example.com"}, **from_address("203.0.113.61"))
    assert known.status_code == unknown.status_code == 429

    def page(response, local_part):
        return CSRF.sub("", response.content.decode()).replace(local_part, "X")

    assert page(known, "alice") == page(unknown, "nobody")


def test_ten_resets_from_one_client_then_a_refusal(client, alice):
    for n in range(10):
        response = client.post(RESET, {"email": f"someone{n}@example.com"}, **from_address("203.0.113.7"))
        assert response.status_code == 302
    response = client.post(RESET, {"email": "alice@example.com"}, **from_address("203.0.113.7"))
    assert response.status_code == 429
    assert "from your network" in response.content.decode()
    assert mail.outbox == []
    # The refusal for that client did not use up the address' own allowance.
    assert (
        client.post(RESET, {"email": "alice@example.com"}, **from_address("198.51.100.2")).status_code == 302
    )
    assert len(mail.outbox) == 1


# --- Verification resends ----------------------------------------------------------------------------------


def test_resends_from_one_client_are_limited_across_users(
    client, django_capture_on_commit_callbacks, settings
):
    from accounts.tests.factories import PendingUserFactory

    settings.THROTTLE_RESENDS_PER_CLIENT = 2
    users = PendingUserFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        for user in users:
            client.force_login(user)
            response = client.post(RESEND, follow=True, **from_address("203.0.113.7"))
    assert len(mail.outbox) == 2
    assert "from your network" in response.content.decode()


# --- Shared by every host ----------------------------------------------------------------------------------


def test_the_window_ends(settings):
    settings.THROTTLE_WINDOW_MINUTES = 0  # a lifetime of 0 s: each hit opens a fresh window
    assert all(throttling.allow("probe", "k", limit=1) for _ in range(3))


def test_a_limit_of_zero_turns_a_throttle_off():
    assert all(throttling.allow("probe", "k", limit=0) for _ in range(20))


def test_while_the_cache_is_away_mail_is_let_through(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        },
    }
    assert all(throttling.allow("probe", "k", limit=1) for _ in range(3))


def test_two_processes_on_one_redis_share_the_counters(redis_cache, client, alice):
    """Two resets here, one more in another process (another host): the fourth, here, is refused."""
    for n in range(2):
        assert (
            client.post(RESET, {"email": "alice@example.com"}, **from_address(f"203.0.113.{n}")).status_code
            == 302
        )
    script = (
        "import django; django.setup();"
        "from accounts import throttling;"
        "print(throttling.allow('reset-email', 'alice@example.com', limit=3),"
        " throttling.allow('reset-email', 'Alice@Example.com', limit=3))"
    )
    env = {**os.environ, "CACHE_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "False"]  # the third, then a fourth
    response = client.post(RESET, {"email": "alice@example.com"}, **from_address("203.0.113.9"))
    assert response.status_code == 429
    assert len(mail.outbox) == 2


def test_racing_clients_of_one_redis_let_exactly_the_limit_through(redis_cache):
    """Twenty threads, each with its own cache client (Django keeps one per thread), take a limit of 5."""
    start = threading.Barrier(20)
    results = []

    def take():
        start.wait()
        results.append(throttling.allow("race", "203.0.113.7", limit=5))

    threads = [threading.Thread(target=take) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 5
    keys = redis_cache.keys("*throttle:race:*")
    assert len(keys) == 1
    assert 0 < redis_cache.ttl(keys[0]) <= 3600  # the counter ends with its window


def test_a_users_once_a_minute_resend_is_shared_by_every_host(redis_cache, pat):
    from accounts.services import verification_resend_allowed

    assert verification_resend_allowed(user=pat)
    script = (
        "import django; django.setup(); from types import SimpleNamespace;"
        "from accounts.services import verification_resend_allowed;"
        f"print(verification_resend_allowed(user=SimpleNamespace(pk='{pat.pk}')))"
    )
    env = {**os.environ, "CACHE_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False"]
