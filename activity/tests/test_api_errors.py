"""Every refusal and failure of the call endpoints: status, stable code, log row, quota and headers."""

import json
import time
from decimal import Decimal

import pytest

from accounts import keys
from accounts.models import DeveloperStatus, UserStatus
from accounts.tests.factories import UserApiKeyFactory
from activity.models import ApiUsageLog, DeveloperMonthlyUsage, HistoryStatus, UserHistory
from activity.tests.helpers import auth_header, invoke, nul_in_answer, refused_url
from catalog.models import ModelStatus
from catalog.tests.factories import AIModelFactory


def not_json(handler, payload):
    return 200, b"<html>surprise</html>"


def wrong_shape(handler, payload):
    return 200, json.dumps({"answer": payload["prompt"]}).encode()


UPSTREAM_ROUTES = {"/not-json": not_json, "/wrong-shape": wrong_shape, "/nul": nul_in_answer}


@pytest.fixture
def echo_model(dana, upstream, model_key):
    return AIModelFactory(developer=dana, api_name="echo", endpoint_url=f"{upstream.url}/echo", key=model_key)


def quota_calls(developer) -> int:
    usage = DeveloperMonthlyUsage.objects.filter(developer=developer).first()
    return usage.calls if usage else 0


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body


def only_log(model, status: int) -> ApiUsageLog:
    log = ApiUsageLog.objects.get()
    assert log.model == model
    assert log.response_code == status
    return log


# 400 ---------------------------------------------------------------------------------------------------


def test_a_body_that_is_not_json_is_a_400_logged_and_not_counted(client, echo_model, alice_key, dana):
    response = invoke(client, "echo", "{not json", alice_key)

    assert_error(response, 400, "invalid_json")
    log = only_log(echo_model, 400)
    assert log.request_size == len(b"{not json")
    assert quota_calls(dana) == 0
    assert not UserHistory.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        '{"prompt": "hi", "parameters": {"temperature": NaN}}',
        '{"prompt": "hi", "parameters": {"temperature": Infinity}}',
        '{"prompt": "hi", "parameters": {"temperature": -Infinity}}',
        '{"prompt": "hi", "parameters": {"temperature": 1e999}}',
    ],
)
def test_numbers_json_does_not_have_are_a_400_logged_and_not_counted(
    client, echo_model, alice_key, dana, body
):
    response = invoke(client, "echo", body, alice_key)

    message = assert_error(response, 400, "invalid_json")["error"]["message"]
    assert "is not JSON" in message or "out of range" in message
    only_log(echo_model, 400)
    assert quota_calls(dana) == 0
    assert not UserHistory.objects.exists()


def test_large_but_finite_numbers_are_forwarded(client, echo_model, alice_key, dana):
    body = '{"prompt": "hi", "parameters": {"temperature": 1e308, "top_p": -2.5e-300}}'

    assert invoke(client, "echo", body, alice_key).status_code == 200
    assert quota_calls(dana) == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"prompt": ""},
        {"prompt": 12},
        {"prompt": "hi", "parameters": "x"},
        {"prompt": "hi", "extra": 1},
        [],
    ],
)
def test_missing_or_wrong_fields_are_a_400(client, echo_model, alice_key, body):
    assert_error(invoke(client, "echo", body, alice_key), 400, "invalid_request")
    only_log(echo_model, 400)


@pytest.mark.parametrize("body", [{"prompt": "a\u0000b"}, {"prompt": "hi", "session_id": "s\u0000"}])
def test_a_nul_character_in_the_prompt_or_session_is_a_400_logged_and_not_counted(
    client, echo_model, alice_key, dana, body
):
    # PostgreSQL text cannot hold NUL: refused before the quota, never a 500 at the history insert.
    assert_error(invoke(client, "echo", body, alice_key), 400, "invalid_request")
    only_log(echo_model, 400)
    assert quota_calls(dana) == 0
    assert not UserHistory.objects.exists()


def test_a_key_in_the_query_string_is_refused_even_with_a_good_header(client, echo_model, alice_key, dana):
    response = invoke(client, "echo", {"prompt": "hi"}, alice_key, query=f"?api_key={alice_key}")

    body = assert_error(response, 400, "key_in_query")
    assert "Authorization" in body["error"]["message"]
    log = only_log(echo_model, 400)
    assert alice_key not in log.api_key_used
    assert quota_calls(dana) == 0


