"""POST /api/v1/chat/completions: the OpenAI shape, with the official `openai` client against a live server."""

from decimal import Decimal

import openai
import pytest

from accounts import keys
from activity.gateway.schemas import ChatOut
from activity.models import ApiUsageLog, DeveloperMonthlyUsage, HistoryStatus, UserHistory
from activity.tests.helpers import chat
from catalog.tests.factories import AIModelFactory


def recording_chat(handler, payload):
    """A chat upstream that answers with what it received, to check the request's shape."""
    import json

    handler.server.received.append(payload)
    answer = {
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "noted"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 11, "completion_tokens": 1, "total_tokens": 12},
    }
    return 200, json.dumps(answer).encode()


UPSTREAM_ROUTES = {"/recording/chat/completions": recording_chat}


@pytest.fixture
def chatty(dana, upstream):
    return AIModelFactory(
        developer=dana,
        api_name="chatty",
        endpoint_url=f"{upstream.url}/chat/completions",
        price_per_request=Decimal("0.0100"),
    )


def test_the_openai_package_performs_a_chat_completion_unchanged(openai_client, chatty, alice, alice_key):
    client = openai_client(alice_key)

    completion = client.chat.completions.create(
        model="chatty",
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Summarise the platform. It routes calls to models."},
        ],
    )

    assert completion.object == "chat.completion"
    assert completion.model == "chatty"
    assert completion.choices[0].message.role == "assistant"
    assert completion.choices[0].message.content == "You said: Summarise the platform."
    assert completion.choices[0].finish_reason == "stop"
    assert (
        completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens
    )
    assert completion.usage.model_extra["cost"] == 0.01
    row = UserHistory.objects.get()
    assert row.user == alice
    assert row.prompt == "Summarise the platform. It routes calls to models."
    assert row.response == "You said: Summarise the platform."
    assert completion.id == f"chatcmpl-{ApiUsageLog.objects.get().log_id.hex}"


def test_the_openai_package_sees_our_error_codes(openai_client, chatty, dana):
    client = openai_client(keys.generate_personal_key())

    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model="chatty", messages=[{"role": "user", "content": "hi"}])

    assert caught.value.status_code == 401
    assert caught.value.code == "invalid_key"


def test_the_openai_package_gets_a_rate_limit_error_when_the_quota_is_spent(
    openai_client, chatty, dana, alice_key
):
    dana.api_quota = 0
    dana.save()
    client = openai_client(alice_key)

    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="chatty", messages=[{"role": "user", "content": "hi"}])

    assert caught.value.code == "quota_exceeded"
    assert caught.value.response.headers["Retry-After"]


def test_a_chat_upstream_receives_the_chat_shape_with_extra_parameters(client, dana, upstream, alice_key):
    AIModelFactory(
        developer=dana, api_name="recorder", endpoint_url=f"{upstream.url}/recording/chat/completions"
    )
    upstream.received.clear()

    response = chat(
        client,
        {
            "model": "recorder",
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Hello"}]}],
            "temperature": 0.2,
        },
        alice_key,
    )

    assert response.status_code == 200
    assert upstream.received == [
        {
            "model": "recorder",
            "messages": [{"role": "user", "content": "Hello"}],
            "temperature": 0.2,
            "stream": False,
        }
    ]
    usage = response.json()["usage"]
    assert (usage["prompt_tokens"], usage["completion_tokens"], usage["total_tokens"]) == (11, 1, 12)


def test_a_plain_upstream_gets_the_conversation_as_a_prompt(client, dana, upstream, alice_key):
    AIModelFactory(developer=dana, api_name="echo", endpoint_url=f"{upstream.url}/echo")

    response = chat(
        client,
        {
            "model": "echo",
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
                {"role": "user", "content": "Bye"},
            ],
        },
        alice_key,
    )

    body = response.json()
    ChatOut.model_validate(body)
    assert body["choices"][0]["message"]["content"] == "user: Hi\nassistant: Hello\nuser: Bye"
    assert body["usage"]["prompt_tokens"] == 6
    assert UserHistory.objects.get().prompt == "Bye"


