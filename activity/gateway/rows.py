"""The gateway's hot-path reads as SQL written once at import, and the cursor all its statements use.

Every call reads its model (with the developer and the developer's account) and, for personal keys, the
key with its user: one round trip for both (call_rows). The ORM would compile the same joins on every
call, which costs more than the query itself; here the statements are built once from the fields a call
reads (CALL_FIELDS), and the rows come back as model instances (AIModel.from_db) with the other fields
deferred, as .only() would leave them, and the related objects cached as select_related would.

The gateway's statements run on prepared_cursor(): its parameters are bound by the server and each
statement is prepared once per database connection, so PostgreSQL stops re-planning it on every call
(planning these joins costs more than running them). The site's other queries keep Django's default of
no prepared statements. Behind a pooler that cannot keep prepared statements (PgBouncer in transaction
mode before 1.21), set GATEWAY_PREPARED_STATEMENTS = False.

With CONN_HEALTH_CHECKS on, Django checks a persistent connection with a `SELECT 1` round trip before the
first query of every request. A call's first statement is one of the reads below: they skip that check
and instead, if the read fails because the connection is dead, reconnect and read again (fetch_one), so a
connection the server dropped still costs a call nothing, and a live one costs no extra round trip.
"""

from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.backends.utils import CursorWrapper
from django.db.models import Model

from accounts.models import Developer, User, UserApiKey
from catalog.models import AIModel

PREPARE_THRESHOLD = 5  # psycopg's default


class PreparingCursor(ServerBindingCursor):
    """Prepares every statement it runs (psycopg keeps them per connection and reuses them)."""

    # django-stubs does not describe this class's psycopg base (its constructor and execute) nor the
    # connection's health-check flags: the `type: ignore` comments in this module cover those gaps.
    def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> Any:
        return super().execute(  # type: ignore[misc]
            query, params, prepare=True if prepare is None else prepare, binary=binary
        )


def prepared_cursor(*, health_check: bool = True) -> CursorWrapper:
    """A cursor like connection.cursor() (same connection and transaction, queries logged the same way)
    whose statements are prepared; a plain cursor when GATEWAY_PREPARED_STATEMENTS is False.

    health_check=False leaves out Django's per-request `SELECT 1` (fetch_one checks by reading instead)."""
    db = connections[DEFAULT_DB_ALIAS]  # once: every attribute read through django.db.connection costs
    if not health_check and db.connection is not None:
        db.health_check_done = True  # type: ignore[attr-defined]
    if not settings.GATEWAY_PREPARED_STATEMENTS:
        return db.cursor()
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    if db.connection.prepare_threshold is None:
        # Django switches psycopg's preparation off for its connections, which disables prepare=True too.
        # Its own cursors bind parameters on the client (unless OPTIONS server_side_binding is set) and
        # never prepare, so switching it back on affects these cursors only.
        db.connection.prepare_threshold = PREPARE_THRESHOLD
    with db.wrap_database_errors:
        raw = PreparingCursor(db.connection)  # type: ignore[call-arg]
    return db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)  # type: ignore[arg-type]


def fetch_one(sql: str, params: list) -> tuple | None:
    """The first row of a read, in one round trip even as the request's first query.

    When Django has yet to check the persistent connection in this request, the read itself is the check:
    if it fails and the connection turns out to be unusable (the server restarted, a proxy dropped it), the
    connection is replaced and the read runs again, as the `SELECT 1` check would have had it. Reads only:
    running one twice changes nothing. Inside a transaction the connection cannot be replaced, so there the
    usual check runs first.
    """
    db = connections[DEFAULT_DB_ALIAS]
    unchecked = (
        db.connection is not None
        and db.health_check_enabled  # type: ignore[attr-defined]
        and not db.health_check_done  # type: ignore[attr-defined]
        and not db.in_atomic_block
    )
    try:
        with prepared_cursor(health_check=not unchecked) as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    except DatabaseError:
        if not unchecked or db.is_usable():
            raise
    db.close()
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


# What serving a call reads of each row: the checks, the quota, the upstream call, the records and the
# answer. The other fields are deferred, as with .only(): reading one costs a query (the timestamps alone
# would cost more to convert than the rest of the row, and the texts more to transfer).
CALL_FIELDS: dict[type[Model], tuple[str, ...]] = {
    AIModel: (
        "model_id", "developer_id", "display_name", "api_name", "api_key", "api_key_prefix", "status",
        "is_public", "is_served", "endpoint_url", "price_per_request", "consumer_monthly_limit", "category",
        "input_kinds", "output_kinds", "sunset_at", "replacement", "deprecated_at",
    ),
    Developer: ("developer_id", "user_id", "username", "api_quota", "status"),
    User: ("user_id", "username", "status", "is_active", "credit_balance"),
    UserApiKey: (
        "key_id", "user_id", "name", "key_hash", "key_prefix", "last_used_at", "spend_limit", "limit_period",
        "expires_at",
    ),
}  # fmt: skip


