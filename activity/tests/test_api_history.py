"""GET /api/v1/history and /api/v1/history/<history_id>: a personal key reads its own user's history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import keys
from accounts.models import UserStatus
from accounts.tests.factories import UserApiKeyFactory
from activity.api_history import HistoryEntryOut, HistoryPage
from activity.models import ApiUsageLog, HistoryStatus, UserHistory
from activity.tests.factories import UserHistoryFactory
from activity.tests.helpers import auth_header, invoke
from catalog.tests.factories import AIModelFactory


@pytest.fixture
def echo_model(dana, upstream, model_key):
    return AIModelFactory(
        developer=dana,
        api_name="echo",
        endpoint_url=f"{upstream.url}/echo",
        price_per_request=Decimal("0.0100"),
        key=model_key,
    )


def get(client, path: str, key: str | None, **params):
    return client.get(path, params, **auth_header(key))


def error_code(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()["error"]["code"]


def test_it_lists_the_calls_a_personal_key_made_newest_first_with_every_field(
    client, alice, alice_key, echo_model
):
    first = invoke(client, "echo", {"prompt": "first", "session_id": "s-1"}, alice_key).json()
    second = invoke(client, "echo", {"prompt": "second", "session_id": "s-1"}, alice_key).json()

    response = get(client, "/api/v1/history", alice_key)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    HistoryPage.model_validate(body)
    assert body["object"] == "list"
    assert body["next_cursor"] is None
    assert [entry["id"] for entry in body["data"]] == [second["history_id"], first["history_id"]]
    entry = body["data"][1]
    row = UserHistory.objects.get(pk=first["history_id"])
    assert entry == {
        "id": first["history_id"],
        "model": "echo",
        "session_id": "s-1",
        "prompt": "first",
        "response": row.response,
        "status": "completed",
        "request_timestamp": entry["request_timestamp"],
        "response_time_ms": row.response_time_ms,
        "cost": 0.01,
        "key": keys.display_prefix(alice_key),
    }
    assert dt.datetime.fromisoformat(entry["request_timestamp"]) == row.request_timestamp


def test_reading_the_history_writes_no_usage_log(client, alice, alice_key, echo_model):
    invoke(client, "echo", {"prompt": "one"}, alice_key)
    logs = ApiUsageLog.objects.count()

    get(client, "/api/v1/history", alice_key)
    history_id = UserHistory.objects.get().pk
    get(client, f"/api/v1/history/{history_id}", alice_key)

    assert ApiUsageLog.objects.count() == logs


def test_it_shows_only_the_callers_own_history(client, alice, bob, alice_key, model):
    UserHistoryFactory(user=bob, model=model, prompt="bob's secret")
    mine = UserHistoryFactory(user=alice, model=model, prompt="mine")

    body = get(client, "/api/v1/history", alice_key).json()

    assert [entry["id"] for entry in body["data"]] == [str(mine.pk)]


def test_one_entry_reads_back_by_its_id(client, alice, alice_key, model):
    entry = UserHistoryFactory(user=alice, model=model, api_key_used="playground", cost_incurred="0.0250")

    response = get(client, f"/api/v1/history/{entry.pk}", alice_key)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = HistoryEntryOut.model_validate(response.json())
    assert str(body.id) == str(entry.pk)
    assert body.model == model.api_name
    assert body.key == "playground"
    assert body.cost == 0.025


def test_another_users_entry_is_a_404_like_an_unknown_id(client, alice, bob, alice_key, model):
    theirs = UserHistoryFactory(user=bob, model=model)

    other = get(client, f"/api/v1/history/{theirs.pk}", alice_key)
    unknown = get(client, "/api/v1/history/00000000-0000-0000-0000-000000000000", alice_key)
    malformed = get(client, "/api/v1/history/not-an-id", alice_key)

    assert error_code(other, 404) == "not_found"
    assert other.json() == unknown.json()
    assert error_code(malformed, 404) == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/history", "/api/v1/history/00000000-0000-0000-0000-000000000000"])
def test_without_a_key_it_is_a_401(client, db, path):
    assert error_code(client.get(path), 401) == "missing_key"
    assert error_code(get(client, path, "amp_pk_nonsense"), 401) == "invalid_key"


@pytest.mark.parametrize("path", ["/api/v1/history", "/api/v1/history/00000000-0000-0000-0000-000000000000"])
def test_a_model_key_has_no_history_to_read(client, echo_model, model_key, path):
    response = get(client, path, model_key)

    assert error_code(response, 403) == "key_not_for_model"
    assert "personal key" in response.json()["error"]["message"]


def test_a_revoked_key_reads_nothing(client, alice, alice_key, model):
    UserHistoryFactory(user=alice, model=model)
    alice.api_keys.update(revoked_at=timezone.now())

    assert error_code(get(client, "/api/v1/history", alice_key), 401) == "invalid_key"


def test_a_suspended_users_key_reads_nothing(client, alice, alice_key, model):
    UserHistoryFactory(user=alice, model=model)
    alice.status = UserStatus.SUSPENDED
    alice.save()

    assert error_code(get(client, "/api/v1/history", alice_key), 403) == "account_suspended"


def test_a_key_in_the_query_string_is_refused(client, alice, alice_key):
    response = client.get("/api/v1/history", {"key": alice_key})

    assert error_code(response, 400) == "key_in_query"


def _same_second(alice, model, count: int) -> list[UserHistory]:
    """`count` entries of one session at one timestamp (sessions differ so the unique key holds)."""
    moment = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    return [
        UserHistoryFactory(user=alice, model=model, session_id=f"tie-{i}", request_timestamp=moment)
        for i in range(count)
    ]


def test_the_cursor_walks_every_entry_once_even_when_timestamps_are_equal(client, alice, alice_key, model):
    tied = _same_second(alice, model, 7)
    older = UserHistoryFactory(
        user=alice, model=model, request_timestamp=timezone.now() - dt.timedelta(days=2)
    )
    newer = UserHistoryFactory(user=alice, model=model, request_timestamp=timezone.now())
    expected = [newer.pk, *sorted((e.pk for e in tied), reverse=True), older.pk]

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        body = get(client, "/api/v1/history", alice_key, **params).json()
        pages += 1
        assert len(body["data"]) <= 3
        seen += [entry["id"] for entry in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert seen == [str(pk) for pk in expected]
    assert pages == 3  # 9 entries, 3 a page: the last page is full and says so with a null cursor


def test_the_limit_defaults_to_20_and_stops_at_100(client, alice, alice_key, model):
    for i in range(21):
        UserHistoryFactory(
            user=alice, model=model, request_timestamp=timezone.now() - dt.timedelta(minutes=i)
        )

    first = get(client, "/api/v1/history", alice_key).json()

    assert len(first["data"]) == 20 and first["next_cursor"]
    rest = get(client, "/api/v1/history", alice_key, cursor=first["next_cursor"]).json()
    assert len(rest["data"]) == 1 and rest["next_cursor"] is None
    assert len(get(client, "/api/v1/history", alice_key, limit=100).json()["data"]) == 21


@pytest.mark.parametrize(
    "params, where",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"status": "done"}, "status"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-13-01"}, "until"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WzEsMl0"}, "cursor"),  # base64 of [1,2]: a cursor's shape, not its content
        ({"session_id": "a\x00b"}, "session_id"),
    ],
)
def test_bad_filters_are_a_400_that_names_the_parameter(client, alice, alice_key, params, where):
    response = get(client, "/api/v1/history", alice_key, **params)

    assert error_code(response, 400) == "invalid_request"
    assert response.json()["error"]["message"].startswith(where)


def test_it_filters_by_model_status_session_and_time(client, alice, alice_key, dana, model):
    other = AIModelFactory(developer=dana, api_name="other-model")
    now = timezone.now()
    old = UserHistoryFactory(user=alice, model=model, request_timestamp=now - dt.timedelta(days=10))
    failed = UserHistoryFactory(
        user=alice, model=model, status=HistoryStatus.FAILED, session_id="s-x", request_timestamp=now
    )
    elsewhere = UserHistoryFactory(user=alice, model=other, request_timestamp=now - dt.timedelta(days=1))

    def ids(**params):
        return {entry["id"] for entry in get(client, "/api/v1/history", alice_key, **params).json()["data"]}

    assert ids(model="other-model") == {str(elsewhere.pk)}
    assert ids(model="no-such-model") == set()
    assert ids(status="failed") == {str(failed.pk)}
    assert ids(session_id="s-x") == {str(failed.pk)}
    day_before = (now - dt.timedelta(days=1)).astimezone(dt.UTC).date().isoformat()
    assert ids(since=day_before) == {str(failed.pk), str(elsewhere.pk)}
    assert ids(until=day_before) == {str(old.pk), str(elsewhere.pk)}  # a date includes its whole day
    assert ids(since=old.request_timestamp.isoformat(), until=old.request_timestamp.isoformat()) == {
        str(old.pk)
    }
    naive = (now - dt.timedelta(days=5)).astimezone(dt.UTC).replace(tzinfo=None).isoformat()
    assert ids(since=naive) == {str(failed.pk), str(elsewhere.pk)}  # no offset: UTC
    assert ids(since=day_before, until=old.request_timestamp.isoformat()) == set()  # an empty range


def test_a_filter_and_a_cursor_page_together(client, alice, alice_key, model):
    for i in range(5):
        UserHistoryFactory(
            user=alice, model=model, status=HistoryStatus.FAILED if i % 2 else HistoryStatus.COMPLETED,
            request_timestamp=timezone.now() - dt.timedelta(minutes=i),
        )  # fmt: skip

    first = get(client, "/api/v1/history", alice_key, status="completed", limit=2).json()
    second = get(
        client, "/api/v1/history", alice_key, status="completed", limit=2, cursor=first["next_cursor"]
    ).json()

    assert [e["status"] for e in first["data"] + second["data"]] == ["completed"] * 3
    assert second["next_cursor"] is None


def test_the_list_reads_a_fixed_number_of_queries(
    client, alice, alice_key, model, django_assert_max_num_queries
):
    for i in range(30):
        UserHistoryFactory(
            user=alice, model=model, request_timestamp=timezone.now() - dt.timedelta(minutes=i)
        )
    UserApiKeyFactory(user=alice)

    with django_assert_max_num_queries(3):  # the key with its user, last_used_at, the page
        response = get(client, "/api/v1/history", alice_key, limit=25)

    assert len(response.json()["data"]) == 25


def test_the_openapi_document_describes_both_endpoints(client, db):
    document = client.get("/api/v1/openapi.json").json()

    listing = document["paths"]["/api/v1/history"]["get"]
    detail = document["paths"]["/api/v1/history/{history_id}"]["get"]
    assert set(listing["responses"]) == {"200", "400", "401", "403"}
    assert set(detail["responses"]) == {"200", "400", "401", "403", "404"}
    assert listing["security"] == [{"bearerAuth": []}]
    parameters = {p["name"] for p in listing["parameters"]}
    assert parameters == {"limit", "cursor", "model", "status", "session_id", "since", "until"}


@pytest.mark.parametrize(
    "since",
    [
        "2026-12-01T00:00:00+20:50",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31",
        "2026-12-01 08:30",
        "2026-12-01T08:30:00Z",
    ],
)
def test_any_iso_date_or_date_time_is_accepted(client, alice, alice_key, since):
    # Offsets past PostgreSQL's 15:59 and instants beyond its years are read in UTC, never a 500.
    response = get(client, "/api/v1/history", alice_key, since=since, until="9999-12-31")

    assert response.status_code == 200, response.content


def test_a_cursor_is_the_last_entrys_position(client, alice, alice_key, model):
    entry = UserHistoryFactory(user=alice, model=model)
    older = UserHistoryFactory(
        user=alice, model=model, request_timestamp=entry.request_timestamp - dt.timedelta(microseconds=1)
    )
    UserHistoryFactory(
        user=alice, model=model, request_timestamp=entry.request_timestamp - dt.timedelta(days=1)
    )

    first = get(client, "/api/v1/history", alice_key, limit=1).json()
    second = get(client, "/api/v1/history", alice_key, limit=1, cursor=first["next_cursor"]).json()

    assert first["data"][0]["id"] == str(entry.pk)
    assert second["data"][0]["id"] == str(older.pk)  # a microsecond apart: the cursor keeps them apart