def test_the_invoke_endpoint_speaks_chat_to_a_chat_upstream(client, chatty, alice_key):
    from activity.tests.helpers import invoke

    response = invoke(client, "chatty", {"prompt": "Tell me about cats. They purr."}, alice_key)

    assert response.json()["response"] == "You said: Tell me about cats."


def test_it_keeps_the_session_id_given_in_the_body(client, chatty, alice_key):
    body = chat(
        client,
        {"model": "chatty", "messages": [{"role": "user", "content": "hi"}], "session_id": "conv-7"},
        alice_key,
    ).json()

    assert body["session_id"] == "conv-7"
    assert UserHistory.objects.get().session_id == "conv-7"


def test_stream_true_is_answered_with_server_sent_events(client, chatty, alice_key):
    response = chat(
        client,
        {"model": "chatty", "messages": [{"role": "user", "content": "hi"}], "stream": True},
        alice_key,
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert b"".join(response.streaming_content).endswith(b"data: [DONE]\n\n")
    assert ApiUsageLog.objects.get().response_code == 200


def test_a_body_without_a_model_is_a_400_without_a_log(client, chatty, alice_key):
    response = chat(client, {"messages": [{"role": "user", "content": "hi"}]}, alice_key)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    assert not ApiUsageLog.objects.exists()


def test_a_model_name_with_a_nul_character_is_a_404_without_a_log(client, chatty, alice_key):
    body = {"model": "chat\u0000ty", "messages": [{"role": "user", "content": "Hi"}]}

    response = chat(client, body, alice_key)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "model_not_found"
    assert not ApiUsageLog.objects.exists()


@pytest.mark.parametrize(
    "content", ["a\u0000b", [{"type": "text", "text": "a\u0000b"}]], ids=["text", "content-parts"]
)
def test_a_nul_character_in_a_message_is_a_400_logged_against_the_model(client, chatty, alice_key, content):
    body = {"model": "chatty", "messages": [{"role": "user", "content": content}]}

    response = chat(client, body, alice_key)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    assert ApiUsageLog.objects.get().response_code == 400
    assert not UserHistory.objects.exists()


def test_a_body_that_is_not_json_is_a_400(client, chatty, alice_key):
    response = chat(client, "nope", alice_key)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


def test_a_nan_in_the_body_is_a_400_before_the_quota_counts(client, chatty, alice_key):
    body = '{"model": "chatty", "messages": [{"role": "user", "content": "hi"}], "temperature": NaN}'

    response = chat(client, body, alice_key)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert not DeveloperMonthlyUsage.objects.exists()
    assert not UserHistory.objects.exists()


def test_no_messages_is_a_400_logged_against_the_named_model(client, chatty, alice_key):
    response = chat(client, {"model": "chatty", "messages": []}, alice_key)

    assert response.json()["error"]["code"] == "invalid_request"
    assert ApiUsageLog.objects.get().model == chatty


def test_a_call_without_a_key_naming_a_model_is_logged_as_401(client, chatty):
    response = chat(client, {"model": "chatty", "messages": [{"role": "user", "content": "hi"}]})

    assert response.status_code == 401
    log = ApiUsageLog.objects.get()
    assert (log.model, log.response_code, log.user, log.developer) == (chatty, 401, None, None)


def test_an_upstream_failure_is_recorded_as_failed(client, dana, upstream, alice_key):
    AIModelFactory(developer=dana, api_name="broken", endpoint_url=f"{upstream.url}/fail")

    response = chat(client, {"model": "broken", "messages": [{"role": "user", "content": "hi"}]}, alice_key)

    assert response.status_code == 502
    assert UserHistory.objects.get().status == HistoryStatus.FAILED
