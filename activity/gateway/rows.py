"""The gateway's hot-path reads as SQL written once at import, and the cursor all its statements use.

Every call reads its model (with the developer and the developer's account) and, for personal keys, the
key with its user: one round trip for both (call_rows). The ORM would compile the same joins on every
call, which costs more than the query itself; here the statements are built from the models' own field
lists once, and the rows come back as ordinary model instances (AIModel.from_db), with the related objects
cached as select_related would.

The gateway's statements run on prepared_cursor(): its parameters are bound by the server and each
statement is prepared once per database connection, so PostgreSQL stops re-planning it on every call
(planning these joins costs more than running them). The site's other queries keep Django's default of
no prepared statements. Behind a pooler that cannot keep prepared statements (PgBouncer in transaction
mode before 1.21), set GATEWAY_PREPARED_STATEMENTS = False.
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models import Model

from accounts.models import Developer, User, UserApiKey
from catalog.models import AIModel

PREPARE_THRESHOLD = 5  # psycopg's default


class PreparingCursor(ServerBindingCursor):
    """Prepares every statement it runs (psycopg keeps them per connection and reuses them)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)


def prepared_cursor():
    """A cursor like connection.cursor() (same connection and transaction, queries logged the same way)
    whose statements are prepared; a plain cursor when GATEWAY_PREPARED_STATEMENTS is False."""
    if not settings.GATEWAY_PREPARED_STATEMENTS:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    if connection.connection.prepare_threshold is None:
        # Django switches psycopg's preparation off for its connections, which disables prepare=True too.
        # Its own cursors bind parameters on the client (unless OPTIONS server_side_binding is set) and
        # never prepare, so switching it back on affects these cursors only.
        connection.connection.prepare_threshold = PREPARE_THRESHOLD
    with connection.wrap_database_errors:
        raw = PreparingCursor(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


# Not needed to serve a call, and the largest column of a listing.
SKIPPED = {(AIModel, "search_vector")}


def _fields(model: type[Model]) -> list:
    return [field for field in model._meta.concrete_fields if (model, field.name) not in SKIPPED]


def _columns(model: type[Model], alias: str) -> str:
    return ", ".join(f'{alias}."{field.column}"' for field in _fields(model))


def _instances(row: tuple, models: list[type[Model]]) -> list[Model | None]:
    """One instance per model from consecutive columns of `row`; None where an outer join found nothing."""
    instances, start = [], 0
    for model in models:
        fields = _fields(model)
        values = row[start : start + len(fields)]
        start += len(fields)
        if values[fields.index(model._meta.pk)] is None:
            instances.append(None)
            continue
        instances.append(model.from_db(DEFAULT_DB_ALIAS, [field.attname for field in fields], values))
    return instances


MODEL_BY_KEY_SQL = f"""
SELECT {_columns(AIModel, "m")}, {_columns(Developer, "d")}, {_columns(User, "u")}
FROM models m
JOIN developers d ON d.developer_id = m.developer_id
JOIN users u ON u.user_id = d.user_id
WHERE m.api_key = %s
"""

KEY_SQL = f"""
SELECT {_columns(UserApiKey, "k")}, {_columns(User, "u")}
FROM user_api_keys k
JOIN users u ON u.user_id = k.user_id
WHERE k.key_hash = %s AND k.revoked_at IS NULL
"""


CALL_SQL = f"""
SELECT {_columns(AIModel, "m")}, {_columns(Developer, "d")}, {_columns(User, "u")},
       {_columns(UserApiKey, "k")}, {_columns(User, "ku")}
FROM (SELECT %s::text AS api_name, %s::text AS key_hash) AS wanted
LEFT JOIN (models m
           JOIN developers d ON d.developer_id = m.developer_id
           JOIN users u ON u.user_id = d.user_id) ON m.api_name = wanted.api_name
LEFT JOIN (user_api_keys k
           JOIN users ku ON ku.user_id = k.user_id) ON k.key_hash = wanted.key_hash AND k.revoked_at IS NULL
"""


def _link_model(model: AIModel | None, developer: Developer | None, user: User | None) -> AIModel | None:
    if model is not None:
        Developer.user.field.set_cached_value(developer, user)
        AIModel.developer.field.set_cached_value(model, developer)
    return model


def _link_key(api_key: UserApiKey | None, user: User | None) -> UserApiKey | None:
    if api_key is not None:
        UserApiKey.user.field.set_cached_value(api_key, user)
    return api_key


def call_rows(*, api_name: str | None, key_hash: str | None) -> tuple[AIModel | None, UserApiKey | None]:
    """The named model and the unrevoked personal key with this hash (each loaded like the functions
    below, None when absent), in one query."""
    with prepared_cursor() as cursor:
        cursor.execute(CALL_SQL, [api_name, key_hash])
        row = cursor.fetchone()
    model, developer, user, api_key, key_user = _instances(row, [AIModel, Developer, User, UserApiKey, User])
    return _link_model(model, developer, user), _link_key(api_key, key_user)


def model_by_key_hash(*, key_hash: str) -> AIModel | None:
    """The model whose key has this hash, its developer and their account loaded."""
    with prepared_cursor() as cursor:
        cursor.execute(MODEL_BY_KEY_SQL, [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    return _link_model(*_instances(row, [AIModel, Developer, User]))


def active_key_with_user(*, key_hash: str) -> UserApiKey | None:
    """The unrevoked personal key with this hash, its user loaded."""
    with prepared_cursor() as cursor:
        cursor.execute(KEY_SQL, [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    return _link_key(*_instances(row, [UserApiKey, User]))
