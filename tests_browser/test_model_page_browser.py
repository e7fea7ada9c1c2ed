"""The model page in tabs: a visitor reads the Overview and goes through every tab with and without
JavaScript, a signed-in user lands on the Playground and runs a prompt, a developer previews the Markdown
model card in the dashboard. Screenshots of every tab at desktop and phone widths."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activity.models import UserHistory
from activity.tests.factories import ApiUsageLogFactory
from catalog.tests.factories import AIModelFactory
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.browser

TABS = ("Overview", "Playground", "API", "Reviews", "Stats")
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
CARD = """Condenses articles into a few **crisp sentences**.

## Usage

Send the whole text as the prompt:

- keeps names and figures
- plain text in, plain text out

## Limits

| Input | Answer |
| --- | --- |
| One sentence | The text as it was |
"""


@pytest.fixture
def summarizer(dana, upstream):
    model = AIModelFactory(
        developer=dana,
        api_name="summarizer",
        display_name="Demo Summarizer",
        description=CARD,
        tags=["summary", "news"],
        endpoint_url=f"{upstream.url}/summarize",
        price_per_request=Decimal("0.0020"),
    )
    for rating, title in ((5, "Crisp and right"), (4, "Good on news"), (4, "Handy")):
        ModelReviewFactory(model=model, rating=rating, review_title=title)
    now = timezone.now()
    for days_ago, calls, failed, latency in (
        (9, 12, 0, 140),
        (4, 30, 3, 220),
        (1, 18, 1, 90),
        (0, 6, 0, 120),
    ):
        when = now - timedelta(days=days_ago)
        ApiUsageLogFactory.create_batch(
            calls - failed, model=model, created_at=when, processing_time_ms=latency
        )
        ApiUsageLogFactory.create_batch(failed, model=model, created_at=when, response_code=502)
    ApiUsageLogFactory.create_batch(5, model=model, created_at=now, response_code=429)  # refused: not counted
    return model


def current_tab(page):
    return page.get_by_role("navigation", name="Model page sections").locator('[aria-current="page"]')


def check_panels(page, live_server):
    """Go through the tabs by their links, checking each panel, from the Overview."""
    tabs = page.get_by_role("navigation", name="Model page sections")
    expect(current_tab(page)).to_have_text("Overview")
    expect(page.get_by_role("heading", level=2, name="Usage")).to_be_visible()
    expect(page.locator(".model-readme strong")).to_have_text("crisp sentences")
    expect(page.locator(".model-readme li").first).to_have_text("keeps names and figures")

    tabs.get_by_role("link", name="Playground").click()
    expect(page).to_have_url(re.compile(r"/models/summarizer/playground/$"))
    expect(current_tab(page)).to_have_text("Playground")
    expect(page.locator("#playground")).to_contain_text("Sign in")

    tabs.get_by_role("link", name="API").click()
    expect(page).to_have_url(re.compile(r"/models/summarizer/api/$"))
    expect(page.locator("#snippet-curl")).to_contain_text(f"curl {live_server.url}/api/v1/chat/completions")
    expect(page.locator("#snippet-javascript")).to_contain_text('model: "summarizer"')

    tabs.get_by_role("link", name=re.compile("^Reviews")).click()
    expect(page).to_have_url(re.compile(r"/models/summarizer/reviews/$"))
    expect(page.locator(".rating-big")).to_have_text("4.3")
    expect(page.locator(".review", has_text="Good on news")).to_be_visible()

    tabs.get_by_role("link", name="Stats").click()
    expect(page).to_have_url(re.compile(r"/models/summarizer/stats/$"))
    expect(page.locator(".stat-strip")).to_contain_text("66")  # forwarded calls; the 5 refused are not
    for name in ("Calls per day", "Typical latency per day (p50)", "Success rate per day"):
        expect(page.get_by_role("img", name=name)).to_be_visible()
    calls = page.get_by_role("figure", name="Calls per day")
    calls.get_by_text("The numbers").click()
    expect(calls.get_by_role("table")).to_contain_text("30")

    tabs.get_by_role("link", name="Overview").click()
    expect(page).to_have_url(re.compile(r"/models/summarizer/$"))
    expect(current_tab(page)).to_have_text("Overview")


def test_a_visitor_goes_through_the_tabs_without_javascript(browser, live_server, summarizer):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/models/summarizer/")
        header = page.locator(".model-header")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Demo Summarizer")
        expect(header).to_contain_text("Takes text")
        expect(header).to_contain_text("4.3")
        expect(header).to_contain_text("$0.002")
        check_panels(page, live_server)
        page.get_by_role("link", name="Try it").click()
        expect(page).to_have_url(re.compile(r"/models/summarizer/playground/$"))
    finally:
        context.close()


def test_a_visitor_goes_through_the_tabs_with_htmx_and_every_tab_is_pictured(
    page, live_server, screenshot, summarizer
):
    page.set_viewport_size(DESKTOP)
    page.goto("/models/summarizer/")
    page.evaluate("window.samePage = true")
    check_panels(page, live_server)
    # The tabs were swapped in place: the page never reloaded, and focus stayed on the tab link used.
    assert page.evaluate("window.samePage") is True
    expect(page.locator("#tab-overview")).to_be_focused()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/models/summarizer/stats/$"))
    expect(page.get_by_role("img", name="Calls per day")).to_be_visible()

    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        for tab in TABS:
            slug = tab.lower()
            page.goto("/models/summarizer/" if tab == "Overview" else f"/models/summarizer/{slug}/")
            expect(current_tab(page)).to_contain_text(tab)
            screenshot(f"model-page-{slug}-{size}")
    # At phone width nothing is wider than the screen but the scrolling boxes (tabs, charts, code).
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_signed_in_user_lands_on_the_playground_and_runs_a_prompt(
    page, live_server, screenshot, alice, password, summarizer
):
    page.set_viewport_size(DESKTOP)
    page.goto("/accounts/login/?next=/models/summarizer/")
    page.get_by_label("Username or email").fill("alice@example.com")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/models/summarizer/$"))
    expect(current_tab(page)).to_have_text("Playground")
    page.get_by_label("Prompt").fill("The gateway forwards every call. It also logs them.")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#playground .playground-response")).to_have_text("The gateway forwards every call.")
    assert UserHistory.objects.filter(user=alice, model=summarizer).count() == 1
    screenshot("model-page-playground-signed-in-desktop")
    page.set_viewport_size(PHONE)
    screenshot("model-page-playground-signed-in-phone")
    page.set_viewport_size(DESKTOP)

    page.get_by_role("navigation", name="Model page sections").get_by_role("link", name="Overview").click()
    expect(page).to_have_url(re.compile(r"/models/summarizer/overview/$"))
    expect(page.get_by_role("heading", level=2, name="Usage")).to_be_visible()


def test_a_developer_previews_the_markdown_card_with_and_without_javascript(
    page, browser, live_server, dana, password, screenshot, summarizer
):
    edit = "/dashboard/models/summarizer/edit/"
    page.set_viewport_size(DESKTOP)
    page.goto(f"/accounts/login/?next={edit}")
    page.get_by_label("Username or email").fill(dana.user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(edit)))

    text = "## Setup\n\nCall it with **one** text.\n\n- fast\n- cheap\n\n<script>alert(1)</script>"
    page.get_by_label("Description (model card)").fill(text)
    page.get_by_role("button", name="Preview the model card").click()
    preview = page.locator("#description-preview")
    expect(preview.get_by_role("heading", level=3, name="Setup")).to_be_visible()
    expect(preview.locator("strong")).to_have_text("one")
    expect(preview).to_contain_text("<script>alert(1)</script>")  # shown as text
    expect(page).to_have_url(re.compile(re.escape(edit) + "$"))
    expect(page.get_by_label("Description (model card)")).to_have_value(text)
    screenshot("dashboard-model-card-preview-desktop")
    page.set_viewport_size(PHONE)
    screenshot("dashboard-model-card-preview-phone")
    page.set_viewport_size(DESKTOP)
    summarizer.refresh_from_db()
    assert summarizer.description == CARD  # nothing saved by a preview

    # Enter in a field saves, as before the Preview button came first in the form.
    page.get_by_label("Display name").press("Enter")
    expect(page.get_by_text("Demo Summarizer was saved.")).to_be_visible()
    summarizer.refresh_from_db()
    assert summarizer.description.replace("\r\n", "\n") == text

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, viewport=DESKTOP)
    plain = context.new_page()
    plain.set_default_timeout(10_000)
    try:
        plain.goto(f"/accounts/login/?next={edit}")
        plain.get_by_label("Username or email").fill(dana.user.username)
        plain.get_by_label("Password").fill(password)
        plain.get_by_role("button", name="Sign in").click()
        plain.get_by_label("Display name").fill("Renamed, not saved")
        plain.get_by_label("Description (model card)").fill("## Plain\n\n1. first\n2. second")
        plain.get_by_role("button", name="Preview the model card").click()
        expect(plain.locator("#description-preview").get_by_role("heading", name="Plain")).to_be_visible()
        expect(plain.locator("#description-preview li").first).to_have_text("first")
        expect(plain.get_by_label("Display name")).to_have_value("Renamed, not saved")
        expect(plain.get_by_label("Description (model card)")).to_have_value(
            "## Plain\n\n1. first\n2. second"
        )
        summarizer.refresh_from_db()
        assert summarizer.display_name == "Demo Summarizer"
    finally:
        context.close()