def _fields(model: type[Model]) -> list:
    """The fields read, in the model's own order: Model.from_db takes the values of the fields it is given
    in that order, whatever order their names come in."""
    wanted = set(CALL_FIELDS[model])
    fields = [field for field in model._meta.concrete_fields if {field.name, field.attname} & wanted]
    assert len(fields) == len(wanted), f"CALL_FIELDS names a field {model.__name__} does not have"
    return fields


def _columns(model: type[Model], alias: str) -> str:
    return ", ".join(f'{alias}."{field.column}"' for field in _fields(model))


def _loader(model: type[Model]) -> tuple[type[Model], int, int, list[str]]:
    fields = _fields(model)
    return model, len(fields), fields.index(model._meta.pk), [field.attname for field in fields]


LOADERS = {model: _loader(model) for model in CALL_FIELDS}


def _instances(row: tuple, models: list[type[Model]]) -> list[Any]:
    """One instance per model from consecutive columns of `row`; None where an outer join found nothing."""
    instances: list[Any] = []
    start = 0
    for model in models:
        model, width, pk_index, attnames = LOADERS[model]
        values = row[start : start + width]
        start += width
        if values[pk_index] is None:
            instances.append(None)
            continue
        instances.append(model.from_db(DEFAULT_DB_ALIAS, attnames, values))
    return instances


# A deprecated model's replacement (its id and api_name, for the 410's message and the Link header) comes
# in the same row, by a LEFT JOIN on the primary key that finds nothing for the models that have none.
REPLACEMENT_COLUMNS = 'r."model_id", r."api_name"'
REPLACEMENT_JOIN = "LEFT JOIN models r ON r.model_id = m.replacement_model_id"

MODEL_BY_KEY_SQL = f"""
SELECT {_columns(AIModel, "m")}, {_columns(Developer, "d")}, {_columns(User, "u")}, {REPLACEMENT_COLUMNS}
FROM models m
JOIN developers d ON d.developer_id = m.developer_id
JOIN users u ON u.user_id = d.user_id
{REPLACEMENT_JOIN}
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
       {_columns(UserApiKey, "k")}, {_columns(User, "ku")}, {REPLACEMENT_COLUMNS}
FROM (SELECT %s::text AS api_name, %s::text AS key_hash) AS wanted
LEFT JOIN (models m
           JOIN developers d ON d.developer_id = m.developer_id
           JOIN users u ON u.user_id = d.user_id
           {REPLACEMENT_JOIN}) ON m.api_name = wanted.api_name
LEFT JOIN (user_api_keys k
           JOIN users ku ON ku.user_id = k.user_id) ON k.key_hash = wanted.key_hash AND k.revoked_at IS NULL
"""


def _link_model(
    model: AIModel | None, developer: Developer | None, user: User | None, replacement: tuple = (None, None)
) -> AIModel | None:
    if model is not None:
        assert developer is not None  # inner-joined to the model: present whenever the model is
        Developer.user.field.set_cached_value(developer, user)
        AIModel.developer.field.set_cached_value(model, developer)
        AIModel.replacement.field.set_cached_value(model, _replacement(replacement))
    return model


def _replacement(values: tuple) -> AIModel | None:
    """The replacement's id and api_name as a model instance (its other fields deferred), or None."""
    if values[0] is None:
        return None
    return AIModel.from_db(DEFAULT_DB_ALIAS, ["model_id", "api_name"], values)


def _link_key(api_key: UserApiKey | None, user: User | None) -> UserApiKey | None:
    if api_key is not None:
        UserApiKey.user.field.set_cached_value(api_key, user)
    return api_key


def call_rows(*, api_name: str | None, key_hash: str | None) -> tuple[AIModel | None, UserApiKey | None]:
    """The named model and the unrevoked personal key with this hash (each loaded like the functions
    below, None when absent), in one query."""
    row = fetch_one(CALL_SQL, [api_name, key_hash])
    assert row is not None  # selected from the one-row `wanted`: there is always a row
    model, developer, user, api_key, key_user = _instances(
        row[:-2], [AIModel, Developer, User, UserApiKey, User]
    )
    return _link_model(model, developer, user, row[-2:]), _link_key(api_key, key_user)


def model_by_key_hash(*, key_hash: str) -> AIModel | None:
    """The model whose key has this hash, its developer and their account loaded."""
    row = fetch_one(MODEL_BY_KEY_SQL, [key_hash])
    if row is None:
        return None
    model, developer, user = _instances(row[:-2], [AIModel, Developer, User])
    return _link_model(model, developer, user, row[-2:])


def active_key_with_user(*, key_hash: str) -> UserApiKey | None:
    """The unrevoked personal key with this hash, its user loaded."""
    row = fetch_one(KEY_SQL, [key_hash])
    if row is None:
        return None
    return _link_key(*_instances(row, [UserApiKey, User]))
