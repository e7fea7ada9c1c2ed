"""templates/activity/_playground.html: the playground panel as the model page includes it."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

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
    assert '<option value="" selected>New session</option>' in html


def test_the_exchange_in_the_address_is_shown_to_its_owner_only(alice, bob, model):
    row = UserHistoryFactory(user=alice, model=model, response="An answer for alice")

    assert "An answer for alice" in render_panel(alice, model, f"?exchange={row.history_id}")
    assert "An answer for alice" not in render_panel(bob, model, f"?exchange={row.history_id}")
    assert "An answer for alice" not in render_panel(alice, model, "?exchange=not-a-uuid")


def test_a_model_not_taking_calls_says_so(alice, dana):
    model = AIModelFactory(developer=dana, status=ModelStatus.INACTIVE)

    assert "not taking calls" in render_panel(alice, model)


@pytest.mark.parametrize("sessions", [1, 50])
def test_the_panel_costs_one_query_whatever_the_history(alice, model, sessions, django_assert_num_queries):
    for number in range(sessions):
        UserHistoryFactory(user=alice, model=model, session_id=f"sess_{number}")

    with django_assert_num_queries(1):
        render_panel(alice, model)


def test_the_model_page_includes_it(client, alice, model):
    client.force_login(alice)

    html = client.get("/models/dana-summarizer/").content.decode()

    assert 'id="playground"' in html
    assert html.count("<h1") == 1
