"""POST /api/v1/models/<api_name>/invoke: successful calls, their answer, log and history rows."""

import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import keys
from accounts.tests.factories import UserApiKeyFactory
from activity.gateway.quota import next_month_start
from activity.gateway.schemas import InvokeOut
from activity.models import ApiUsageLog, DeveloperMonthlyUsage, HistoryStatus, UserHistory
from activity.tests.helpers import chat, invoke
from catalog.tests.factories import AIModelFactory


@pytest.fixture
def echo_model(dana, upstream, model_key):
    return AIModelFactory(
        developer=dana,
        api_name="echo",
        endpoint_url=f"{upstream.url}/echo",
        price_per_request=Decimal("0.0250"),
        key=model_key,
    )


@pytest.fixture
def alice_key(alice):
    plain = keys.generate_personal_key()
    UserApiKeyFactory(user=alice, key=plain, name="laptop")
    return plain


def test_a_personal_key_gets_the_models_answer_with_ids_latency_and_cost(client, echo_model, alice_key):
    response = invoke(client, "echo", {"prompt": "Hello there", "session_id": "s-1"}, alice_key)

    assert response.status_code == 200
    body = response.json()
    InvokeOut.model_validate(body)
    assert body["object"] == "invocation"
    assert body["model"] == "echo"
    assert body["response"] == "Hello there"
    assert body["session_id"] == "s-1"
    assert body["cost"] == 0.025
    assert isinstance(body["latency_ms"], int) and body["latency_ms"] >= 0
    assert ApiUsageLog.objects.filter(pk=body["id"]).exists()
    assert UserHistory.objects.filter(pk=body["history_id"]).exists()


def test_it_writes_one_log_row_field_by_field_for_a_personal_key(client, echo_model, alice, alice_key):
    response = invoke(client, "echo", {"prompt": "Hello there"}, alice_key)

    log = ApiUsageLog.objects.get()
    assert str(log.log_id) == response.json()["id"]
    assert log.model == echo_model
    assert log.user == alice
    assert log.developer is None
    assert log.api_key_used == keys.display_prefix(alice_key)
    assert alice_key not in log.api_key_used
    assert log.request_method == "POST"
    assert log.response_code == 200
    assert log.request_size == len(json.dumps({"prompt": "Hello there"}).encode())
    assert log.response_size == len(response.content)
    assert 0 <= log.processing_time_ms < 5000
    assert log.processing_time_ms == response.json()["latency_ms"]


def test_it_writes_the_history_row_field_by_field(client, echo_model, alice, alice_key):
    before = timezone.now()
    response = invoke(client, "echo", {"prompt": "Hello there", "session_id": "s-42"}, alice_key)

    row = UserHistory.objects.get()
    body = response.json()
    assert str(row.history_id) == body["history_id"]
    assert row.user == alice
    assert row.model == echo_model
    assert row.session_id == "s-42"
    assert row.prompt == "Hello there"
    assert row.response == "Hello there"
    assert row.status == HistoryStatus.COMPLETED
    assert before <= row.request_timestamp <= timezone.now()
    assert row.response_time_ms == body["latency_ms"]
    assert row.cost_incurred == Decimal("0.0250")
    assert row.ip_address == "127.0.0.1"
    assert row.user_rating is None


def test_it_makes_a_session_id_when_none_is_given(client, echo_model, alice_key):
    first = invoke(client, "echo", {"prompt": "one"}, alice_key).json()
    second = invoke(client, "echo", {"prompt": "two"}, alice_key).json()

    assert first["session_id"].startswith("sess_")
    assert first["session_id"] != second["session_id"]
    assert UserHistory.objects.get(pk=first["history_id"]).session_id == first["session_id"]


def test_it_passes_parameters_to_the_upstream(client, dana, upstream, alice_key):
    AIModelFactory(developer=dana, api_name="translator", endpoint_url=f"{upstream.url}/translate")

    response = invoke(
        client, "translator", {"prompt": "Hello friend", "parameters": {"target": "es"}}, alice_key
    )

    assert response.json()["response"] == "Hola amigo"


def test_a_model_key_calls_its_own_model_logged_for_its_developer_without_history(
    client, echo_model, model_key, dana
):
    response = invoke(client, "echo", {"prompt": "ping"}, model_key)

    assert response.status_code == 200
    body = response.json()
    assert body["history_id"] is None
    assert body["cost"] == 0
    log = ApiUsageLog.objects.get()
    assert log.developer == dana
    assert log.user is None
    assert log.api_key_used == echo_model.api_key_prefix == keys.display_prefix(model_key)
    assert not UserHistory.objects.exists()


