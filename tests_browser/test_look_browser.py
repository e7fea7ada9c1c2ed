"""The site's look in both colour themes, on a desktop (1366 wide) and a phone (390 wide): screenshots of
the home page, the catalog, a model page, the dashboard's charts and the profile, the theme switch with and
without JavaScript, and charts whose value axis stays on screen while they scroll on a phone.
"""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import DeveloperFactory, UserFactory
from activity.models import HistoryStatus
from activity.tests.factories import ApiUsageLogFactory, UserHistoryFactory
from catalog.models import Category
from catalog.tests.factories import AIModelFactory
from core.theme import COOKIE as THEME_COOKIE
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
PAGES = {
    "home": "/",
    "catalog": "/models/",
    "model": "/models/dana-summarizer/",
    "dashboard": "/dashboard/?days=30",
    "profile": "/me/",
}


@pytest.fixture
def scene(transactional_db):
    dana = DeveloperFactory(username="dana", user__username="dana-login", company_name="Dana Labs")
    model = AIModelFactory(
        developer=dana,
        api_name="dana-summarizer",
        display_name="Dana Summarizer",
        category=Category.SUMMARIZATION,
        tags=["summarization", "english"],
        price_per_request=Decimal("0.0025"),
    )
    for index, category in enumerate([Category.TRANSLATION, Category.CODE_GENERATION, Category.EMBEDDINGS]):
        AIModelFactory(developer=dana, display_name=f"Model {index}", category=category, price_per_request=0)
    for rating in (5, 4, 4):
        ModelReviewFactory(model=model, user=UserFactory(), rating=rating)
    now = timezone.now()
    for days_ago in range(30):
        for minute in range(days_ago % 4 + 1):
            ApiUsageLogFactory(
                model=model,
                developer=dana,
                created_at=now - dt.timedelta(days=days_ago, minutes=minute),
                processing_time_ms=120 + 40 * minute,
                response_code=502 if minute == 3 else 200,
            )
    for index in range(6):
        UserHistoryFactory(
            user=dana.user,
            model=model,
            status=HistoryStatus.COMPLETED,
            cost_incurred=Decimal("0.0025"),
            session_id=f"s-{index}",
        )
    return {"dana": dana, "model": model}


def session_cookie(user) -> dict:
    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}


def open_page(browser, live_server, *, size: str, theme: str, user=None, javascript: bool = True):
    context = browser.new_context(
        base_url=live_server.url, viewport=SIZES[size], java_script_enabled=javascript
    )
    cookies = [{"name": THEME_COOKIE, "value": theme}] + ([session_cookie(user)] if user else [])
    context.add_cookies([{**cookie, "url": live_server.url} for cookie in cookies])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_the_main_pages_in_both_themes_at_both_sizes(browser, live_server, scene):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for theme in ("light", "dark"):
        for size in SIZES:
            context, page = open_page(browser, live_server, size=size, theme=theme, user=scene["dana"].user)
            try:
                for name, path in PAGES.items():
                    page.goto(path)
                    expect(page.locator("html")).to_have_attribute("data-theme", theme)
                    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
                    # The page's own background: near white in light, near black in dark.
                    assert background == ("rgb(247, 247, 251)" if theme == "light" else "rgb(15, 17, 23)"), (
                        name
                    )
                    page.screenshot(path=str(SHOTS / f"look-{name}-{theme}-{size}.png"), full_page=True)
            finally:
                context.close()


def test_the_switch_changes_the_theme_at_once_and_the_server_keeps_it(browser, live_server, scene):
    context, page = open_page(browser, live_server, size="desktop", theme="system")
    try:
        page.emulate_media(color_scheme="dark")
        page.goto("/models/")
        expect(page.locator("html")).to_have_attribute("data-theme", "system")
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(15, 17, 23)"

        switch = page.get_by_role("group", name="Colour theme")
        with page.expect_response(lambda r: r.url.endswith("/theme/")) as posted:
            switch.get_by_role("button", name="Light").click()
        assert posted.value.status == 204
        expect(page.locator("html")).to_have_attribute("data-theme", "light")
        expect(switch.get_by_role("button", name="Light")).to_have_attribute("aria-pressed", "true")
        assert page.url.endswith("/models/")
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(247, 247, 251)"

        page.reload()  # drawn by the server with the cookie: no flash of the other theme
        expect(page.locator("html")).to_have_attribute("data-theme", "light")
    finally:
        context.close()


def test_the_switch_works_without_javascript(browser, live_server, scene):
    context, page = open_page(browser, live_server, size="phone", theme="light", javascript=False)
    try:
        page.goto("/models/?sort=name")
        page.get_by_role("group", name="Colour theme").get_by_role("button", name="Dark").click()
        page.wait_for_url("**/models/?sort=name")
        expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(15, 17, 23)"
    finally:
        context.close()


def test_a_chart_keeps_its_value_axis_on_screen_on_a_phone(browser, live_server, scene):
    context, page = open_page(browser, live_server, size="phone", theme="dark", user=scene["dana"].user)
    try:
        page.goto("/dashboard/?days=30")
        frame = page.locator(".chart-frame").first
        frame_box = frame.bounding_box()
        assert page.evaluate("document.querySelector('.chart-frame').scrollLeft") > 0  # at the recent days
        pane = frame.locator(".chart-axis-pane")
        expect(pane).to_be_visible()
        labels = pane.locator("text")
        assert labels.count() >= 3
        for index in range(labels.count()):
            box = labels.nth(index).bounding_box()
            assert box["x"] >= frame_box["x"] - 1, "a value label is cut off at the left"
            assert box["height"] >= 10, "a value label is too small to read"
        day_labels = frame.locator(".chart .chart-axis-x")
        heights = [day_labels.nth(i).bounding_box()["height"] for i in range(day_labels.count())]
        assert min(heights) >= 10
        frame.evaluate("element => { element.scrollLeft = 0; }")
        expect(pane).to_be_visible()
    finally:
        context.close()
