"""Limits, seen by the people who set them: a user gives a key a daily spending limit, spends it from their
own program until the gateway refuses, reads the figures on /me/keys/ and raises the limit; a developer
sets a model's calls per user per month and a user meets it in the playground. On a desktop and a phone."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from accounts.models import LimitPeriod, UserApiKey
from accounts.tests.factories import PASSWORD, UserFactory
from activity.gateway.quota import month_start
from activity.models import DeveloperMonthlyUsage, ModelConsumerUsage, UserHistory
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.browser

PRICE = Decimal("0.0100")
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def echo(dana, upstream, settings):
    settings.UPSTREAM_PRIVATE_NETWORKS = True
    return AIModelFactory(
        developer=dana,
        api_name="echo",
        display_name="Echo",
        endpoint_url=f"{upstream.url}/echo",
        price_per_request=PRICE,
    )


@pytest.fixture
def api(live_server):
    """The user's own program: plain HTTP to the live server, no cookies, no browser."""
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=30) as client:
        yield client


def sign_in(page, username: str, next_url: str) -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def overflowing(page) -> list[str]:
    """Elements that stick out of the viewport and make the page scroll sideways: those inside a frame that
    scrolls or clips them (a table's, a chart's, a code block's) do not."""
    return page.evaluate(
        """() => {
          const clipped = e => {
            for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
              if (getComputedStyle(a).overflowX !== 'visible') return true;
            }
            return false;
          };
          const wide = [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !clipped(e))
            .map(e => e.tagName + '.' + e.className);
          if (document.documentElement.scrollWidth > innerWidth + 1) wide.push('page scrolls sideways');
          return wide;
        }"""
    )


def test_a_user_spends_a_keys_daily_limit_from_a_program_then_raises_it(
    page, live_server, screenshot, echo, api
):
    UserFactory(username="carol", email="carol@example.com", credits="1")
    expiry = datetime.now(UTC).date() + timedelta(days=30)
    page.set_viewport_size(DESKTOP)
    sign_in(page, "carol", "/me/keys/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Your API keys")
    expect(page.locator(".keys-balance")).to_contain_text("$1.0000")
    page.get_by_label("Name").fill("nightly batch")
    page.get_by_label("Spending limit ($)").fill("0.0200")  # two calls' price
    page.get_by_label("Resets").select_option(label="per day")
    page.get_by_label("Expires on").fill(expiry.isoformat())
    page.get_by_role("button", name="Create key").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your new API key")
    plain = page.locator("#new-key").inner_text()
    assert re.fullmatch(r"amp_pk_\w+", plain)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.get_by_role("button", name="Copy").click()
    assert page.evaluate("() => navigator.clipboard.readText()") == plain
    screenshot("limits-key-created-1366")
    api_key = UserApiKey.objects.get(name="nightly batch")
    assert (api_key.spend_limit, api_key.limit_period) == (Decimal("0.0200"), LimitPeriod.DAY)

    # The user's program calls until the key's limit refuses: the third call.
    headers = {"Authorization": f"Bearer {plain}"}
    answers = [
        api.post("/models/echo/invoke", json={"prompt": f"job {n}"}, headers=headers) for n in range(3)
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 402]
    assert answers[0].json()["response"] == "job 0"
    refused = answers[2].json()["error"]
    assert refused["code"] == "key_limit_reached"
    assert "spending limit of $0.0200 per day is reached" in refused["message"]
    assert int(answers[2].headers["Retry-After"]) > 0
    assert UserHistory.objects.count() == 2

    page.goto("/me/keys/")
    row = page.get_by_role("row", name=re.compile("nightly batch"))
    expect(row).to_contain_text("$0.0200 of $0.0200 per day")
    expect(row).to_contain_text("$0.0000 left, resets")
    expect(row).to_contain_text(f"{expiry.day} {expiry:%b %Y}")
    expect(row).to_contain_text("Active")
    expect(page.locator(".keys-balance")).to_contain_text("$0.9800")
    screenshot("limits-keys-spent-1366")

    page.set_viewport_size(PHONE)
    page.reload()
    expect(row).to_contain_text("$0.0000 left")
    screenshot("limits-keys-spent-390")
    assert overflowing(page) == []
    # The table scrolls inside its frame; its actions stay reachable by scrolling it.
    limits_link = row.get_by_role("link", name="Limits of nightly batch")
    limits_link.scroll_into_view_if_needed()
    expect(limits_link).to_be_in_viewport()
    expect(row.get_by_text("$0.0200 of $0.0200 per day")).to_be_in_viewport()
    screenshot("limits-keys-spent-390-scrolled")

    limits_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Limits of “nightly batch”")
    expect(page.get_by_text("it has spent $0.0200 of $0.0200 per day")).to_be_visible()
    expect(page.get_by_label("Spending limit ($)")).to_have_value("0.0200")
    expect(page.get_by_label("Expires on")).to_have_value(expiry.isoformat())
    screenshot("limits-key-limits-page-390")
    page.get_by_label("Spending limit ($)").fill("0.0300")
    page.get_by_role("button", name="Save limits").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your API keys")
    expect(page.get_by_text("The limits of “nightly batch” are saved.")).to_be_visible()
    expect(row).to_contain_text("$0.0200 of $0.0300 per day")
    expect(row).to_contain_text("$0.0100 left")
    page.set_viewport_size(DESKTOP)
    screenshot("limits-keys-raised-1366")

    again = api.post("/models/echo/invoke", json={"prompt": "after raising"}, headers=headers)
    assert again.status_code == 200
    assert again.json()["response"] == "after raising"
    key_info = api.get("/key", headers=headers).json()
    assert (Decimal(key_info["spent"]), Decimal(key_info["spend_remaining"])) == (
        Decimal("0.0300"),
        Decimal("0.0000"),
    )
    assert Decimal(key_info["balance"]) == Decimal("0.9700")


