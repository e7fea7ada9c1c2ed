"""The playground's answer streamed in place, in Chromium: the answer grows word by word before it is
complete, then is drawn again from Markdown with its meta line; Stop ends it, and the history keeps it as
cancelled. Screenshots mid-answer at 1366 and 390 pixels wide (test-output/screenshots/, git-ignored)."""

import re
import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from activity.models import HistoryStatus, UserHistory
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.browser

PROMPT = " ".join(f"word{n}" for n in range(1, 25))  # the echo model answers it back, a word at a time


@pytest.fixture
def echo(dana, upstream, monkeypatch):
    # The demo upstream runs in this process: its words come this far apart.
    monkeypatch.setattr("demo.upstream.DEFAULT_STREAM_DELAY_MS", 250)
    return AIModelFactory(
        developer=dana,
        api_name="echo",
        display_name="Echo",
        endpoint_url=f"{upstream.url}/echo",
        price_per_request=Decimal("0.0100"),
    )


def sign_in(page, password, next_url):
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Username or email").fill("alice@example.com")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(next_url)))


def posts_to_the_playground(page) -> list[str]:
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    return posts


def words_shown(locator) -> int:
    return len(locator.inner_text().split())


def test_the_answer_grows_as_it_comes_then_is_drawn_with_its_meta_line(
    page, screenshot, alice, password, echo
):
    sign_in(page, password, "/models/echo/")
    posts = posts_to_the_playground(page)
    page.get_by_label("Prompt").fill(PROMPT)
    page.get_by_role("button", name="Run").click()

    live = page.locator(".playground-live .playground-streaming")
    expect(live).to_contain_text("word3")
    partial = words_shown(live)
    assert 3 <= partial < 24
    expect(page.get_by_role("button", name="Stop")).to_be_visible()
    expect(page.get_by_label("Prompt")).to_have_value("")
    page.set_viewport_size({"width": 1366, "height": 900})
    screenshot("playground-streaming-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("playground-streaming-390")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px wide)"
    page.set_viewport_size({"width": 1280, "height": 900})
    assert words_shown(live) > partial  # still growing
    assert not UserHistory.objects.exists()  # recorded when the stream ends

    turn = page.locator(".playground-turn")
    expect(turn.locator(".playground-response.md")).to_have_text(PROMPT, timeout=15_000)
    expect(turn).to_have_count(1)
    expect(page.locator(".playground-live")).to_have_count(0)
    expect(page.get_by_role("button", name="Stop")).to_be_hidden()
    history = UserHistory.objects.get()
    assert (history.status, history.response) == (HistoryStatus.COMPLETED, PROMPT)
    expect(turn.locator(".playground-meta")).to_contain_text(f"{history.response_time_ms} ms")
    expect(turn.locator(".playground-meta")).to_contain_text("$0.0100")
    expect(page).to_have_url(re.compile(rf"\?session={history.session_id}#playground$"))
    # Only the script sent the turn: htmx's hx-post on the same form never saw the submit.
    assert [url for url in posts if "/playground/" in url] == [
        f"{page.url.split('/models/')[0]}/playground/echo/stream"
    ]

    # The next turn continues the session.
    page.get_by_label("Prompt").fill("again and again")
    page.get_by_role("button", name="Run").click()
    expect(turn).to_have_count(2)
    expect(turn.nth(1).locator(".playground-response.md")).to_have_text("again and again")
    assert set(UserHistory.objects.values_list("session_id", flat=True)) == {history.session_id}


def test_stop_ends_the_answer_and_the_history_keeps_it_cancelled(page, alice, password, echo):
    sign_in(page, password, "/models/echo/")
    page.get_by_label("Prompt").fill(PROMPT)
    page.get_by_role("button", name="Run").click()

    live = page.locator(".playground-live .playground-streaming")
    expect(live).to_contain_text("word2")
    page.get_by_role("button", name="Stop").click()
    answer = page.locator(".playground-live .playground-answer")
    expect(answer).to_contain_text("Stopped before the end.")
    expect(page.get_by_role("button", name="Stop")).to_be_hidden()
    expect(page.get_by_role("button", name="Run")).to_be_enabled()
    shown = page.locator(".playground-live .playground-live-text").inner_text()
    assert "word24" not in shown

    deadline = time.monotonic() + 10
    while not UserHistory.objects.filter(status=HistoryStatus.CANCELLED).exists():
        assert time.monotonic() < deadline, "the stopped call was not recorded as cancelled"
        time.sleep(0.1)
    history = UserHistory.objects.get()
    assert history.cost_incurred == Decimal("0")
    assert history.response.startswith("word1 word2")
    assert "word24" not in history.response

    page.reload()
    expect(page.locator(".playground-turn")).to_have_count(1)
    expect(page.locator(".playground-turn .playground-answer")).to_contain_text("Stopped before the end.")
