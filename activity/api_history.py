"""GET /api/v1/history and /api/v1/history/<history_id>: a personal key reads its user's own history.

A router of the API (activity.api adds it under /history), so errors come out in the API's shape through
its exception handlers. Only a personal key (amp_pk_…) reads a history: it is its user's; a model key is
its developer's and has none (403 key_not_for_model). Another user's entry is a 404 not_found, exactly as
an id nobody has, so an id tells nothing. These reads name no model, so they leave no usage log.

The list pages with an opaque cursor over (request_timestamp, history_id), newest first: a row comparison
that the history's index (user_history_user_ts_idx) answers as a range, so the hundredth page costs what
the first does, and entries with the same timestamp are neither repeated nor skipped.
"""

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated, Literal

from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse
from django.utils.dateparse import parse_date, parse_datetime
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import WithJsonSchema

from accounts.models import User
from activity.gateway import auth
from activity.gateway.call import refuse_key_in_query
from activity.gateway.errors import error
from activity.gateway.schemas import ErrorOut, Text
from activity.models import HistoryStatus, UserHistory

if TYPE_CHECKING:
    StatusValue = str
else:
    StatusValue = Literal[tuple(value for value, _ in HistoryStatus.choices)]

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
ENTRY_COLUMNS = (
    "history_id",
    "session_id",
    "prompt",
    "response",
    "status",
    "request_timestamp",
    "response_time_ms",
    "cost_incurred",
    "api_key_used",
    "model__api_name",
)
AFTER_CURSOR_SQL = "(user_history.request_timestamp, user_history.history_id) < (%s, %s::uuid)"

router = Router(tags=["history"])

# A cursor is the last entry's request_timestamp in microseconds since 1970 (UTC) and its history_id: every
# string of this shape is a position in the list, so the published pattern is the whole rule.
CURSOR_PATTERN = r"^[0-9]{1,16}_[0-9a-f]{32}$"
Cursor = Annotated[str, Field(pattern=CURSOR_PATTERN)]
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Published as an ISO date or date-time; checked by parse_moment, with a message naming the parameter.
Moment = Annotated[
    str,
    Field(max_length=40),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}
    ),
]


class HistoryQuery(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Entries per page, 1 to 100.")
    cursor: Cursor | None = Field(
        None, description="The `next_cursor` of the page before (opaque); absent for the first page."
    )
    model: Text | None = Field(None, max_length=100, description="Only calls of this model (its api_name).")
    status: StatusValue | None = Field(None, description="Only calls that ended with this status.")
    session_id: Text | None = Field(None, max_length=100, description="Only calls of this session.")
    since: Moment | None = Field(
        None,
        description="Only calls at or after this time: an ISO date (from its start, UTC) or date-time "
        "(UTC when it names no offset).",
    )
    until: Moment | None = Field(
        None, description="Only calls at or before this time: an ISO date (to its end, UTC) or date-time."
    )


class HistoryEntryOut(Schema):
    id: uuid.UUID = Field(description="The entry's history_id.")
    model: str = Field(description="The model called, by api_name.")
    session_id: str
    prompt: str
    response: str
    status: StatusValue
    # Text in full ISO 8601, microseconds included (the JSON encoder would cut them to milliseconds), so a
    # timestamp read here can be passed back as `since` or `until` and name the same instant.
    request_timestamp: str = Field(
        json_schema_extra={"format": "date-time"}, description="When the call arrived (UTC)."
    )
    response_time_ms: int | None
    cost: float = Field(description="What the call cost, in credits (dollars).")
    key: str = Field(
        description="The personal key's prefix the call was made with, `playground` for the browser "
        "playground, empty for calls from before keys were noted."
    )


class HistoryPage(Schema):
    object: Literal["list"] = "list"
    data: list[HistoryEntryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


OPENAPI = {"security": [{"bearerAuth": []}]}
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut}


def history_owner(request: HttpRequest) -> User:
    """The user whose history the request's personal key reads; 400/401/403 GatewayError otherwise."""
    refuse_key_in_query(request)
    caller = auth.authenticate(token=auth.bearer_token(request.headers.get("Authorization")))
    if caller.user is None:
        raise error(
            "key_not_for_model",
            "A model key has no history: read a history with its user's personal key (amp_pk_…).",
        )
    return caller.user


def encode_cursor(entry: UserHistory) -> str:
    micros = (entry.request_timestamp - EPOCH) // dt.timedelta(microseconds=1)
    return f"{micros}_{entry.history_id.hex}"


def decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID]:
    micros, _, history_id = cursor.partition("_")
    return EPOCH + dt.timedelta(microseconds=int(micros)), uuid.UUID(hex=history_id)


