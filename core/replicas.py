"""Read replicas (DATABASE_REPLICA_URLS): which database each read of a request goes to.

Without replicas none of this is installed (config/settings.py adds the router and the middleware only when
DATABASE_REPLICA_URLS names one), and every query goes to `default`, the primary.

With replicas, ReplicaMiddleware decides per request, before any query (the session's included):

- A safe request (GET, HEAD) of a page or an API listing reads from one replica, picked at random per
  request, so that all its reads see one moment of the data. Paths under REPLICA_PRIMARY_PATHS (the API's
  calls and key checks, the admin, the health probe) read the primary, but for the listings under
  REPLICA_READ_PATHS.
- Any other method reads the primary from its start; so does a request once it writes (ReplicaRouter's
  db_for_write), for the rest of it, and so does a read while a transaction is open on the primary.
- A client whose request wrote gets a signed cookie (REPLICA_PIN_COOKIE) and reads the primary for
  REPLICA_PIN_SECONDS after it: the page it is redirected to after a form shows what it just saved while
  the replicas are less than that behind. A cookie rather than the session: the session is itself read from the
  database, so it could not say where to read it from; a cookie costs no query, needs no state shared
  between hosts, and only the client that wrote carries it. It is signed, with its time, so that a client
  cannot pin itself to the primary for longer than the setting says. Only clients that send cookies get it
  (API clients, which authenticate by key, send none and read the primary anyway).
- A replica that gives no connection is skipped by the process for REPLICA_RETRY_SECONDS (usable_replica):
  its reads go to another replica or to the primary, and pages go on answering.

The gateway's key, quota and credit checks read the primary whatever the path: they use the `default`
connection explicitly (activity.gateway.rows), and an API call pins its request (use_primary). Raw SQL
through `django.db.connection` runs on the primary too; a page's raw reads that should follow its ORM reads
use read_connection().
"""

import logging
import random
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from psycopg_pool import PoolTimeout

logger = logging.getLogger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD"})
PIN_SALT = "core.replicas.pin"


def replica_aliases() -> list[str]:
    """The database aliases of the replicas, in the order DATABASE_REPLICA_URLS names them."""
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


@dataclass
class Reads:
    """Where one request reads: a replica until it writes (or is pinned), the primary after."""

    replicas: list[str]
    pinned: bool = False
    wrote: bool = False
    replica: str | None = field(default=None)

    def alias(self) -> str:
        if self.pinned or not self.replicas or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if self.replica is None:
            self.replica = usable_replica(self.replicas)
        return self.replica


# A replica that gave no connection (stopped, unreachable, its pool's wait of REPLICA_POOL_TIMEOUT spent) is
# left alone by this process for REPLICA_RETRY_SECONDS: meanwhile its reads go to another replica, or to the
# primary, and pages go on answering.
REPLICA_RETRY_SECONDS = 30
_down_until: dict[str, float] = {}


def usable_replica(replicas: list[str]) -> str:
    """A replica picked at random among those this process has not found down lately, connected; the
    primary when none connects."""
    now = time.monotonic()
    candidates = [alias for alias in replicas if _down_until.get(alias, 0.0) <= now]
    while candidates:
        alias = random.choice(candidates)
        try:
            connections[alias].ensure_connection()
        except (DatabaseError, PoolTimeout) as exc:
            _down_until[alias] = time.monotonic() + REPLICA_RETRY_SECONDS
            logger.warning(
                "Replica %s gave no connection (%s); reading the primary for %s s.",
                alias,
                exc,
                REPLICA_RETRY_SECONDS,
            )
            candidates.remove(alias)
            continue
        return alias
    return DEFAULT_DB_ALIAS


# The current request's Reads. A context variable, not a thread local: asgiref copies the context into the
# request's thread and back (core.asgi), and a streamed answer's steps run with it.
_reads: ContextVar[Reads | None] = ContextVar("replica_reads", default=None)


def read_alias() -> str:
    """The database the current request reads from: `default` outside a request routed to a replica."""
    reads = _reads.get()
    return DEFAULT_DB_ALIAS if reads is None else reads.alias()


def read_connection() -> BaseDatabaseWrapper:
    """The connection for a raw-SQL read of a page, the one its ORM reads use (read_alias)."""
    return connections[read_alias()]


def use_primary() -> None:
    """Read the primary for the rest of the current request (the gateway's checks, a read before a write)."""
    reads = _reads.get()
    if reads is not None:
        reads.pinned = True


class ReplicaRouter:
    """Reads to the request's replica (read_alias), every write to the primary, migrations on the primary."""

    def db_for_read(self, model, **hints) -> str:
        return read_alias()

    def db_for_write(self, model, **hints) -> str:
        reads = _reads.get()
        if reads is not None:
            reads.pinned = reads.wrote = True
        # Named outright: left to Django, a row read from a replica would be saved back to it.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replicas hold the primary's rows: a row read from one relates to any

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


def reads_replica(request: HttpRequest) -> bool:
    """Whether a request starts on a replica: a safe method, and a path outside REPLICA_PRIMARY_PATHS or
    inside REPLICA_READ_PATHS."""
    if request.method not in SAFE_METHODS:
        return False
    path = request.path_info
    if path.startswith(tuple(settings.REPLICA_READ_PATHS)):
        return True
    return not path.startswith(tuple(settings.REPLICA_PRIMARY_PATHS))


def pinned_by_cookie(request: HttpRequest) -> bool:
    """Whether the client wrote less than REPLICA_PIN_SECONDS ago (its signed cookie says so)."""
    value = request.COOKIES.get(settings.REPLICA_PIN_COOKIE)
    if not value:
        return False
    try:
        signing.TimestampSigner(salt=PIN_SALT).unsign(value, max_age=settings.REPLICA_PIN_SECONDS)
    except signing.BadSignature:  # altered, or older than the setting (SignatureExpired)
        return False
    return True


class ReplicaMiddleware:
    """Sets the request's Reads before any other middleware reads (the session), and pins a client that
    wrote to the primary for REPLICA_PIN_SECONDS. Placed before SessionMiddleware, so that a session saved
    on the way out counts as a write."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.replicas = replica_aliases()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reads = Reads(replicas=self.replicas)
        reads.pinned = not reads_replica(request) or pinned_by_cookie(request)
        token = _reads.set(reads)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if (reads.wrote or request.method not in SAFE_METHODS) and request.COOKIES:
            seconds = settings.REPLICA_PIN_SECONDS
            response.set_cookie(
                settings.REPLICA_PIN_COOKIE,
                signing.TimestampSigner(salt=PIN_SALT).sign("primary"),
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
