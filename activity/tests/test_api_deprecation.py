"""A deprecated model through the API: until its sunset every answer carries Deprecation, Sunset and Link
headers and calls still work; after it (the row's sunset moved into the past) 410 names the replacement.
The catalog's entries carry sunset_at and replacement."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.http import http_date

from activity.models import ApiUsageLog
from activity.tests.helpers import chat, invoke
from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def echo_two(dana, upstream):
    return AIModelFactory(
        developer=dana, api_name="echo-2", display_name="Echo 2", endpoint_url=f"{upstream.url}/echo"
    )


@pytest.fixture
def echo(dana, upstream, echo_two):
    """Echo, deprecated with a sunset in ten days and Echo 2 as its replacement."""
    return AIModelFactory(
        developer=dana,
        api_name="echo",
        display_name="Echo",
        endpoint_url=f"{upstream.url}/echo",
        price_per_request=Decimal("0"),
        status=ModelStatus.DEPRECATED,
        sunset_at=timezone.now() + timedelta(days=10),
        replacement=echo_two,
    )


def sunset_passes(model) -> None:
    """The sunset moves into the past on the row itself: no clock is mocked."""
    AIModel.objects.filter(pk=model.pk).update(sunset_at=timezone.now() - timedelta(minutes=1))
    model.refresh_from_db()


def assert_deprecation_headers(response, model) -> None:
    model.refresh_from_db()
    assert response["Deprecation"] == f"@{int(model.deprecated_at.timestamp())}"
    assert response["Sunset"] == http_date(model.sunset_at.timestamp())
    assert '/models/echo-2/>; rel="successor-version"' in response["Link"]
    assert '/models/echo/>; rel="deprecation"' in response["Link"]


def test_until_the_sunset_an_invoke_answers_with_the_deprecation_headers(client, echo, alice_key):
    response = invoke(client, "echo", {"prompt": "still here"}, alice_key)

    assert response.status_code == 200
    assert response.json()["response"] == "still here"
    assert_deprecation_headers(response, echo)


def test_until_the_sunset_a_chat_completion_answers_with_the_deprecation_headers(client, echo, alice_key):
    response = chat(client, {"model": "echo", "messages": [{"role": "user", "content": "hi"}]}, alice_key)

    assert response.status_code == 200
    assert_deprecation_headers(response, echo)


def test_until_the_sunset_a_stream_carries_the_deprecation_headers(client, echo, alice_key):
    response = invoke(client, "echo", {"prompt": "streamed", "stream": True}, alice_key)
    body = b"".join(response.streaming_content).decode()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert "[DONE]" in body
    assert_deprecation_headers(response, echo)


def test_an_error_about_a_deprecated_model_carries_the_headers_too(client, echo):
    response = invoke(client, "echo", {"prompt": "no key"})

    assert response.status_code == 401
    assert_deprecation_headers(response, echo)


def test_an_active_model_answers_without_deprecation_headers(client, echo_two, alice_key):
    response = invoke(client, "echo-2", {"prompt": "hi"}, alice_key)

    assert response.status_code == 200
    assert "Deprecation" not in response and "Sunset" not in response and "Link" not in response


def test_after_the_sunset_a_call_gets_410_naming_the_replacement(client, echo, alice_key):
    sunset_passes(echo)

    response = invoke(client, "echo", {"prompt": "anyone?"}, alice_key)

    assert response.status_code == 410
    error = response.json()["error"]
    assert error["code"] == "model_deprecated"
    assert error["replacement"] == "echo-2"
    assert "Use echo-2 instead." in error["message"]
    assert_deprecation_headers(response, echo)
    assert ApiUsageLog.objects.get().response_code == 410  # refused, logged, not forwarded


def test_after_the_sunset_a_chat_completion_gets_the_same_410(client, echo, alice_key):
    sunset_passes(echo)

    response = chat(client, {"model": "echo", "messages": [{"role": "user", "content": "hi"}]}, alice_key)

    assert response.status_code == 410
    assert response.json()["error"]["replacement"] == "echo-2"


def test_a_model_deprecated_without_notice_still_answers_410_at_once(client, dana, upstream, alice_key):
    AIModelFactory(developer=dana, api_name="old", endpoint_url=f"{upstream.url}/echo", status="deprecated")

    response = invoke(client, "old", {"prompt": "hi"}, alice_key)

    assert response.status_code == 410
    assert response.json()["error"] == {
        "code": "model_deprecated",
        "message": "The model 'old' is deprecated and no longer answers.",
        "replacement": None,
    }
    assert "Sunset" not in response and response["Deprecation"].startswith("@")


def test_the_catalog_api_gives_the_sunset_and_the_replacement(client, echo, echo_two):
    listed = {entry["id"]: entry for entry in client.get("/api/v1/models").json()["data"]}
    one = client.get("/api/v1/models/echo").json()

    assert listed["echo"]["replacement"] == "echo-2" == one["replacement"]
    assert one["sunset_at"] and listed["echo"]["sunset_at"] == one["sunset_at"]
    assert listed["echo-2"]["sunset_at"] is None and listed["echo-2"]["replacement"] is None


def test_after_the_sunset_the_catalog_api_leaves_the_model_out(client, echo):
    sunset_passes(echo)

    assert "echo" not in {entry["id"] for entry in client.get("/api/v1/models").json()["data"]}
    assert client.get("/api/v1/models/echo").status_code == 404


def test_the_openapi_document_describes_the_new_fields(client):
    document = json.loads(client.get("/api/v1/openapi.json").content)
    schemas = document["components"]["schemas"]

    assert {"sunset_at", "replacement"} <= set(schemas["ModelOut"]["properties"])
    assert "replacement" in schemas["ErrorDetail"]["properties"]
