"""A verified user tries a model in the playground, with and without JavaScript, then finds it in history."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from activity.models import UserHistory
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def summarizer(dana, upstream):
    return AIModelFactory(
        developer=dana,
        api_name="summarizer",
        display_name="Demo Summarizer",
        endpoint_url=f"{upstream.url}/summarize",
        price_per_request=Decimal("0.0200"),
    )


def test_a_verified_user_runs_the_playground_and_finds_the_exchange_in_history(
    page, live_server, screenshot, alice, password, summarizer
):
    page.goto("/models/summarizer/playground/")
    expect(page.locator("#playground")).to_contain_text("Sign in")
    page.locator("#playground").get_by_role("link", name="Sign in").click()
    page.get_by_label("Username or email").fill("alice@example.com")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/models/summarizer/"))

    page.get_by_label("Prompt").fill("The gateway forwards every call. It also logs them.")
    page.get_by_role("button", name="Run").click()

    panel = page.locator("#playground")
    expect(panel.locator(".playground-response")).to_have_text("The gateway forwards every call.")
    expect(panel).to_contain_text("$0.0200")
    expect(panel).to_contain_text(" ms")
    # Updated in place by htmx: no navigation to ?exchange=…, and the address names the session for a reload
    row = UserHistory.objects.get()
    expect(page).to_have_url(f"{live_server.url}/models/summarizer/?session={row.session_id}#playground")
    expect(page.get_by_label("Session")).to_have_value(row.session_id)
    screenshot("playground-answer")

    page.get_by_label("Prompt").fill("A second question. In the same session.")
    page.get_by_role("button", name="Run").click()
    expect(panel.locator(".playground-response").last).to_have_text("A second question.")
    assert set(UserHistory.objects.values_list("session_id", flat=True)) == {row.session_id}

    page.goto("/me/history/")
    expect(page.get_by_text("The gateway forwards every call. It also logs them.")).to_be_visible()
    expect(page.get_by_text("A second question. In the same session.")).to_be_visible()


def test_without_javascript_the_playground_posts_and_comes_back_with_the_answer(
    browser, live_server, alice, password, summarizer, dana
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/accounts/login/?next=/models/summarizer/")
        page.get_by_label("Username or email").fill("alice@example.com")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()

        page.get_by_label("Prompt").fill("Plain forms work too. Without scripts.")
        page.get_by_role("button", name="Run").click()

        expect(page).to_have_url(re.compile(r"/models/summarizer/\?exchange=[0-9a-f-]+#playground$"))
        expect(page.locator(".playground-response")).to_have_text("Plain forms work too.")

        dana.api_quota = 1
        dana.save()
        page.get_by_label("Prompt").fill("One call too many.")
        page.get_by_role("button", name="Run").click()
        expect(page.locator("#playground")).to_contain_text("Quota spent.")
        expect(page.get_by_label("Prompt")).to_have_value("One call too many.")
    finally:
        context.close()
