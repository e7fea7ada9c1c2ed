"""At a phone's viewport (390×844) the main pages fit the screen, their navigation works, and the browser
reports no Content-Security-Policy violation while they load and while htmx swaps parts of them.

The data is chosen to push layouts: long unbroken words, many tags, wide tables, charts over many days.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, DeveloperFactory, UserFactory
from activity.models import HistoryStatus
from activity.tests.factories import ApiUsageLogFactory, UserHistoryFactory
from catalog.models import Category
from catalog.tests.factories import AIModelFactory
from reviews.tests.factories import ModelReviewFactory, ReviewReplyFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
UNBROKEN = "Supercalifragilisticexpialidocious" * 4
MIN_TAP_TARGET = 24  # px, WCAG 2.2 target size (minimum)


@pytest.fixture
def scene(transactional_db):
    dana = DeveloperFactory(
        username="dana", user__username="dana-login", company_name="Dana Language Technologies International"
    )
    eve = DeveloperFactory(username="eve")
    model = AIModelFactory(
        developer=dana,
        api_name="dana-summarizer-with-a-rather-long-api-name",
        display_name="Dana Summarizer Extra Large Multilingual Edition",
        description=f"Summaries of long documents. {UNBROKEN}\nSecond line.",
        category=Category.SUMMARIZATION,
        tags=["summarization", "multilingual-long-documents", "english", "spanish", "enterprise-grade"],
        price_per_request=Decimal("0.0125"),
    )
    for index in range(5):
        AIModelFactory(developer=eve, display_name=f"Eve Model {index}", category=Category.TRANSLATION)
    alice = UserFactory(username="alice", email="alice@example.com")
    review = ModelReviewFactory(model=model, user=UserFactory(), rating=4, review_title=f"Great {UNBROKEN}")
    ReviewReplyFactory(review=review, reply_text=f"Thanks! {UNBROKEN}")
    now = timezone.now()
    for days_ago in range(0, 30, 2):
        for minute in range(3):
            ApiUsageLogFactory(
                model=model,
                created_at=now - dt.timedelta(days=days_ago, minutes=minute),
                processing_time_ms=40_000 if minute == 2 else 150,
                response_code=502 if minute == 2 else 200,
            )
    for index in range(30):
        UserHistoryFactory(
            user=alice,
            model=model,
            prompt=f"Prompt {index}: {UNBROKEN}",
            response=f"Answer {UNBROKEN}",
            status=HistoryStatus.COMPLETED if index % 5 else HistoryStatus.FAILED,
            cost_incurred=Decimal("0.0125"),
            session_id=f"session-with-a-long-identifier-{index:04d}-{UNBROKEN[:20]}",
        )
    return {"model": model}


@pytest.fixture
def phone(page):
    """The page at a phone's size, with every Content-Security-Policy report the console shows."""
    page.set_viewport_size(PHONE)
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.csp_violations = violations
    return page


def assert_fits_the_screen(page, name: str) -> None:
    measure = page.evaluate(
        """() => {
          const width = window.innerWidth;
          const wide = [];
          if (document.documentElement.scrollWidth > width) {
            for (const element of document.querySelectorAll("body *")) {
              const box = element.getBoundingClientRect();
              const spills = element.scrollWidth > element.clientWidth + 1
                && getComputedStyle(element).overflowX === "visible";
              if (box.right > width + 1 || spills) wide.push(`${element.tagName.toLowerCase()}.${element.className}`);
            }
          }
          return {scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 6)};
        }"""
    )
    assert measure["scrollWidth"] <= measure["width"], f"{name} overflows sideways: {measure}"


def assert_nav_is_usable(page) -> None:
    width = page.evaluate("window.innerWidth")
    main_top = page.locator("main").bounding_box()["y"]
    items = page.locator(".site-nav a, .site-nav button")
    assert items.count() >= 3
    for index in range(items.count()):
        item = items.nth(index)
        expect(item).to_be_visible()
        box = item.bounding_box()
        label = item.inner_text()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{label!r} is off the screen: {box}"
        assert box["height"] >= MIN_TAP_TARGET, f"{label!r} is too small to tap: {box}"
        assert box["y"] + box["height"] <= main_top, f"{label!r} overlaps the page content"


def check_page(page, screenshot, name: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert_fits_the_screen(page, name)
    assert_nav_is_usable(page)
    assert page.csp_violations == [], f"{name}: {page.csp_violations}"
    screenshot(f"phone-{name}")


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_visitor_uses_the_public_pages_on_a_phone(phone, scene, screenshot):
    phone.goto("/")
    check_page(phone, screenshot, "home")

    phone.locator(".site-nav").get_by_role("link", name="Models").click()
    expect(phone).to_have_url(re.compile(r"/models/$"))
    check_page(phone, screenshot, "catalog")

    phone.goto("/models/?q=nothing-matches-this")
    expect(phone.locator(".empty-state")).to_be_visible()
    check_page(phone, screenshot, "catalog-empty")

    phone.goto(scene["model"].get_absolute_url())
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Dana Summarizer")
    check_page(phone, screenshot, "model")

    phone.locator(".site-nav").get_by_role("link", name="Sign up").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Create an account")
    check_page(phone, screenshot, "signup")

    phone.get_by_role("button", name="Create account").click()
    expect(phone.locator(".errorlist").first).to_be_visible()
    check_page(phone, screenshot, "signup-errors")


def test_a_user_tries_a_model_and_reads_their_history_on_a_phone(phone, scene, screenshot):
    sign_in(phone, "alice")
    phone.goto(scene["model"].get_absolute_url())
    check_page(phone, screenshot, "model-signed-in")

    # The playground answers through htmx; the upstream is down, so the panel shows the failure in place.
    # The user has dragged the prompt box taller, which leaves an inline size on it: swapping the panel
    # must not copy that style attribute, which the policy would refuse.
    phone.get_by_label("Prompt").fill("Summarise this, please.")
    phone.locator("#id_prompt").evaluate("box => { box.style.height = '12rem'; }")
    phone.get_by_role("button", name="Run").click()
    expect(phone.locator(".playground-turn, .playground-error").first).to_be_visible()
    # In place: no navigation to ?exchange=…; the address names the session, for a reload.
    expect(phone).to_have_url(
        re.compile(
            r"/models/dana-summarizer-with-a-rather-long-api-name/\?session=sess_[0-9a-f]+#playground$"
        )
    )
    check_page(phone, screenshot, "model-playground")

    phone.goto("/me/history/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your history")
    expect(phone.locator(".history-table tbody tr")).to_have_count(25)
    check_page(phone, screenshot, "history")

    phone.locator(".history-table tbody tr").first.get_by_role("link").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Interaction with")
    check_page(phone, screenshot, "history-detail")

    phone.goto("/me/keys/")
    check_page(phone, screenshot, "keys")


def test_a_developer_reads_the_dashboard_on_a_phone(phone, scene, screenshot):
    sign_in(phone, "dana-login")
    phone.locator(".site-nav").get_by_role("link", name="Dashboard").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(phone.locator("svg.chart")).to_have_count(4)
    check_page(phone, screenshot, "dashboard")

    phone.get_by_role("link", name="Usage logs").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Usage logs")
    check_page(phone, screenshot, "dashboard-logs")

    phone.locator(".dashboard-nav").get_by_role("link", name="Models").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your models")
    check_page(phone, screenshot, "dashboard-models")

    phone.goto("/dashboard/reviews/")
    check_page(phone, screenshot, "dashboard-reviews")
