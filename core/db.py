"""Database connections held only while they are used."""

from django.db import connection


def release_connection() -> None:
    """Give this thread's connection back to the pool, when there is one and no transaction is open: a
    request about to wait on something slow (a model's upstream) holds no connection meanwhile, and takes one
    again, from the pool, when it next queries. Without a pool (DB_POOL_SIZE=0) the connection is kept, since
    opening a new one costs more than the wait saves."""
    if connection.connection is None or connection.in_atomic_block:
        return
    if connection.settings_dict["OPTIONS"].get("pool"):
        connection.close()