def test_a_key_alone_in_the_query_string_is_refused(client, echo_model, alice_key):
    assert_error(invoke(client, "echo", {"prompt": "hi"}, query=f"?key={alice_key}"), 400, "key_in_query")


# 401 ---------------------------------------------------------------------------------------------------


def test_no_key_is_a_401_logged_without_a_key_prefix(client, echo_model):
    response = invoke(client, "echo", {"prompt": "hi"})

    assert_error(response, 401, "missing_key")
    log = only_log(echo_model, 401)
    assert log.api_key_used == ""
    assert log.user is None and log.developer is None
    assert "X-RateLimit-Limit" not in response


def test_a_non_bearer_authorization_is_a_401(client, echo_model):
    response = client.post(
        "/api/v1/models/echo/invoke",
        data="{}",
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic abc",
    )
    assert_error(response, 401, "missing_key")


@pytest.mark.parametrize(
    "make_key",
    [
        keys.generate_personal_key,  # well formed, unknown
        keys.generate_model_key,
        lambda: keys.generate_personal_key()[:-1] + "x",  # bad checksum
        lambda: "sk-not-ours-0123456789",
    ],
)
def test_a_wrong_key_is_a_401(client, echo_model, make_key):
    key = make_key()
    assert_error(invoke(client, "echo", {"prompt": "hi"}, key), 401, "invalid_key")
    log = only_log(echo_model, 401)
    assert log.api_key_used in ("", keys.display_prefix(key))


def test_a_revoked_personal_key_is_a_401(client, echo_model, alice):
    plain = keys.generate_personal_key()
    api_key = UserApiKeyFactory(user=alice, key=plain)
    api_key.revoke()
    api_key.save()

    assert_error(invoke(client, "echo", {"prompt": "hi"}, plain), 401, "invalid_key")


def test_an_unknown_model_with_no_key_is_a_401_and_writes_no_log(client, db):
    assert_error(invoke(client, "nothing-here", {"prompt": "hi"}), 401, "missing_key")
    assert not ApiUsageLog.objects.exists()


# 403 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [UserStatus.SUSPENDED, UserStatus.INACTIVE])
def test_a_suspended_or_inactive_user_is_a_403(client, echo_model, alice, alice_key, status, dana):
    alice.status = status
    alice.save()

    assert_error(invoke(client, "echo", {"prompt": "hi"}, alice_key), 403, "account_suspended")
    assert only_log(echo_model, 403).user == alice
    assert quota_calls(dana) == 0


def test_a_user_pending_verification_is_a_403(client, echo_model, pat):
    plain = keys.generate_personal_key()
    UserApiKeyFactory(user=pat, key=plain)

    assert_error(invoke(client, "echo", {"prompt": "hi"}, plain), 403, "account_not_verified")


@pytest.mark.parametrize("status", [DeveloperStatus.SUSPENDED, DeveloperStatus.INACTIVE])
def test_a_suspended_developers_model_key_is_a_403(client, echo_model, model_key, dana, status):
    dana.status = status
    dana.save()

    assert_error(invoke(client, "echo", {"prompt": "hi"}, model_key), 403, "account_suspended")


def test_a_developer_whose_login_is_suspended_cannot_use_the_model_key(client, echo_model, model_key, dana):
    dana.user.status = UserStatus.SUSPENDED
    dana.user.save()

    assert_error(invoke(client, "echo", {"prompt": "hi"}, model_key), 403, "account_suspended")


def test_a_model_key_may_not_call_another_public_model(client, echo_model, eve, upstream):
    other_key = keys.generate_model_key()
    AIModelFactory(developer=eve, api_name="eve-model", endpoint_url=f"{upstream.url}/echo", key=other_key)

    response = invoke(client, "echo", {"prompt": "hi"}, other_key)

    assert_error(response, 403, "key_not_for_model")
    log = only_log(echo_model, 403)
    assert log.developer == eve
    assert response["X-RateLimit-Limit"] == str(eve.api_quota)  # the key's own developer


# 404 ---------------------------------------------------------------------------------------------------


def test_an_unknown_model_is_a_404_without_a_log_row(client, alice_key):
    assert_error(invoke(client, "nothing-here", {"prompt": "hi"}, alice_key), 404, "model_not_found")
    assert not ApiUsageLog.objects.exists()


def test_a_model_name_with_a_nul_character_is_a_404_without_a_log_row(client, echo_model, alice_key):
    assert_error(invoke(client, "ec%00ho", {"prompt": "hi"}, alice_key), 404, "model_not_found")
    assert not ApiUsageLog.objects.exists()


