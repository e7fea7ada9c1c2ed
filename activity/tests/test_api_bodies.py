"""Bodies the call endpoints refuse before anything counts: not JSON in UTF-8, lone surrogates, nesting past
GATEWAY_MAX_JSON_DEPTH, a Content-Type other than application/json. Each is a 400, never a 500; no call of
the developer's quota is reserved, yet a call that names an existing model leaves its one usage row."""

import json

import pytest

from activity.gateway.call import load_json
from activity.models import ApiUsageLog, DeveloperMonthlyUsage, UserHistory
from activity.tests.helpers import auth_header
from catalog.tests.factories import AIModelFactory

QUOTA = 50


@pytest.fixture
def echo_model(dana, upstream):
    dana.api_quota = QUOTA
    dana.save()
    return AIModelFactory(developer=dana, api_name="echo", endpoint_url=f"{upstream.url}/echo")


@pytest.fixture
def chatty(echo_model, dana, upstream):
    return AIModelFactory(developer=dana, api_name="chatty", endpoint_url=f"{upstream.url}/chat/completions")


def post(client, path: str, body: str | bytes, key: str | None, content_type: str = "application/json"):
    return client.post(path, data=body, content_type=content_type, **auth_header(key))


def invoke_raw(client, body, key, **kwargs):
    return post(client, "/api/v1/models/echo/invoke", body, key, **kwargs)


def chat_raw(client, body, key, **kwargs):
    return post(client, "/api/v1/chat/completions", body, key, **kwargs)


def quota_calls(developer) -> int:
    usage = DeveloperMonthlyUsage.objects.filter(developer=developer).first()
    return usage.calls if usage else 0


def assert_refused_before_counting(response, model, code: str, developer) -> str:
    """A 400 with `code`, one usage row for `model`, no history, no quota reserved; the message."""
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"]["code"] == code
    log = ApiUsageLog.objects.get()
    assert log.model == model
    assert log.response_code == 400
    assert not UserHistory.objects.exists()
    assert quota_calls(developer) == 0
    return body["error"]["message"]


def nested(depth: int, inner: str = "1") -> str:
    """JSON text of `depth` nested arrays around `inner`."""
    return "[" * depth + inner + "]" * depth


# Lone surrogates --------------------------------------------------------------------------------------

LONE = "\\ud800"  # as the JSON text carries it: an escape, six ASCII characters

INVOKE_SURROGATES = {
    "prompt": '{"prompt": "hi ' + LONE + '"}',
    "low surrogate alone": '{"prompt": "hi \\udfff"}',
    "high surrogate then not a low one": '{"prompt": "\\ud83d\\u0041"}',
    "session_id": '{"prompt": "hi", "session_id": "s' + LONE + '"}',
    "parameters value": '{"prompt": "hi", "parameters": {"target": "' + LONE + '"}}',
    "parameters key": '{"prompt": "hi", "parameters": {"' + LONE + '": 1}}',
    "nested parameters": '{"prompt": "hi", "parameters": {"a": [{"b": [["' + LONE + '"]]}]}}',
    "top-level key": '{"prompt": "hi", "' + LONE + '": 1}',
}


@pytest.mark.parametrize("body", INVOKE_SURROGATES.values(), ids=INVOKE_SURROGATES.keys())
def test_a_lone_surrogate_anywhere_in_an_invoke_body_is_a_400_before_the_quota(
    client, echo_model, alice_key, dana, body
):
    response = invoke_raw(client, body, alice_key)

    message = assert_refused_before_counting(response, echo_model, "invalid_json", dana)
    assert "surrogate" in message
    assert response["X-RateLimit-Limit"] == str(QUOTA)
    assert response["X-RateLimit-Remaining"] == str(QUOTA)


def test_the_refusal_names_where_the_surrogate_is(client, echo_model, alice_key):
    body = '{"prompt": "hi", "parameters": {"a": [0, "' + LONE + '"]}}'

    message = invoke_raw(client, body, alice_key).json()["error"]["message"]

    assert message.startswith("parameters.a.1: ")


CHAT_SURROGATES = {
    "message content": '{"model": "chatty", "messages": [{"role": "user", "content": "' + LONE + '"}]}',
    "content part": (
        '{"model": "chatty", "messages": [{"role": "user", "content": [{"type": "text", "text": "'
        + LONE
        + '"}]}]}'
    ),
    "extra parameter": (
        '{"model": "chatty", "messages": [{"role": "user", "content": "hi"}], "user": "' + LONE + '"}'
    ),
    "nested extra": (
        '{"model": "chatty", "messages": [{"role": "user", "content": "hi"}], '
        '"metadata": {"k": [{"v": "' + LONE + '"}]}}'
    ),
    "message field": (
        '{"model": "chatty", "messages": [{"role": "user", "content": "hi", "name": "' + LONE + '"}]}'
    ),
}


