"""templates/activity/_playground.html: the playground panel as the model page includes it."""

from datetime import timedelta

import pytest
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from activity.models import UserHistory
from activity.selectors import RECENT_SESSIONS, recent_sessions
from activity.tests.factories import UserHistoryFactory
from catalog.models import ModelStatus
from catalog.tests.factories import AIModelFactory


def render_panel(user, model, query: str = "") -> str:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get(f"/models/{model.api_name}/{query}")
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    return render_to_string("activity/_playground.html", {"model": model}, request=request)


def test_anonymous_visitors_see_a_sign_in_prompt_that_returns_here(model):
    html = render_panel(None, model)

    assert 'href="/accounts/login/?next=/models/dana-summarizer/%23playground"' in html
    assert "<form" not in html


def test_users_pending_verification_are_asked_to_verify_first(pat, model):
    html = render_panel(pat, model)

    assert "Verify your email first" in html
    assert "<form" not in html


def test_verified_users_get_a_labelled_form_that_htmx_can_post(alice, model):
    html = render_panel(alice, model)

    assert 'action="/playground/dana-summarizer/"' in html
    assert 'hx-post="/playground/dana-summarizer/"' in html
    assert 'hx-target="#playground"' in html
    assert '<label for="id_prompt">Prompt</label>' in html
    assert '<label for="id_session">Session</label>' in html
    assert "csrfmiddlewaretoken" in html
    assert "style=" not in html and "<script" not in html


def test_the_session_choice_lists_the_users_recent_sessions_with_this_model(alice, bob, model):
    UserHistoryFactory(user=alice, model=model, session_id="sess_mine")
    UserHistoryFactory(user=alice, model=AIModelFactory(), session_id="sess_other_model")
    UserHistoryFactory(user=bob, model=model, session_id="sess_bobs")

    html = render_panel(alice, model)

    assert 'value="sess_mine"' in html
    assert "sess_other_model" not in html and "sess_bobs" not in html
    assert '<option value="" selected>New chat</option>' in html


def test_the_exchange_in_the_address_is_shown_to_its_owner_only(alice, bob, model):
    row = UserHistoryFactory(user=alice, model=model, response="An answer for alice")

    assert "An answer for alice" in render_panel(alice, model, f"?exchange={row.history_id}")
    assert "An answer for alice" not in render_panel(bob, model, f"?exchange={row.history_id}")
    assert "An answer for alice" not in render_panel(alice, model, "?exchange=not-a-uuid")


def test_a_model_not_taking_calls_says_so(alice, dana):
    model = AIModelFactory(developer=dana, status=ModelStatus.INACTIVE)

    assert "not taking calls" in render_panel(alice, model)


@pytest.mark.parametrize("sessions", [1, 50])
def test_the_panel_costs_two_queries_whatever_the_history(alice, model, sessions, django_assert_num_queries):
    for number in range(sessions):
        UserHistoryFactory(user=alice, model=model, session_id=f"sess_{number}")

    with django_assert_num_queries(2):
        render_panel(alice, model)


def test_recent_sessions_are_the_ten_last_used_with_their_exchange_counts(alice, model):
    """The newest exchanges are walked in batches until ten sessions appear: a session with hundreds
    of exchanges in front must not hide the others, and counts cover each session's whole history."""
    now = timezone.now()
    rows = []
    for number in range(14):  # sessions used in turn, 3 exchanges each, the oldest first
        for exchange in range(3):
            rows.append((f"sess_{number:02}", now - timedelta(hours=100 - number, minutes=exchange)))
    rows += [("sess_02", now - timedelta(minutes=minute)) for minute in range(1, 451)]  # 450 newest
    UserHistory.objects.bulk_create(
        UserHistory(
            user=alice,
            model=model,
            session_id=session,
            request_timestamp=when,
            prompt="p",
            status="completed",
        )
        for session, when in rows
    )
    UserHistoryFactory(user=alice, model=AIModelFactory(), session_id="sess_elsewhere")

    expected = list(
        UserHistory.objects.filter(user=alice, model=model)
        .values("session_id")
        .annotate(last=Max("request_timestamp"), exchanges=Count("history_id"))
        .order_by("-last")[:RECENT_SESSIONS]
    )
    found = recent_sessions(user=alice, model=model)

    assert found == expected
    assert [row["session_id"] for row in found][:3] == ["sess_02", "sess_13", "sess_12"]
    assert found[0]["exchanges"] == 453


def test_recent_sessions_are_empty_without_history(alice, model):
    assert recent_sessions(user=alice, model=model) == []


def test_the_model_page_includes_it(client, alice, model):
    client.force_login(alice)

    html = client.get("/models/dana-summarizer/").content.decode()

    assert 'id="playground"' in html
    assert html.count("<h1") == 1