def test_a_private_model_is_a_404_for_personal_keys_without_quota_headers(client, echo_model, alice_key):
    echo_model.is_public = False
    echo_model.save()

    response = invoke(client, "echo", {"prompt": "hi"}, alice_key)

    assert_error(response, 404, "model_not_found")
    assert "X-RateLimit-Limit" not in response
    only_log(echo_model, 404)


def test_a_model_key_calling_another_private_model_gets_a_404(client, echo_model, eve, upstream):
    other_key = keys.generate_model_key()
    AIModelFactory(developer=eve, api_name="eve-model", endpoint_url=f"{upstream.url}/echo", key=other_key)
    echo_model.is_public = False
    echo_model.save()

    assert_error(invoke(client, "echo", {"prompt": "hi"}, other_key), 404, "model_not_found")


@pytest.mark.parametrize("status", [ModelStatus.INACTIVE, ModelStatus.UNDER_REVIEW])
def test_an_inactive_model_is_a_404_even_for_its_own_key(client, echo_model, model_key, alice_key, status):
    echo_model.status = status
    echo_model.save()

    assert_error(invoke(client, "echo", {"prompt": "hi"}, alice_key), 404, "model_not_found")
    assert_error(invoke(client, "echo", {"prompt": "hi"}, model_key), 404, "model_not_found")


def test_a_suspended_developers_model_is_a_404_for_personal_keys(client, echo_model, alice_key, dana):
    dana.status = DeveloperStatus.SUSPENDED
    dana.save()

    assert_error(invoke(client, "echo", {"prompt": "hi"}, alice_key), 404, "model_not_found")


def test_unknown_api_paths_answer_in_the_error_shape(client, db):
    assert_error(client.get("/api/v1/nothing"), 404, "not_found")


# 410 ---------------------------------------------------------------------------------------------------


def test_a_deprecated_model_is_a_410_and_not_counted(client, echo_model, alice_key, dana):
    echo_model.status = ModelStatus.DEPRECATED
    echo_model.save()

    response = invoke(client, "echo", {"prompt": "hi"}, alice_key)

    assert_error(response, 410, "model_deprecated")
    only_log(echo_model, 410)
    assert quota_calls(dana) == 0
    assert response["X-RateLimit-Remaining"] == str(dana.api_quota)


# 413 ---------------------------------------------------------------------------------------------------


def test_a_prompt_over_the_limit_is_a_413_and_not_counted(client, echo_model, alice_key, dana, settings):
    settings.GATEWAY_MAX_PROMPT_CHARS = 10

    assert invoke(client, "echo", {"prompt": "x" * 10}, alice_key).status_code == 200
    response = invoke(client, "echo", {"prompt": "x" * 11}, alice_key)

    assert_error(response, 413, "prompt_too_large")
    assert ApiUsageLog.objects.filter(response_code=413).count() == 1
    assert quota_calls(dana) == 1
    assert UserHistory.objects.count() == 1


def test_a_body_over_the_upload_limit_is_a_413(client, echo_model, alice_key, settings):
    """Call bodies have a limit of their own, GATEWAY_MAX_BODY_BYTES (files travel in them as base64); the
    site's forms keep DATA_UPLOAD_MAX_MEMORY_SIZE."""
    settings.GATEWAY_MAX_BODY_BYTES = 1000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    response = invoke(client, "echo", {"prompt": "x" * 2000}, alice_key)

    assert_error(response, 413, "request_too_large")
    assert only_log(echo_model, 413).request_size > 2000


# 429 ---------------------------------------------------------------------------------------------------


def test_once_the_quota_is_spent_calls_get_429_with_retry_after(client, echo_model, alice_key, dana):
    dana.api_quota = 2
    dana.save()

    statuses = [invoke(client, "echo", {"prompt": "hi"}, alice_key) for _ in range(3)]

    assert [r.status_code for r in statuses] == [200, 200, 429]
    refused = statuses[-1]
    assert_error(refused, 429, "quota_exceeded")
    assert int(refused["Retry-After"]) > 0
    assert refused["X-RateLimit-Limit"] == "2"
    assert refused["X-RateLimit-Remaining"] == "0"
    assert abs(int(refused["X-RateLimit-Reset"]) - int(refused["Retry-After"]) - time.time()) < 5
    assert quota_calls(dana) == 2
    assert ApiUsageLog.objects.filter(response_code=429).count() == 1
    assert UserHistory.objects.count() == 2  # refused calls leave no history