@pytest.mark.parametrize("body", CHAT_SURROGATES.values(), ids=CHAT_SURROGATES.keys())
def test_a_lone_surrogate_anywhere_in_a_chat_body_is_a_400_before_the_quota(
    client, chatty, alice_key, dana, body
):
    response = chat_raw(client, body, alice_key)

    assert "surrogate" in assert_refused_before_counting(response, chatty, "invalid_json", dana)


def test_a_model_name_with_a_lone_surrogate_is_no_model(client, chatty, alice_key, dana):
    body = '{"model": "chatty' + LONE + '", "messages": [{"role": "user", "content": "hi"}]}'

    response = chat_raw(client, body, alice_key)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert not ApiUsageLog.objects.exists()  # no model of that name: nothing to log it under
    assert quota_calls(dana) == 0


@pytest.mark.parametrize(
    "prompt_json, expected",
    [
        ('"smile \\ud83d\\ude00"', "smile \U0001f600"),  # an escaped pair is one character
        ('"\\\\ud800"', "\\ud800"),  # an escaped backslash: six characters of text, no surrogate
        ('"caf\u00e9 \u65e5\u672c"', "caf\u00e9 \u65e5\u672c"),  # UTF-8 as it is
    ],
)
def test_valid_unicode_is_forwarded(client, echo_model, alice_key, dana, prompt_json, expected):
    response = invoke_raw(client, '{"prompt": ' + prompt_json + "}", alice_key)

    assert response.status_code == 200, response.content
    assert response.json()["response"] == expected
    assert UserHistory.objects.get().prompt == expected
    assert quota_calls(dana) == 1


# Not UTF-8 --------------------------------------------------------------------------------------------

NOT_UTF8 = {
    "invalid byte": b'{"prompt": "caf\xe9"}',
    "lone continuation byte": b'{"prompt": "\x80"}',
    "encoded surrogate": b'{"prompt": "\xed\xa0\x80"}',
    "overlong encoding": b'{"prompt": "\xc0\xaf"}',
    "truncated sequence": b'{"prompt": "\xe6\x97"}',
    "UTF-16": '{"prompt": "hi"}'.encode("utf-16"),
    "UTF-32 without BOM": '{"prompt": "hi"}'.encode("utf-32-le"),
}


@pytest.mark.parametrize("body", NOT_UTF8.values(), ids=NOT_UTF8.keys())
def test_a_body_that_is_not_utf8_is_a_400_before_the_quota(client, echo_model, alice_key, dana, body):
    response = invoke_raw(client, body, alice_key)

    assert_refused_before_counting(response, echo_model, "invalid_json", dana)
    assert ApiUsageLog.objects.get().request_size == len(body)


def test_a_chat_body_that_is_not_utf8_is_still_logged_under_its_model(client, chatty, alice_key, dana):
    body = b'{"model": "chatty", "messages": [{"role": "user", "content": "caf\xe9"}]}'

    response = chat_raw(client, body, alice_key)

    assert "UTF-8" in assert_refused_before_counting(response, chatty, "invalid_json", dana)


# Nesting ----------------------------------------------------------------------------------------------


def test_nesting_up_to_the_limit_is_forwarded(client, echo_model, alice_key, dana, settings):
    # The body is level 1 and parameters level 2: 62 arrays inside reach the 64 levels allowed.
    assert settings.GATEWAY_MAX_JSON_DEPTH == 64
    body = '{"prompt": "hi", "parameters": {"deep": ' + nested(62) + "}}"

    response = invoke_raw(client, body, alice_key)

    assert response.status_code == 200, response.content
    assert quota_calls(dana) == 1


@pytest.mark.parametrize("depth", [63, 200, 5_000])
def test_nesting_past_the_limit_is_a_400_before_the_quota(client, echo_model, alice_key, dana, depth):
    body = '{"prompt": "hi", "parameters": {"deep": ' + nested(depth) + "}}"

    response = invoke_raw(client, body, alice_key)

    message = assert_refused_before_counting(response, echo_model, "invalid_json", dana)
    assert "deeper than 64 levels" in message
    assert response["X-RateLimit-Remaining"] == str(QUOTA)


