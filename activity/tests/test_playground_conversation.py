"""The playground as a conversation: turns in order, sessions to switch between, a new chat, settings
validated and sent, earlier turns as context for chat upstreams, answers drawn from Markdown."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from activity.models import ApiUsageLog, HistoryStatus, UserHistory
from activity.tests.factories import UserHistoryFactory
from activity.views.playground import SETTINGS_KEY
from activity.views.playground_turns import CONTEXT_TURNS, TURNS_SHOWN
from catalog.tests.factories import AIModelFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def recording_chat(handler, payload):
    """A chat upstream that keeps what it was sent and answers in Markdown."""
    handler.server.received.append(payload)
    answer = {
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": f"Turn {len(payload['messages'])}:\n\n- a\n- b"},
                "finish_reason": "stop",
            }
        ],
    }
    return 200, json.dumps(answer).encode()


def recording_plain(handler, payload):
    handler.server.received.append(payload)
    return 200, json.dumps({"response": f"Echo: {payload['prompt']}"}).encode()


UPSTREAM_ROUTES = {"/recording/chat/completions": recording_chat, "/recording/plain": recording_plain}


@pytest.fixture
def chat_model(dana, upstream):
    upstream.received.clear()
    return AIModelFactory(
        developer=dana,
        api_name="chatter",
        display_name="Chatter",
        endpoint_url=f"{upstream.url}/recording/chat/completions",
        price_per_request=Decimal("0.0100"),
    )


@pytest.fixture
def plain_model(dana, upstream):
    upstream.received.clear()
    return AIModelFactory(
        developer=dana,
        api_name="plain",
        display_name="Plain",
        endpoint_url=f"{upstream.url}/recording/plain",
    )


def run(client, model, prompt="Hello there", session="", **extra):
    data = {"prompt": prompt, "session": session}
    data.update({key: extra.pop(key) for key in ("system", "temperature", "max_tokens") if key in extra})
    return client.post(f"/playground/{model.api_name}/", data, **extra)


def session_of_last_turn() -> str:
    return UserHistory.objects.order_by("-request_timestamp").values_list("session_id", flat=True).first()


def turns_in(html: str, *needles: str) -> list[int]:
    return [html.index(needle) for needle in needles]


# The conversation --------------------------------------------------------------------------------------


def test_the_panel_shows_the_turns_of_the_session_in_order(alice_client, alice, chat_model):
    now = timezone.now()
    for number, minutes in enumerate((30, 20, 10), start=1):
        UserHistoryFactory(
            user=alice,
            model=chat_model,
            session_id="sess_talk",
            prompt=f"Question {number}",
            response=f"Answer {number}",
            request_timestamp=now - timedelta(minutes=minutes),
        )

    html = alice_client.get("/models/chatter/?session=sess_talk").content.decode()

    positions = turns_in(html, "Question 1", "Answer 1", "Question 2", "Answer 2", "Question 3", "Answer 3")
    assert positions == sorted(positions)
    assert '<option value="sess_talk" selected>' in html


def test_a_second_turn_continues_the_session_and_shows_both(alice_client, chat_model):
    run(alice_client, chat_model, prompt="First question", **HTMX)
    session = session_of_last_turn()

    html = run(alice_client, chat_model, prompt="Second question", session=session, **HTMX).content.decode()

    assert UserHistory.objects.filter(session_id=session).count() == 2
    assert turns_in(html, "First question", "Second question") == sorted(
        turns_in(html, "First question", "Second question")
    )
    assert f'<input type="hidden" name="session" value="{session}"' in html


def test_with_htmx_the_address_follows_the_session(alice_client, chat_model):
    response = run(alice_client, chat_model, **HTMX)

    assert response["HX-Replace-Url"] == f"/models/chatter/?session={session_of_last_turn()}#playground"


def test_without_javascript_the_page_shows_the_whole_session_of_the_exchange(alice_client, chat_model):
    run(alice_client, chat_model, prompt="First question")
    session = session_of_last_turn()
    location = run(alice_client, chat_model, prompt="Second question", session=session)["Location"]

    html = alice_client.get(location).content.decode()

    assert "?exchange=" in location
    assert "First question" in html and "Second question" in html
    assert f'<option value="{session}" selected>' in html


def test_the_model_page_starts_a_new_chat_without_a_session(alice_client, alice, chat_model):
    UserHistoryFactory(user=alice, model=chat_model, session_id="sess_old", prompt="Old question")

    for address in ("/models/chatter/", "/models/chatter/?chat=new", "/models/chatter/?session="):
        html = alice_client.get(address).content.decode()
        assert "Old question" not in html
        assert '<option value="" selected>New chat</option>' in html
        assert '<input type="hidden" name="session" id="id_run_session">' in html
        assert 'value="sess_old"' in html  # still offered


def test_a_new_chat_runs_in_a_new_session(alice_client, alice, chat_model):
    UserHistoryFactory(user=alice, model=chat_model, session_id="sess_old")

    run(alice_client, chat_model, prompt="Fresh start", **HTMX)

    fresh = UserHistory.objects.get(prompt="Fresh start")
    assert fresh.session_id != "sess_old"
    assert fresh.session_id.startswith("sess_")


def test_switching_to_an_earlier_session_shows_its_turns_only(alice_client, alice, chat_model):
    UserHistoryFactory(user=alice, model=chat_model, session_id="sess_one", prompt="About cats")
    UserHistoryFactory(user=alice, model=chat_model, session_id="sess_two", prompt="About dogs")

    one = alice_client.get("/models/chatter/?session=sess_one").content.decode()
    two = alice_client.get("/models/chatter/?session=sess_two").content.decode()

    assert "About cats" in one and "About dogs" not in one
    assert "About dogs" in two and "About cats" not in two


def test_another_users_session_is_not_shown_or_continued(alice_client, bob, chat_model):
    UserHistoryFactory(user=bob, model=chat_model, session_id="sess_bobs", prompt="Bob's secret")

    html = alice_client.get("/models/chatter/?session=sess_bobs").content.decode()
    refused = run(alice_client, chat_model, session="sess_bobs", **HTMX).content.decode()

    # The page's own address (with ?session=) comes back in the theme switch's `next`; no field or turn of
    # the session does.
    assert "Bob's secret" not in html and 'value="sess_bobs"' not in html
    assert "not one of your sessions" in refused
    assert not ApiUsageLog.objects.exists()


def test_a_session_older_than_the_list_can_still_be_opened_and_continued(alice_client, alice, chat_model):
    now = timezone.now()
    UserHistoryFactory(
        user=alice, model=chat_model, session_id="sess_ancient", request_timestamp=now - timedelta(days=9)
    )
    for number in range(12):
        UserHistoryFactory(
            user=alice,
            model=chat_model,
            session_id=f"sess_{number}",
            request_timestamp=now - timedelta(hours=number),
        )

    html = alice_client.get("/models/chatter/?session=sess_ancient").content.decode()
    run(alice_client, chat_model, session="sess_ancient", **HTMX)

    assert '<option value="sess_ancient" selected>' in html
    assert UserHistory.objects.filter(session_id="sess_ancient").count() == 2


def test_a_long_session_shows_its_newest_turns_and_points_to_the_history(alice_client, alice, chat_model):
    now = timezone.now()
    UserHistory.objects.bulk_create(
        UserHistory(
            user=alice,
            model=chat_model,
            session_id="sess_long",
            prompt=f"Question number {number:03}",
            response="ok",
            status="completed",
            request_timestamp=now - timedelta(minutes=200 - number),
        )
        for number in range(TURNS_SHOWN + 5)
    )

    html = alice_client.get("/models/chatter/?session=sess_long").content.decode()

    assert "Question number 004" not in html
    assert "Question number 005" in html
    assert f"Question number {TURNS_SHOWN + 4:03}" in html
    assert "/me/history/?session=sess_long" in html


def test_answers_are_drawn_from_markdown_with_a_copy_button(alice_client, alice, chat_model):
    row = UserHistoryFactory(
        user=alice,
        model=chat_model,
        session_id="sess_md",
        response="Steps:\n\n1. **one**\n2. two\n\n```\ncode <here>\n```\n\n<script>alert(1)</script>",
    )

    html = alice_client.get("/models/chatter/?session=sess_md").content.decode()

    assert "<li><strong>one</strong></li>" in html
    assert "<pre><code>code &lt;here&gt;\n</code></pre>" in html
    assert "<script>alert(1)" not in html
    assert f'data-copy="answer-{row.history_id}"' in html
    assert f'<pre class="playground-raw" id="answer-{row.history_id}" hidden>Steps:' in html


# Settings ----------------------------------------------------------------------------------------------


def test_a_chat_upstream_gets_the_earlier_turns_the_system_prompt_and_the_settings(
    alice_client, chat_model, upstream
):
    run(
        alice_client,
        chat_model,
        prompt="First question",
        system="Be brief.",
        temperature="0.3",
        max_tokens="64",
    )
    session = session_of_last_turn()
    run(
        alice_client,
        chat_model,
        prompt="Second question",
        session=session,
        system="Be brief.",
        temperature="0.3",
        max_tokens="64",
        **HTMX,
    )

    assert upstream.received[0] == {
        "model": "chatter",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "First question"},
        ],
        "temperature": 0.3,
        "max_tokens": 64,
        "stream": False,
    }
    assert upstream.received[1]["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "First question"},
        {"role": "assistant", "content": "Turn 2:\n\n- a\n- b"},
        {"role": "user", "content": "Second question"},
    ]
    assert UserHistory.objects.filter(session_id=session).order_by("request_timestamp").last().prompt == (
        "Second question"
    )


def test_failed_turns_are_not_sent_as_context_and_the_context_is_bounded(
    alice_client, alice, chat_model, upstream, settings
):
    now = timezone.now()
    for number in range(CONTEXT_TURNS + 3):
        UserHistoryFactory(
            user=alice,
            model=chat_model,
            session_id="sess_ctx",
            prompt=f"q{number}",
            response=f"a{number}",
            request_timestamp=now - timedelta(minutes=100 - number),
        )
    UserHistoryFactory(
        user=alice,
        model=chat_model,
        session_id="sess_ctx",
        prompt="broken",
        response="",
        status=HistoryStatus.FAILED,
        request_timestamp=now - timedelta(minutes=1),
    )

    settings.GATEWAY_MAX_PROMPT_CHARS = 20  # "next" and the two newest turns fit, no more
    run(alice_client, chat_model, prompt="next", session="sess_ctx", **HTMX)

    assert [message["content"] for message in upstream.received[0]["messages"]] == [
        f"q{CONTEXT_TURNS + 1}",
        f"a{CONTEXT_TURNS + 1}",
        f"q{CONTEXT_TURNS + 2}",
        f"a{CONTEXT_TURNS + 2}",
        "next",
    ]

    settings.GATEWAY_MAX_PROMPT_CHARS = 32000
    run(alice_client, chat_model, prompt="then", session="sess_ctx", **HTMX)

    messages = [message["content"] for message in upstream.received[1]["messages"]]
    assert len(messages) == 2 * CONTEXT_TURNS + 1
    assert messages[0] == "q4"  # the newest CONTEXT_TURNS answered turns, "next" included
    assert messages[-3:-1] == ["next", "Turn 5:\n\n- a\n- b"]
    assert "broken" not in messages


def test_a_plain_upstream_gets_the_prompt_alone_and_the_settings_as_parameters(
    alice_client, plain_model, upstream
):
    run(alice_client, plain_model, prompt="First")
    session = session_of_last_turn()
    run(alice_client, plain_model, prompt="Second", session=session, system="Formal.", temperature="1.5")

    assert upstream.received == [
        {"prompt": "First", "parameters": {}},
        {"prompt": "Second", "parameters": {"system": "Formal.", "temperature": 1.5}},
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("temperature", "2.5", "Temperature is a number from 0 to 2."),
        ("temperature", "-0.1", "Temperature is a number from 0 to 2."),
        ("temperature", "warm", "Temperature is a number from 0 to 2."),
        ("temperature", "nan", "Temperature is a number from 0 to 2."),
        ("max_tokens", "0", "Maximum length is a whole number of tokens from 1 to 8192."),
        ("max_tokens", "9000", "Maximum length is a whole number of tokens from 1 to 8192."),
        ("max_tokens", "1.5", "Maximum length is a whole number of tokens from 1 to 8192."),
        ("system", "x" * 4001, "Ensure this value has at most 4000 characters"),
    ],
)
def test_settings_out_of_range_are_refused_with_a_clear_message(
    alice_client, chat_model, field, value, message
):
    html = run(alice_client, chat_model, **{field: value}, **HTMX).content.decode()

    assert message in html
    assert '<details class="playground-settings" open>' in html
    assert not ApiUsageLog.objects.exists()


def test_without_javascript_a_settings_error_comes_back_with_the_form(alice_client, chat_model):
    response = run(alice_client, chat_model, prompt="Keep me", temperature="7")
    html = alice_client.get(response["Location"]).content.decode()

    assert "Temperature is a number from 0 to 2." in html
    assert "Keep me" in html
    assert 'value="7"' in html


def test_settings_are_kept_for_the_next_turn_and_the_next_visit(alice_client, chat_model):
    html = run(
        alice_client, chat_model, system="Answer in French.", temperature="0.2", **HTMX
    ).content.decode()

    assert "Answer in French.</textarea>" in html
    assert 'value="0.2"' in html
    assert '<details class="playground-settings" open>' in html
    assert alice_client.session[SETTINGS_KEY] == {
        "chatter": {"system": "Answer in French.", "temperature": 0.2}
    }
    page = alice_client.get("/models/chatter/?chat=new").content.decode()
    assert "Answer in French.</textarea>" in page


def test_settings_are_folded_away_until_used(alice_client, chat_model):
    html = alice_client.get("/models/chatter/").content.decode()

    assert '<details class="playground-settings">' in html
    assert '<label for="id_system">System message</label>' in html
    assert '<label for="id_temperature">Temperature</label>' in html
    assert '<label for="id_max_tokens">Maximum length</label>' in html


def test_htmx_keeps_no_copy_of_a_conversation_in_the_browsers_storage(alice_client, alice, chat_model):
    UserHistoryFactory(user=alice, model=chat_model, session_id="sess_private", prompt="Private matter")

    html = alice_client.get("/models/chatter/?session=sess_private").content.decode()

    assert '<div id="playground" class="playground" hx-history="false">' in html
