"""The rows every call leaves behind: one api_usage_logs row, and a user_history row for a user's calls,
with the settlement of a priced call's reservation (credit_settle: the reserved price released, the cost
charged, see activity.gateway.reservation).

All are written by one statement (a data-modifying WITH), so they land together in one round trip: a
call's history entry and its charge are never one without the other.
Counters (models.total_requests, total_users, model_daily_stats) follow from the triggers on these two
tables; nothing here touches them.

With settings.GATEWAY_ASYNC_COMMIT on (off by default) the commit does not wait for the WAL to reach
disk (synchronous_commit off for this statement only, as for the reservation): a database crash may then
lose the last fraction of a second of usage rows, never leave them half written.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from accounts.models import Developer, User
from activity.gateway.quota import async_commit_enabled
from activity.gateway.rows import prepared_cursor
from catalog.models import AIModel

ASYNC_COMMIT_CTE = """async_commit AS (
    SELECT set_config('synchronous_commit',
                      CASE WHEN %s::boolean THEN 'off' ELSE current_setting('synchronous_commit') END, true))"""

LOG_INSERT = """
INSERT INTO api_usage_logs (log_id, user_id, developer_id, model_id, api_key_used, request_method,
                            response_code, request_size, response_size, processing_time_ms, first_chunk_ms)
SELECT %s::uuid, %s::uuid, %s::uuid, %s::uuid, %s::text, %s::text, %s::integer, %s::integer, %s::integer,
       %s::integer, %s::integer
FROM async_commit
"""

LOG_SQL = f"WITH {ASYNC_COMMIT_CTE}{LOG_INSERT}"

HISTORY_INSERT = """
INSERT INTO user_history (history_id, user_id, model_id, session_id, prompt, response, status,
                          request_timestamp, response_time_ms, cost_incurred, ip_address, first_chunk_ms,
                          api_key_used)
VALUES (%s::uuid, %s::uuid, %s::uuid, %s::text, %s::text, %s::text, %s::text, %s::timestamptz, %s::integer,
        %s::numeric, %s::inet, %s::integer, %s::text)
ON CONFLICT (user_id, session_id, request_timestamp) DO NOTHING
"""

LOG_AND_HISTORY_SQL = f"""WITH {ASYNC_COMMIT_CTE}, history AS ({HISTORY_INSERT} RETURNING 1)
{LOG_INSERT} RETURNING (SELECT count(*) FROM history)
"""

# The settlement runs once, with the rows: the log's INSERT reads its one row (a SELECT in a WITH runs only
# when something reads it).
SETTLE_CTE = """settle AS (
    SELECT credit_settle(%s::uuid, %s::uuid, %s::uuid, %s::numeric, %s::numeric, %s::uuid, %s::timestamptz)
)"""

LOG_HISTORY_AND_SETTLE_SQL = f"""WITH {ASYNC_COMMIT_CTE}, {SETTLE_CTE}, history AS ({HISTORY_INSERT} RETURNING 1)
{LOG_INSERT.replace("FROM async_commit", "FROM async_commit, settle")} RETURNING (SELECT count(*) FROM history)
"""


@dataclass(frozen=True)
class Exchange:
    """What a user's call puts in their history."""

    history_id: uuid.UUID
    session_id: str
    prompt: str
    response: str
    status: str
    request_timestamp: datetime
    response_time_ms: int
    cost: Decimal
    ip_address: str | None
    # Streamed calls: from the call's start to the answer's first piece (None before any came).
    first_chunk_ms: int | None = None


def call_record(
    *,
    log_id: uuid.UUID,
    model: AIModel,
    user: User | None,
    developer: Developer | None,
    key_prefix: str,
    method: str,
    status_code: int,
    request_size: int,
    response_size: int,
    processing_ms: int,
    exchange: Exchange | None = None,
    first_chunk_ms: int | None = None,
    settlement: list | None = None,
) -> None:
    """Write the call's log row and, for a user's call, its history row, in one statement, with the
    settlement of its reservation when it holds credits (Reservation.settlement(), credit_settle's
    arguments).

    first_chunk_ms is a streamed call's time to the answer's first piece (None for calls not streamed)."""
    log: list[Any] = [
        log_id,
        user.pk if user else None,
        developer.pk if developer else None,
        model.pk,
        key_prefix,
        method,
        status_code,
        request_size,
        response_size,
        processing_ms,
        first_chunk_ms,
    ]
    with prepared_cursor() as cursor:
        if exchange is None or user is None:
            assert settlement is None, "credits are settled with the history entry they paid for"
            cursor.execute(LOG_SQL, [async_commit_enabled(), *log])
            return
        timestamp = exchange.request_timestamp
        history: list[Any] = [
            exchange.history_id,
            user.pk,
            model.pk,
            exchange.session_id,
            exchange.prompt,
            exchange.response,
            exchange.status,
            timestamp,
            exchange.response_time_ms,
            exchange.cost,
            exchange.ip_address,
            exchange.first_chunk_ms,
            key_prefix,
        ]
        if settlement is None:
            cursor.execute(LOG_AND_HISTORY_SQL, [async_commit_enabled(), *history, *log])
        else:
            cursor.execute(LOG_HISTORY_AND_SETTLE_SQL, [async_commit_enabled(), *settlement, *history, *log])
        saved = cursor.fetchone()[0]
        # (user, session, timestamp) is unique: two calls of one session within the same microsecond.
        while not saved:
            timestamp += timedelta(microseconds=1)
            history[7] = timestamp
            cursor.execute(HISTORY_INSERT + " RETURNING 1", history)
            saved = cursor.fetchone() is not None
