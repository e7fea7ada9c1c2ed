"""The playground's streamed turn (POST /playground/<api_name>/stream): Server-Sent Events with the answer's
pieces, how it ended and [DONE]; the panel (HTML, a 4xx status) for form errors and refusals."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from activity.models import ApiUsageLog, HistoryStatus, UserHistory
from activity.views.playground import SETTINGS_KEY
from catalog.tests.factories import AIModelFactory

URL = "/playground/echo/stream"


@pytest.fixture
def echo(dana, upstream):
    return AIModelFactory(
        developer=dana,
        api_name="echo",
        display_name="Echo",
        endpoint_url=f"{upstream.url}/echo",
        price_per_request=Decimal("0.0200"),
    )


def stream(client, prompt="one two three", session="", **data):
    return client.post(URL, {"prompt": prompt, "session": session, **data})


def events(body: bytes) -> list[tuple[str, object]]:
    """(name, data) of each event; [DONE] as ("message", "[DONE]")."""
    parsed = []
    for block in body.decode().strip().split("\n\n"):
        name, data = "message", ""
        for line in block.split("\n"):
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data = line.removeprefix("data: ")
        parsed.append((name, data if data == "[DONE]" else json.loads(data)))
    return parsed


def test_it_streams_the_pieces_then_how_it_ended(alice_client, alice, echo):
    response = stream(alice_client, temperature="0.5")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert response.streaming
    got = events(b"".join(response.streaming_content))  # the whole stream: the test client then closes it

    (start_name, start), *pieces, (done_name, done), done_marker = got
    history = UserHistory.objects.get()
    assert start_name == "start"
    assert start["session_id"] == history.session_id
    assert start["url"] == f"/models/echo/?session={history.session_id}#playground"
    assert [name for name, _ in pieces] == ["piece"] * len(pieces)
    assert len(pieces) == 3
    assert "".join(data["text"] for _, data in pieces) == "one two three"
    assert done_name == "done"
    assert done["history_id"] == str(history.history_id)
    assert done["status"] == "completed"
    assert done["latency_ms"] == history.response_time_ms
    assert Decimal(done["cost"]) == Decimal("0.0200")
    assert done_marker == ("message", "[DONE]")
    assert (history.user, history.prompt, history.response, history.status, history.cost_incurred) == (
        alice,
        "one two three",
        "one two three",
        HistoryStatus.COMPLETED,
        Decimal("0.0200"),
    )
    assert ApiUsageLog.objects.get().response_code == 200
    assert alice_client.session[SETTINGS_KEY] == {"echo": {"temperature": 0.5}}


def test_it_continues_the_session_it_is_given(alice_client, echo):
    b"".join(stream(alice_client).streaming_content)
    session = UserHistory.objects.get().session_id

    response = stream(alice_client, prompt="four five", session=session)
    got = events(b"".join(response.streaming_content))

    assert got[0][1]["session_id"] == session
    assert list(UserHistory.objects.order_by("request_timestamp").values_list("session_id", "response")) == [
        (session, "one two three"),
        (session, "four five"),
    ]


# Closing the response ends the request, and closes the database connection: the rows must be committed.
@pytest.mark.django_db(transaction=True)
def test_a_stream_closed_early_is_cancelled_and_not_charged(alice_client, echo):
    response = stream(alice_client, prompt="one two three four five six")
    content = iter(response.streaming_content)
    assert events(next(content))[0][0] == "start"
    assert events(next(content)) == [("piece", {"text": "one "})]
    response.close()  # as the server does when the browser goes away (Stop)

    history = UserHistory.objects.get()
    assert (history.status, history.response, history.cost_incurred) == (
        HistoryStatus.CANCELLED,
        "one ",
        Decimal("0"),
    )


def test_an_upstream_failure_on_the_way_is_an_error_event(alice_client, echo, upstream):
    echo.endpoint_url = f"{upstream.url}/fail"
    echo.save()

    response = stream(alice_client)
    status = response.status_code
    body = b"".join(response.streaming_content) if response.streaming else response.content

    history = UserHistory.objects.get()
    assert history.status == HistoryStatus.FAILED
    if response.streaming:  # the upstream broke off after its answer began
        assert status == 200
        assert events(body)[-2][0] == "error"
    else:  # it failed before: the panel, with the failed turn
        assert status == 502
        assert "The model failed." in body.decode()


def test_a_refusal_is_the_panel_with_its_message_and_no_stream(alice_client, echo, dana):
    dana.api_quota = 0
    dana.save()

    response = stream(alice_client, prompt="Please echo")

    assert response.status_code == 429
    assert not response.streaming
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'id="playground"' in html
    assert "Quota spent." in html
    assert "Please echo" in html
    assert ApiUsageLog.objects.get().response_code == 429
    assert not UserHistory.objects.exists()


def test_a_form_error_is_the_panel_with_the_error_beside_the_field(alice_client, echo):
    response = stream(alice_client, prompt="   ", temperature="3")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Type a prompt for the model." in html
    assert "Temperature is a number from 0 to 2." in html
    assert not ApiUsageLog.objects.exists()


def test_a_user_pending_verification_gets_the_panels_message(client, pat, echo):
    client.force_login(pat)

    response = stream(client)

    assert response.status_code == 403
    assert "Verify your email first" in response.content.decode()
    assert not ApiUsageLog.objects.exists()


def test_it_is_for_signed_in_users_by_post_with_a_csrf_token(client, alice, echo):
    response = stream(client)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert stream(strict).status_code == 403
    assert strict.get(URL).status_code == 405
    assert not ApiUsageLog.objects.exists()


def test_an_unknown_model_is_a_404(alice_client, db):
    assert alice_client.post("/playground/nope/stream", {"prompt": "Hi"}).status_code == 404


def test_the_model_page_loads_the_script_and_the_form_names_the_stream(alice_client, echo):
    html = alice_client.get("/models/echo/").content.decode()

    assert '<script src="/static/js/playground.js" defer></script>' in html
    assert 'data-stream-url="/playground/echo/stream"' in html
    assert '<button type="button" class="button-secondary playground-stop" hidden>Stop</button>' in html