def test_a_quota_of_zero_refuses_every_call(client, echo_model, alice_key, dana):
    dana.api_quota = 0
    dana.save()

    assert_error(invoke(client, "echo", {"prompt": "hi"}, alice_key), 429, "quota_exceeded")
    assert quota_calls(dana) == 0


# 502, 504 ----------------------------------------------------------------------------------------------


def test_an_upstream_error_is_a_502_that_counts_and_is_in_the_history_as_failed(
    client, echo_model, alice_key, dana, upstream
):
    echo_model.endpoint_url = f"{upstream.url}/fail"
    echo_model.save()

    response = invoke(client, "echo", {"prompt": "hi"}, alice_key)

    assert_error(response, 502, "upstream_error")
    assert "500" in response.json()["error"]["message"]
    assert quota_calls(dana) == 1
    assert response["X-RateLimit-Remaining"] == str(dana.api_quota - 1)
    only_log(echo_model, 502)
    row = UserHistory.objects.get()
    assert row.status == HistoryStatus.FAILED
    assert row.response == ""
    assert row.cost_incurred == Decimal("0")
    echo_model.refresh_from_db()
    assert echo_model.total_requests == 0


def test_an_unreachable_upstream_is_a_502(client, echo_model, alice_key, dana):
    echo_model.endpoint_url = refused_url()
    echo_model.save()

    assert_error(invoke(client, "echo", {"prompt": "hi"}, alice_key), 502, "upstream_unreachable")
    assert quota_calls(dana) == 1


def test_an_answer_over_the_size_cap_is_a_502(client, echo_model, alice_key, settings):
    settings.UPSTREAM_MAX_RESPONSE_BYTES = 200

    assert invoke(client, "echo", {"prompt": "x" * 100}, alice_key).status_code == 200
    response = invoke(client, "echo", {"prompt": "x" * 300}, alice_key)

    assert_error(response, 502, "upstream_response_too_large")


@pytest.mark.parametrize("path", ["/not-json", "/wrong-shape"])
def test_an_upstream_breaking_the_protocol_is_a_502(client, echo_model, alice_key, upstream, path):
    echo_model.endpoint_url = f"{upstream.url}{path}"
    echo_model.save()

    assert_error(invoke(client, "echo", {"prompt": "hi"}, alice_key), 502, "upstream_invalid_response")


def test_nul_characters_in_an_upstream_answer_are_dropped_not_a_500(client, echo_model, alice_key, upstream):
    echo_model.endpoint_url = f"{upstream.url}/nul"
    echo_model.save()

    response = invoke(client, "echo", {"prompt": "hi"}, alice_key)

    assert response.status_code == 200, response.content
    assert response.json()["response"] == "beforeafter"
    only_log(echo_model, 200)
    assert UserHistory.objects.get().response == "beforeafter"


def test_a_slow_upstream_is_a_504_recorded_as_timeout(
    client, echo_model, alice_key, dana, upstream, settings
):
    settings.UPSTREAM_READ_TIMEOUT = 0.3
    echo_model.endpoint_url = f"{upstream.url}/slow"
    echo_model.save()

    response = invoke(client, "echo", {"prompt": "hi", "parameters": {"seconds": 2}}, alice_key)

    assert_error(response, 504, "upstream_timeout")
    assert quota_calls(dana) == 1
    log = only_log(echo_model, 504)
    assert 250 <= log.processing_time_ms < 2000
    row = UserHistory.objects.get()
    assert row.status == HistoryStatus.TIMEOUT
    assert row.cost_incurred == Decimal("0")


def test_a_model_keys_failed_call_leaves_no_history(client, echo_model, model_key, upstream):
    echo_model.endpoint_url = f"{upstream.url}/fail"
    echo_model.save()

    assert invoke(client, "echo", {"prompt": "hi"}, model_key).status_code == 502
    assert not UserHistory.objects.exists()


def test_every_error_names_only_documented_codes(client, echo_model):
    from activity.gateway.errors import ERROR_CODES

    response = client.post(
        "/api/v1/models/echo/invoke", data=json.dumps({"prompt": "hi"}), content_type="application/json"
    )
    assert response.json()["error"]["code"] in ERROR_CODES


def test_method_other_than_post_is_refused(client, echo_model, alice_key):
    response = client.get("/api/v1/models/echo/invoke", **auth_header(alice_key))
    assert response.status_code == 405
