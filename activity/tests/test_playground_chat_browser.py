"""A conversation in the playground, in Chromium: two turns, a new chat, an earlier session, an answer in
Markdown with its copy button, the busy state, the form without JavaScript, and how it looks at 1366 and
390 pixels wide (screenshots under test-output/screenshots/, git-ignored)."""

import json
import re
import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from activity.models import UserHistory
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.browser

MARKDOWN_ANSWER = """Here is the plan:

1. **Read** the prompt
2. Answer in `Markdown`

| step | time |
| :--- | ---: |
| read | 1 ms |

```python
def answer(prompt):
    return "<b>" + prompt
```

<script>document.title = "owned"</script>
"""


def markdown_answer(handler, payload):
    time.sleep(0.4)  # long enough to see the busy state
    return 200, json.dumps({"response": MARKDOWN_ANSWER}).encode()


UPSTREAM_ROUTES = {"/markdown": markdown_answer}


@pytest.fixture
def chatbot(dana, upstream):
    return AIModelFactory(
        developer=dana,
        api_name="chatbot",
        display_name="Demo Chat",
        endpoint_url=f"{upstream.url}/chat/completions",
        price_per_request=Decimal("0.0100"),
    )


@pytest.fixture
def writer(dana, upstream):
    return AIModelFactory(
        developer=dana,
        api_name="writer",
        display_name="Markdown Writer",
        endpoint_url=f"{upstream.url}/markdown",
    )


def sign_in(page, password, next_url):
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Username or email").fill("alice@example.com")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(next_url)))


def send(page, prompt):
    page.get_by_label("Prompt").fill(prompt)
    page.get_by_role("button", name="Run").click()


def test_a_two_turn_conversation_a_new_chat_and_back_to_the_first(page, screenshot, alice, password, chatbot):
    sign_in(page, password, "/models/chatbot/")
    panel = page.locator("#playground")
    turns = panel.locator(".playground-turn")

    send(page, "Tell me about gateways. They forward calls.")
    expect(turns).to_have_count(1)
    expect(turns.nth(0).locator(".playground-response")).to_have_text("You said: Tell me about gateways.")
    expect(page.get_by_label("Prompt")).to_have_value("")

    send(page, "And quotas? They count calls.")
    expect(turns).to_have_count(2)
    expect(turns.nth(0)).to_contain_text("Tell me about gateways.")
    expect(turns.nth(1)).to_contain_text("And quotas? They count calls.")
    expect(turns.nth(1).locator(".playground-response")).to_have_text("You said: And quotas?")
    first_session = UserHistory.objects.values_list("session_id", flat=True).distinct().get()
    expect(page).to_have_url(re.compile(rf"\?session={first_session}#playground$"))
    page.set_viewport_size({"width": 1366, "height": 900})
    screenshot("playground-conversation-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("playground-conversation-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    panel.get_by_role("link", name="New chat").click()
    expect(turns).to_have_count(0)
    expect(panel).to_contain_text("New chat:")
    send(page, "A different topic. Entirely.")
    expect(turns).to_have_count(1)
    assert UserHistory.objects.values("session_id").distinct().count() == 2

    page.get_by_label("Session").select_option(first_session)
    expect(turns).to_have_count(2)
    expect(turns.nth(1)).to_contain_text("And quotas?")
    expect(page).to_have_url(re.compile(rf"\?session={first_session}"))
    page.reload()
    expect(turns).to_have_count(2)


def test_a_markdown_answer_is_drawn_with_its_list_code_and_table_and_can_be_copied(
    page, screenshot, alice, password, writer
):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, password, "/models/writer/")

    page.get_by_label("Prompt").fill("Plan it.")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".playground-busy")).to_be_visible()
    answer = page.locator(".playground-response")
    expect(answer.locator("ol > li")).to_have_count(2)
    expect(answer.locator("ol > li").first.locator("strong")).to_have_text("Read")
    expect(answer.locator("pre > code")).to_contain_text('return "<b>" + prompt')
    expect(answer.locator("td.md-align-right")).to_have_text("1 ms")
    expect(answer).to_contain_text('<script>document.title = "owned"</script>')
    expect(page.locator(".playground-busy")).to_be_hidden()
    assert page.title() != "owned"

    copy = page.get_by_role("button", name="Copy this answer")
    expect(copy).to_be_visible()
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == MARKDOWN_ANSWER.strip()

    page.locator("summary", has_text="Settings").click()
    page.get_by_label("System message").fill("Be brief.")
    page.get_by_label("Temperature").fill("3")
    page.get_by_label("Prompt").fill("Again.")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#playground")).to_contain_text("Temperature is a number from 0 to 2.")
    expect(page.get_by_label("Temperature")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Temperature").fill("0.5")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".playground-turn")).to_have_count(2)
    expect(page.get_by_label("System message")).to_have_value("Be brief.")

    page.set_viewport_size({"width": 1366, "height": 900})
    screenshot("playground-markdown-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("playground-markdown-390")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px wide)"


def test_without_javascript_the_conversation_posts_and_shows_every_turn(
    browser, live_server, alice, password, chatbot
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, password, "/models/chatbot/")
        turns = page.locator(".playground-turn")

        send(page, "First without scripts. Really.")
        expect(page).to_have_url(re.compile(r"/models/chatbot/\?exchange=[0-9a-f-]+#playground$"))
        expect(turns).to_have_count(1)

        page.locator("summary", has_text="Settings").click()
        page.get_by_label("Maximum length").fill("128")
        send(page, "Second without scripts. Still.")
        expect(turns).to_have_count(2)
        expect(turns.nth(0)).to_contain_text("First without scripts.")
        expect(turns.nth(1).locator(".playground-response")).to_have_text("You said: Second without scripts.")
        expect(page.get_by_label("Maximum length")).to_have_value("128")
        # A copy button needs the script: without it, none is shown.
        expect(page.locator(".playground-copy")).to_have_count(2)
        expect(page.locator(".playground-copy").first).to_be_hidden()
        expect(page.get_by_role("button", name="Copy this answer")).to_have_count(0)

        page.get_by_role("link", name="New chat").click()
        expect(turns).to_have_count(0)
        session = UserHistory.objects.values_list("session_id", flat=True).distinct().get()
        page.get_by_label("Session").select_option(session)
        page.get_by_role("button", name="Open").click()
        expect(turns).to_have_count(2)
    finally:
        context.close()