def test_the_limit_is_a_setting(client, echo_model, alice_key, dana, settings):
    settings.GATEWAY_MAX_JSON_DEPTH = 3
    allowed = '{"prompt": "hi", "parameters": {"a": [1]}}'
    too_deep = '{"prompt": "hi", "parameters": {"a": [[1]]}}'

    assert invoke_raw(client, allowed, alice_key).status_code == 200
    response = invoke_raw(client, too_deep, alice_key)

    assert response.status_code == 400
    assert response.json()["error"]["message"].endswith("deeper than 3 levels at parameters.a.0.")
    assert quota_calls(dana) == 1


def test_a_deep_chat_body_is_logged_under_its_model(client, chatty, alice_key, dana):
    body = '{"model": "chatty", "messages": [{"role": "user", "content": "hi"}], "x": ' + nested(300) + "}"

    response = chat_raw(client, body, alice_key)

    assert_refused_before_counting(response, chatty, "invalid_json", dana)


FIFTY_THOUSAND = nested(50_000, "")


@pytest.mark.parametrize("endpoint", [invoke_raw, chat_raw], ids=["invoke", "chat"])
@pytest.mark.parametrize("key", ["alice", None], ids=["with a key", "without a key"])
def test_fifty_thousand_nested_arrays_never_give_a_500(client, echo_model, alice_key, dana, endpoint, key):
    response = endpoint(client, FIFTY_THOUSAND, alice_key if key else None)

    expected = ("invalid_json", 400) if key else ("missing_key", 401)
    assert (response.json()["error"]["code"], response.status_code) == expected
    assert quota_calls(dana) == 0
    assert not UserHistory.objects.exists()
    # invoke names its model in the path, so it is logged; this chat body names none.
    assert ApiUsageLog.objects.count() == (1 if endpoint is invoke_raw else 0)


def test_fifty_thousand_nested_objects_never_give_a_500(client, echo_model, alice_key, dana):
    body = '{"prompt": "hi", "parameters": ' + '{"a":' * 50_000 + "1" + "}" * 50_000 + "}"

    assert_refused_before_counting(invoke_raw(client, body, alice_key), echo_model, "invalid_json", dana)


# Content-Type -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonx",
        "application/json-patch+json",
        "application/json; charset=latin-1",
        "application/json; charset=utf-16",
        "",  # none
    ],
)
def test_a_content_type_other_than_json_is_a_400_before_the_quota(
    client, echo_model, alice_key, dana, content_type
):
    response = invoke_raw(client, '{"prompt": "hi"}', alice_key, content_type=content_type)

    message = assert_refused_before_counting(response, echo_model, "invalid_request", dana)
    assert "Content-Type" in message or "UTF-8" in message
    assert response["X-RateLimit-Remaining"] == str(QUOTA)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON; charset=UTF-8",
        "application/json;charset=utf8",
    ],
)
def test_json_with_or_without_a_utf8_charset_is_accepted(client, echo_model, alice_key, dana, content_type):
    response = invoke_raw(client, '{"prompt": "hi"}', alice_key, content_type=content_type)

    assert response.status_code == 200, response.content
    assert quota_calls(dana) == 1


def test_a_chat_call_with_the_wrong_content_type_is_logged_under_its_model(client, chatty, alice_key, dana):
    body = json.dumps({"model": "chatty", "messages": [{"role": "user", "content": "hi"}]})

    response = chat_raw(client, body, alice_key, content_type="text/plain")

    assert_refused_before_counting(response, chatty, "invalid_request", dana)


def test_the_key_and_the_model_are_checked_before_the_body(client, echo_model, dana):
    # The documented order: key (401) before body (400); the row is still written.
    response = invoke_raw(client, b"\xff", None, content_type="text/plain")

    assert response.status_code == 401
    assert ApiUsageLog.objects.get().response_code == 401


# load_json on its own -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, code",
    [
        (b'{"a": "\\ud800"}', "invalid_json"),
        (b"\xff", "invalid_json"),
        (nested(65).encode(), "invalid_json"),
        (nested(100_000).encode(), "invalid_json"),
        (b'{"a": NaN}', "invalid_json"),
        (b"", "invalid_json"),
    ],
)
def test_load_json_names_the_problem_and_never_raises(body, code, settings):
    _, problem = load_json(body, "application/json")

    assert problem is not None
    assert (problem.status, problem.code) == (400, code)


def test_load_json_reads_the_body_even_with_the_wrong_content_type(settings):
    data, problem = load_json(b'{"model": "m"}', "text/plain")

    assert data == {"model": "m"}
    assert problem is not None and problem.code == "invalid_request"


def test_load_json_reads_nesting_at_the_limit(settings):
    data, problem = load_json(nested(64).encode(), "application/json")

    assert problem is None
    assert data is not None
