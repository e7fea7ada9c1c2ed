"""Django's Redis cache, made so that a Redis outage costs speed, never an answer.

Every host reads and writes the pages kept for visitors, the model cards, the sessions' cached copies and
the mail throttles' counters in one Redis (CACHE_URL=redis://…). Django's own RedisCache raises when that
Redis stops answering, and every page that touches the cache would answer 500. This backend catches the
error and behaves as an empty cache that keeps nothing:

- reads miss (`get` answers its default), writes and deletes do nothing, `add` succeeds (the key was not
  there), `incr` raises ValueError as for a missing key;
- after a failure the cache is bypassed for CACHE_RETRY_SECONDS (default 5) in this process, so a dead
  Redis costs one failed attempt per window, not one per cache call; the next call after the window
  tries again on a new connection, and the cache is back as soon as Redis answers;
- connections time out quickly (CACHE_SOCKET_TIMEOUT, default 0.5 s) and a refused connection is not
  retried, so a Redis that hangs cannot hold a request for long.

What that means for each user of the cache is in README.md ("Scaling past one machine"): pages are drawn
each time, sessions are read from the database (SESSION_ENGINE cached_db writes the database first), and
the mail throttles let requests through until Redis is back (the sign-in lockout is kept in the database
and keeps counting).
"""

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger(__name__)

# One switch per Redis address and process, shared by the threads' cache objects (Django gives each thread
# its own backend instance).
_bypass_until: dict[str, float] = {}
_bypass_lock = threading.Lock()


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = {**params}
        options = {**params.get("OPTIONS", {})}
        self.retry_seconds = float(options.pop("retry_seconds", 5))
        timeout = float(options.pop("socket_timeout", 0.5))
        options.setdefault("socket_timeout", timeout)
        options.setdefault("socket_connect_timeout", timeout)
        # One attempt per command: the bypass below is the retry policy.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._address = server if isinstance(server, str) else ",".join(server)

    # --- the switch ---------------------------------------------------------------------------------------
    def available(self) -> bool:
        """False while this process bypasses Redis after a failure."""
        until = _bypass_until.get(self._address)
        return until is None or time.monotonic() >= until

    def _failed(self, error: Exception) -> None:
        with _bypass_lock:
            first = self._address not in _bypass_until or self.available()
            _bypass_until[self._address] = time.monotonic() + self.retry_seconds
        if first:
            logger.warning(
                "The cache at %s does not answer (%s); bypassing it for %.0f s.",
                self._address,
                error,
                self.retry_seconds,
            )

    def _run(self, call, *args, fallback: Any = None, **kwargs) -> Any:
        if not self.available():
            return fallback
        try:
            result = call(*args, **kwargs)
        except RedisError as error:
            self._failed(error)
            return fallback
        if self._address in _bypass_until:
            with _bypass_lock:
                if _bypass_until.pop(self._address, None) is not None:
                    logger.warning("The cache at %s answers again.", self._address)
        return result

    # --- Django's cache API -------------------------------------------------------------------------------
    def get(self, key, default=None, version=None):
        return self._run(super().get, key, default, version, fallback=default)

    def get_many(self, keys, version=None):
        return self._run(super().get_many, keys, version, fallback={})

    def has_key(self, key, version=None):
        return self._run(super().has_key, key, version, fallback=False)

    def add(self, key, value, timeout=..., version=None):
        kwargs = {} if timeout is ... else {"timeout": timeout}
        return self._run(super().add, key, value, version=version, fallback=True, **kwargs)

    def set(self, key, value, timeout=..., version=None):
        kwargs = {} if timeout is ... else {"timeout": timeout}
        self._run(super().set, key, value, version=version, **kwargs)

    def set_many(self, data, timeout=..., version=None):
        kwargs = {} if timeout is ... else {"timeout": timeout}
        return self._run(super().set_many, data, version=version, fallback=[], **kwargs)

    def touch(self, key, timeout=..., version=None):
        kwargs = {} if timeout is ... else {"timeout": timeout}
        return self._run(super().touch, key, version=version, fallback=False, **kwargs)

    def delete(self, key, version=None):
        return self._run(super().delete, key, version, fallback=False)

    def delete_many(self, keys, version=None):
        self._run(super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        result = self._run(super().incr, key, delta, version, fallback=missing)
        if result is missing:
            raise ValueError(f"Key '{key}' not found.")
        return result

    def clear(self):
        self._run(super().clear)
