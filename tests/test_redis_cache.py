"""CACHE_URL=redis://… (the README's production setting) works: the settings read it, Django's Redis cache
talks to a real Redis, and the pages kept for visitors and the model cards are served from it.

Against the Redis on 127.0.0.1:6379 (database 15, emptied before and after), skipped with a message where
none answers, and required where REQUIRE_REDIS is set (CI)."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import caches

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_answers() -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.fixture
def redis_url():
    if not redis_answers():
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail("Redis is required (REQUIRE_REDIS) but nothing answers on 127.0.0.1:6379.")
        pytest.skip("These tests need a Redis server on 127.0.0.1:6379.")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


def test_the_settings_read_a_redis_cache_url_and_the_cache_works(redis_url):
    script = (
        "import django; django.setup();"
        "from django.conf import settings; from django.core.cache import caches;"
        "caches['default'].set('probe', 'kept', 30); caches['cards'].set('probe', 'card', 30);"
        "print(settings.CACHES['default']['BACKEND'], caches['default'].get('probe'), caches['cards'].get('probe'))"
    )
    env = {**os.environ, "CACHE_URL": redis_url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["core.cache.ResilientRedisCache", "kept", "card"]


def test_pages_kept_for_visitors_and_model_cards_are_served_from_redis(
    redis_url, settings, client, model, django_assert_num_queries
):
    import redis

    settings.CACHES = {
        "default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": redis_url},
        "cards": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "cards",
        },
    }
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 30
    assert type(caches["default"]).__name__ == "ResilientRedisCache"

    first = client.get("/models/")
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get("/models/")
    assert second.content == first.content

    keys = [key.decode() for key in redis.Redis.from_url(redis_url).keys("*")]
    assert any(key.startswith("cards:") for key in keys), keys  # the listing's model card
    assert len(keys) >= 2, keys  # and the kept page