def test_a_developer_shares_a_model_two_calls_per_user_and_a_user_meets_the_limit_in_the_playground(
    page, browser, live_server, screenshot, dana, echo
):
    UserFactory(username="carol", email="carol@example.com")
    page.set_viewport_size(DESKTOP)
    sign_in(page, dana.user.username, "/dashboard/models/echo/")
    page.get_by_role("link", name="Edit").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Echo")
    field = page.get_by_label("Calls per user per month")
    expect(field).to_have_value("")
    field.fill("0")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".field-error")).to_contain_text("greater than or equal to 1")
    page.locator(".field-error").scroll_into_view_if_needed()
    screenshot("limits-consumer-form-refused-1366")
    page.get_by_label("Calls per user per month").fill("2")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Echo was saved.")).to_be_visible()
    echo.refresh_from_db()
    assert echo.consumer_monthly_limit == 2

    user_context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    try:
        user = user_context.new_page()
        user.set_default_timeout(10_000)
        sign_in(user, "carol", "/models/echo/")
        user.goto("/models/echo/")
        panel = user.locator("#playground")
        for n in (1, 2):
            user.get_by_label("Prompt").fill(f"Question number {n}")
            user.get_by_role("button", name="Run").click()
            expect(panel.locator(".playground-response").last).to_contain_text(f"Question number {n}")

        user.get_by_label("Prompt").fill("A third question")
        user.get_by_role("button", name="Run").click()
        refusal = panel.locator(".playground-error")
        expect(refusal).to_contain_text("this month's 2 calls of 'echo' that its developer allows each user")
        expect(user.get_by_label("Prompt")).to_have_value("A third question")
        user.screenshot(path=str(screenshot_path("limits-consumer-refused-1366")), full_page=True)

        user.set_viewport_size(PHONE)
        user.reload()
        user.get_by_label("Prompt").fill("A fourth question")
        user.get_by_role("button", name="Run").click()
        expect(panel).to_contain_text("that its developer allows each user")
        panel.scroll_into_view_if_needed()
        user.screenshot(path=str(screenshot_path("limits-consumer-refused-390")), full_page=True)
        assert overflowing(user) == []
    finally:
        user_context.close()

    month = month_start(datetime.now(UTC))
    assert UserHistory.objects.filter(model=echo).count() == 2
    assert ModelConsumerUsage.objects.get(model=echo, month=month).calls == 2
    # The developer's quota counted the two forwarded calls, not the refused ones.
    assert DeveloperMonthlyUsage.objects.get(developer=dana, month=month).calls == 2

    page.set_viewport_size(PHONE)
    page.goto("/dashboard/models/echo/edit/")
    expect(page.get_by_label("Calls per user per month")).to_have_value("2")
    page.get_by_label("Calls per user per month").scroll_into_view_if_needed()
    screenshot("limits-consumer-form-390")


def screenshot_path(name: str) -> Path:
    """Where the `screenshot` fixture keeps its files, for a page of another browser context."""
    folder = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"