def parse_moment(name: str, value: str, *, end_of_day: bool) -> dt.datetime:
    """An ISO date or date-time as an aware UTC moment; a date means its first instant (its last with
    `end_of_day`). A 400 invalid_request for anything else."""
    problem = error(
        "invalid_request",
        f"{name}: {value[:40]!r} is not an ISO date (2026-12-01) or date-time (2026-12-01T08:30:00Z).",
    )
    try:
        day = parse_date(value)
        moment = None if day is not None else parse_datetime(value)
    except ValueError:
        raise problem from None
    if day is not None:
        return dt.datetime.combine(day, dt.time.max if end_of_day else dt.time.min, tzinfo=dt.UTC)
    if moment is None:
        raise problem
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    # In UTC for PostgreSQL, which reads offsets of at most 15:59 (Python's go to 23:59); an instant
    # before the year 1 or after 9999 in UTC is the end of the range it falls past.
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        edge = dt.datetime.min if moment.year == 1 else dt.datetime.max
        return edge.replace(tzinfo=dt.UTC)


def filtered_history(user: User, query: HistoryQuery) -> QuerySet[UserHistory]:
    rows = UserHistory.objects.for_user(user)
    if query.model:
        rows = rows.filter(model__api_name=query.model)
    if query.status:
        rows = rows.filter(status=query.status)
    if query.session_id:
        rows = rows.filter(session_id=query.session_id)
    since = parse_moment("since", query.since, end_of_day=False) if query.since else None
    until = parse_moment("until", query.until, end_of_day=True) if query.until else None
    if since is not None:
        rows = rows.filter(request_timestamp__gte=since)
    if until is not None:
        rows = rows.filter(request_timestamp__lte=until)
    if query.cursor:
        moment, history_id = decode_cursor(query.cursor)
        after = RawSQL(AFTER_CURSOR_SQL, [moment, str(history_id)], output_field=BooleanField())
        rows = rows.filter(after)
    return rows.select_related("model").only(*ENTRY_COLUMNS).newest_first()


def entry_out(entry: UserHistory) -> dict:
    return {
        "id": entry.history_id,
        "model": entry.model.api_name,
        "session_id": entry.session_id,
        "prompt": entry.prompt,
        "response": entry.response,
        "status": entry.status,
        "request_timestamp": entry.request_timestamp.isoformat(),
        "response_time_ms": entry.response_time_ms,
        "cost": float(entry.cost_incurred),
        "key": entry.api_key_used,
    }


@router.get(
    "",
    response={200: HistoryPage, **ERRORS},
    summary="Your history, newest first",
    openapi_extra=OPENAPI,
)
def history_list(request: HttpRequest, response: HttpResponse, query: Query[HistoryQuery]):
    """The calling personal key's user's calls (API and playground), newest first, `limit` at a time;
    follow `next_cursor` for the next page. A model key has no history (403 key_not_for_model)."""
    user = history_owner(request)
    entries = list(filtered_history(user, query)[: query.limit + 1])
    more = len(entries) > query.limit
    entries = entries[: query.limit]
    response["Cache-Control"] = "no-store"
    return Status(
        200,
        {
            "object": "list",
            "data": [entry_out(entry) for entry in entries],
            "next_cursor": encode_cursor(entries[-1]) if more else None,
        },
    )


@router.get(
    "/{history_id}",
    response={200: HistoryEntryOut, **ERRORS, 404: ErrorOut},
    summary="One entry of your history",
    openapi_extra=OPENAPI,
)
def history_retrieve(request: HttpRequest, response: HttpResponse, history_id: str):
    """One entry of the calling personal key's user's history; another user's entry is a 404 not_found,
    as an unknown id is."""
    user = history_owner(request)
    try:
        entry_id = uuid.UUID(history_id)
    except ValueError:
        entry_id = None
    entry = (
        UserHistory.objects.for_user(user)
        .select_related("model")
        .only(*ENTRY_COLUMNS)
        .filter(pk=entry_id)
        .first()
        if entry_id is not None
        else None
    )
    if entry is None:
        raise error("not_found", "No entry of your history has that id.")
    response["Cache-Control"] = "no-store"
    return Status(200, entry_out(entry))
