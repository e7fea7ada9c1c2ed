"""Database connections held only while they are used, and what a request does when none is free."""

from django.db import OperationalError, connection
from psycopg_pool import PoolTimeout

# Seconds a client is asked to wait when the site had no free database connection for it.
BUSY_RETRY_AFTER = 1


def pool_exhausted(exc: BaseException) -> bool:
    """Whether `exc` is a request's wait for a pooled connection that ran out (DB_POOL_TIMEOUT): the site is
    busy, not broken. Django raises it as an OperationalError caused by psycopg_pool's PoolTimeout."""
    return isinstance(exc, PoolTimeout) or (
        isinstance(exc, OperationalError) and isinstance(exc.__cause__, PoolTimeout)
    )


def release_connection() -> None:
    """Give this thread's connection back to the pool, when there is one and no transaction is open: a
    request about to wait on something slow (a model's upstream) holds no connection meanwhile, and takes one
    again, from the pool, when it next queries. Without a pool (DB_POOL_SIZE=0) the connection is kept, since
    opening a new one costs more than the wait saves."""
    if connection.connection is None or connection.in_atomic_block:
        return
    if connection.settings_dict["OPTIONS"].get("pool"):
        connection.close()


_EXTENSIONS: dict[tuple, bool] = {}


def has_extension(name: str, using: str = "default") -> bool:
    """Whether the database has the extension `name` installed (pg_trgm on a managed PostgreSQL; the
    embedded server of `make run` ships without contrib, so its migrations leave pg_trgm out). Asked
    once per process and database: migrations, not requests, install extensions."""
    from django.db import connections

    connection_ = connections[using]
    settings = connection_.settings_dict
    key = (name, settings["NAME"], settings.get("HOST"), settings.get("PORT"))
    if key not in _EXTENSIONS:
        with connection_.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = %s)", [name])
            _EXTENSIONS[key] = bool(cursor.fetchone()[0])
    return _EXTENSIONS[key]
