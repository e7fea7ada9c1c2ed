"""POST /playground/<api_name>/: a verified user's call from the model page, with and without htmx."""

from decimal import Decimal

import pytest
from django.test import Client

from activity.models import ApiUsageLog, HistoryStatus, UserHistory
from activity.tests.factories import UserHistoryFactory
from activity.tests.helpers import nul_in_answer
from activity.views.playground import FLASH_KEY
from catalog.tests.factories import AIModelFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
UPSTREAM_ROUTES = {"/nul": nul_in_answer}


@pytest.fixture
def summarizer(dana, upstream):
    return AIModelFactory(
        developer=dana,
        api_name="summarizer",
        display_name="Summarizer",
        endpoint_url=f"{upstream.url}/summarize",
        price_per_request=Decimal("0.0200"),
    )


def run(client, prompt="First sentence here. Second one.", session="", **extra):
    return client.post("/playground/summarizer/", {"prompt": prompt, "session": session}, **extra)


def test_anonymous_visitors_are_sent_to_sign_in(client, summarizer):
    response = run(client)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not ApiUsageLog.objects.exists()


def test_it_rejects_get(alice_client, summarizer):
    assert alice_client.get("/playground/summarizer/").status_code == 405


def test_it_is_a_csrf_protected_form(alice, summarizer):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)

    assert run(strict).status_code == 403
    assert not ApiUsageLog.objects.exists()


def test_a_user_pending_verification_cannot_run_it(client, pat, summarizer):
    client.force_login(pat)

    response = run(client)

    assert response.status_code == 302
    assert client.session[FLASH_KEY]["error"]["title"] == "Verify your email first."
    assert not ApiUsageLog.objects.exists()
    assert not UserHistory.objects.exists()


def test_without_javascript_it_runs_the_model_and_redirects_to_the_exchange(alice_client, alice, summarizer):
    response = run(alice_client)

    row = UserHistory.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/models/summarizer/?exchange={row.history_id}#playground"
    assert row.user == alice
    assert row.model == summarizer
    assert row.prompt == "First sentence here. Second one."
    assert row.response == "First sentence here."
    assert row.status == HistoryStatus.COMPLETED
    assert row.session_id.startswith("sess_")
    assert row.cost_incurred == Decimal("0.0200")
    assert row.ip_address == "127.0.0.1"
    assert row.response_time_ms >= 0


def test_an_answer_with_nul_characters_is_kept_without_them(alice_client, summarizer, upstream):
    summarizer.endpoint_url = f"{upstream.url}/nul"
    summarizer.save()

    response = run(alice_client)

    assert response.status_code == 302
    assert UserHistory.objects.get().response == "beforeafter"
    assert ApiUsageLog.objects.get().response_code == 200


def test_it_writes_the_usage_log_like_an_api_call(alice_client, alice, summarizer):
    run(alice_client)

    log = ApiUsageLog.objects.get()
    assert log.model == summarizer
    assert log.user == alice
    assert log.developer is None
    assert log.api_key_used == "playground"
    assert log.request_method == "POST"
    assert log.response_code == 200
    assert log.response_size == len(b"First sentence here.")
    assert log.request_size > 0
    assert log.processing_time_ms == UserHistory.objects.get().response_time_ms
    summarizer.refresh_from_db()
    assert summarizer.total_requests == 1


def test_the_model_page_then_shows_the_answer_latency_and_cost(alice_client, summarizer):
    response = alice_client.get(run(alice_client)["Location"])

    html = response.content.decode()
    assert response.status_code == 200
    assert "First sentence here." in html
    assert "$0.0200" in html
    assert " ms" in html


def test_with_htmx_it_answers_the_panel_in_place(alice_client, summarizer):
    response = run(alice_client, **HTMX)

    html = response.content.decode()
    row = UserHistory.objects.get()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="playground"')
    assert "First sentence here." in html
    assert f'<option value="{row.session_id}" selected>' in html
    assert "<h1" not in html


def test_it_continues_a_chosen_session(alice_client, alice, summarizer):
    UserHistoryFactory(user=alice, model=summarizer, session_id="sess_earlier")

    run(alice_client, session="sess_earlier", **HTMX)

    assert UserHistory.objects.filter(session_id="sess_earlier").count() == 2


def test_it_refuses_a_session_that_is_not_the_users(alice_client, bob, summarizer):
    UserHistoryFactory(user=bob, model=summarizer, session_id="sess_bobs")

    response = run(alice_client, session="sess_bobs", **HTMX)

    assert "Select a valid choice" in response.content.decode()
    assert not ApiUsageLog.objects.exists()


def test_an_empty_prompt_is_an_error_beside_the_field(alice_client, summarizer):
    response = run(alice_client, prompt="   ", **HTMX)

    assert "Type a prompt for the model." in response.content.decode()
    assert not ApiUsageLog.objects.exists()


def test_without_javascript_errors_come_back_with_the_typed_prompt(alice_client, summarizer, settings):
    settings.GATEWAY_MAX_PROMPT_CHARS = 10

    response = run(alice_client, prompt="far too long a prompt")
    page = alice_client.get(response["Location"]).content.decode()

    assert "far too long a prompt" in page
    assert "Ensure this value has at most 10 characters" in page
    assert FLASH_KEY not in alice_client.session  # shown once


def test_a_spent_quota_shows_a_message_and_keeps_the_prompt(alice_client, summarizer, dana):
    dana.api_quota = 0
    dana.save()

    html = run(alice_client, prompt="Please summarise", **HTMX).content.decode()

    assert "Quota spent." in html
    assert "Please summarise" in html
    assert ApiUsageLog.objects.get().response_code == 429
    assert not UserHistory.objects.exists()


def test_an_upstream_failure_shows_a_message_and_is_in_the_history(alice_client, summarizer, upstream):
    summarizer.endpoint_url = f"{upstream.url}/fail"
    summarizer.save()

    html = run(alice_client, **HTMX).content.decode()

    assert "The model failed." in html
    assert UserHistory.objects.get().status == HistoryStatus.FAILED
    assert ApiUsageLog.objects.get().response_code == 502


def test_without_javascript_an_upstream_failure_message_survives_the_redirect(
    alice_client, summarizer, upstream
):
    summarizer.endpoint_url = f"{upstream.url}/fail"
    summarizer.save()

    page = alice_client.get(run(alice_client)["Location"]).content.decode()

    assert "The model failed." in page


def test_a_private_model_of_someone_else_is_a_404(alice_client, summarizer):
    summarizer.is_public = False
    summarizer.save()

    assert run(alice_client).status_code == 404


def test_its_developer_may_try_a_private_model(client, dana, summarizer):
    summarizer.is_public = False
    summarizer.save()
    client.force_login(dana.user)

    assert run(client, **HTMX).status_code == 200
    assert UserHistory.objects.get().user == dana.user


def test_an_unknown_model_is_a_404(alice_client, db):
    assert alice_client.post("/playground/nothing/", {"prompt": "hi"}).status_code == 404


def test_another_user_cannot_see_an_exchange_by_its_id(alice_client, bob, summarizer):
    location = run(alice_client)["Location"]
    other = Client()
    other.force_login(bob)

    assert "First sentence here." not in other.get(location).content.decode()