def test_a_model_key_may_call_its_own_private_model(client, dana, upstream):
    plain = keys.generate_model_key()
    AIModelFactory(
        developer=dana, api_name="secret", endpoint_url=f"{upstream.url}/echo", is_public=False, key=plain
    )

    assert invoke(client, "secret", {"prompt": "ping"}, plain).status_code == 200


def test_it_counts_the_call_against_the_developers_quota_and_says_so_in_headers(
    client, echo_model, alice_key, dana
):
    dana.api_quota = 5
    dana.save()

    response = invoke(client, "echo", {"prompt": "ping"}, alice_key)

    usage = DeveloperMonthlyUsage.objects.get(developer=dana)
    assert usage.calls == 1
    assert usage.month == timezone.now().date().replace(day=1)
    assert response["X-RateLimit-Limit"] == "5"
    assert response["X-RateLimit-Remaining"] == "4"
    assert int(response["X-RateLimit-Reset"]) == int(next_month_start(timezone.now()).timestamp())


def test_the_counters_follow_from_the_triggers(client, echo_model, alice_key):
    invoke(client, "echo", {"prompt": "one"}, alice_key)
    invoke(client, "echo", {"prompt": "two"}, alice_key)

    echo_model.refresh_from_db()
    assert echo_model.total_requests == 2
    assert echo_model.total_users == 1


def test_it_keeps_last_used_at_without_writing_it_on_every_call(client, echo_model, alice):
    plain = keys.generate_personal_key()
    api_key = UserApiKeyFactory(user=alice, key=plain)

    invoke(client, "echo", {"prompt": "one"}, plain)
    api_key.refresh_from_db()
    first_use = api_key.last_used_at
    assert first_use is not None

    invoke(client, "echo", {"prompt": "two"}, plain)
    api_key.refresh_from_db()
    assert api_key.last_used_at == first_use

    type(api_key).objects.filter(pk=api_key.pk).update(last_used_at=first_use - timedelta(minutes=2))
    invoke(client, "echo", {"prompt": "three"}, plain)
    api_key.refresh_from_db()
    assert api_key.last_used_at > first_use


def test_the_hot_path_runs_a_fixed_handful_of_queries(
    client, echo_model, alice_key, django_assert_max_num_queries
):
    invoke(client, "echo", {"prompt": "warm up"}, alice_key)  # last_used_at written on first use

    # The model with the key, the quota upsert, then one statement writing the log and history rows.
    with django_assert_max_num_queries(3):
        response = invoke(client, "echo", {"prompt": "hello"}, alice_key)
    assert response.status_code == 200


@pytest.mark.parametrize("caller", ["personal key", "model key", "personal key, chat"])
def test_a_call_reads_no_field_its_rows_left_out(
    client, echo_model, alice_key, model_key, caller, django_assert_num_queries
):
    """The call's rows are loaded with the fields it uses only (rows.CALL_FIELDS): reading any other would
    cost a query of its own here."""
    key = model_key if caller == "model key" else alice_key
    invoke(client, "echo", {"prompt": "warm up"}, key)  # last_used_at written on first use

    with django_assert_num_queries(3):
        if caller.endswith("chat"):
            body = {"model": "echo", "messages": [{"role": "user", "content": "hello"}]}
            response = chat(client, body, key)
        else:
            response = invoke(client, "echo", {"prompt": "hello"}, key)
    assert response.status_code == 200, response.content

    # The key with its rows, then the quota (model key) or the key's calls and its period's spending.
    with django_assert_num_queries(2 if caller == "model key" else 3):
        key_response = client.get("/api/v1/key", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert key_response.status_code == 200, key_response.content


def test_it_also_works_without_prepared_statements_or_asynchronous_commits(
    client, echo_model, alice_key, settings, django_assert_max_num_queries
):
    settings.GATEWAY_PREPARED_STATEMENTS = False
    settings.GATEWAY_ASYNC_COMMIT = False

    with django_assert_max_num_queries(4):  # + last_used_at, written on a key's first use
        response = invoke(client, "echo", {"prompt": "hello"}, alice_key)

    assert response.status_code == 200
    assert UserHistory.objects.get().response == "hello"


def test_it_ignores_csrf_since_calls_carry_a_bearer_key(echo_model, alice_key):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert invoke(strict, "echo", {"prompt": "hello"}, alice_key).status_code == 200


def test_the_ids_it_returns_are_uuids(client, echo_model, alice_key):
    body = invoke(client, "echo", {"prompt": "hello"}, alice_key).json()
    uuid.UUID(body["id"])
    uuid.UUID(body["history_id"])
